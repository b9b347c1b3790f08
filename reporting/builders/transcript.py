"""Resultatintyg: a manager's results so far, at any time, as Ladok gives one.

The courses passed with grade, hp and date; the slots filled by a decision, listed as
credited (tillgodoräknad) with the decision date; the courses under way; and the hp that
count towards the programme. Unlike the certificate it needs no completion and no code:
it lists what is recorded on the day.

Small and bounded (one manager: the four queries of `progress_of` and one for the
enrolments), so the page serves it at once rather than through a report request.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from enrolment import facts
from enrolment.models import Enrolment
from enrolment.progress import SlotStatus, progress_of
from enrolment.standing import enrolment_label

from . import common_context, render_pdf


@dataclass(frozen=True)
class TranscriptLine:
    position: int
    course: str
    code: str
    grade: str
    credits: Decimal
    day: date | None
    credited: bool = False


def transcript_context(*, participant, on: date, reference: str) -> dict:
    """What the transcript shows of a manager on a day: results, credited slots, courses
    under way and the hp towards the programme."""
    progress = progress_of(participant, on)
    enrolments = list(
        Enrolment.objects.filter(participant=participant, state__in=facts.COUNTING_STATES)
        .select_related("offering__course__slot")
        .order_by("offering__term_index", "id")
    )
    lines = [
        TranscriptLine(
            position=e.offering.course.slot.position,
            course=e.offering.course.title,
            code=e.offering.course.code,
            grade=e.grade,
            credits=e.credits if e.credits is not None else e.offering.course.credits,
            day=e.result_date,
        )
        for e in enrolments
        if facts.is_passed(e, on=on)
    ]
    lines += [
        TranscriptLine(
            position=sp.slot.position,
            course=sp.course_title,
            code="",
            grade="",
            credits=sp.credits,
            day=sp.completed_on,
            credited=True,
        )
        for sp in progress.slots
        if sp.status == SlotStatus.CREDITED
    ]
    lines.sort(key=lambda line: (line.position, line.day or date.min))
    under_way = [
        {"enrolment": e, "label": enrolment_label(e, on=on)}
        for e in enrolments
        if facts.is_under_way(e, on=on)
    ]
    programme = progress.programme
    return {
        **common_context(title=_("Transcript of records"), data_date=on, reference=reference),
        "participant": participant,
        "programme": programme,
        "lines": lines,
        "under_way": under_way,
        "progress": progress,
    }


def build(*, participant, on: date, reference: str) -> bytes:
    context = transcript_context(participant=participant, on=on, reference=reference)
    return render_pdf("reporting/pdf/transcript.html", context, lambda percent: None)
