"""Framstegsrapport: each manager in post in a municipality or administration, their four
courses, hp, status and next course, with totals."""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from enrolment import facts
from enrolment.models import Participant
from enrolment.progress import (
    ProgrammeStatus,
    Progress,
    SlotStatus,
    programme_status,
    progress_for,
)
from programmes.models import CourseOffering, OfferingState

from ..models import ReportScope
from . import ReportRefused, common_context, render_pdf

# Managers in post on the data day: every status but "left".
STATUS_LABELS = {
    status: label for status, label in ProgrammeStatus.choices if status != ProgrammeStatus.LEFT
}


@dataclass
class Row:
    participant: Participant
    progress: Progress
    status: str
    next_course: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def slot_labels(self) -> list[str]:
        """Each slot's status in words, translated once per status rather than per cell:
        a report of hundreds of managers prints thousands of them."""
        return [_slot_label(sp.status) for sp in self.progress.slots]


@functools.cache
def _words(status: str, language: str) -> str:
    return str(SlotStatus.LABELS[status])


def _slot_label(status: str) -> str:
    return _words(status, translation.get_language())


def next_offerings(programmes, on: date) -> dict[int, list[CourseOffering]]:
    """The first offerings still to start, per slot: where each manager can go next."""
    first = {}
    for offering in (
        CourseOffering.objects.filter(
            course__slot__programme__in=programmes,
            start_date__gt=on,
            state__in=[OfferingState.PLANNED, OfferingState.OPEN, OfferingState.CLOSED],
        )
        .select_related("course")
        .order_by("term_index", "course__title")
    ):
        earliest = first.setdefault(offering.course.slot_id, [offering])
        if earliest[0] is not offering and earliest[0].term_index == offering.term_index:
            earliest.append(offering)
    return first


def next_course_text(progress: Progress, offerings: dict[int, list[CourseOffering]]) -> str:
    if progress.is_complete:
        return "–"
    slot = progress.next_slot
    if slot is None:
        return _("None until the current course ends")
    found = offerings.get(slot.slot.pk)
    if not found:
        return _("Course %(position)s: no offering scheduled yet") % {
            "position": slot.slot.position
        }
    return _("Course %(position)s: %(courses)s, %(term)s") % {
        "position": slot.slot.position,
        "courses": " / ".join(o.course.title for o in found),
        "term": found[0].term,
    }


def build(*, scope: ReportScope, data_date: date, reference: str, on_progress) -> bytes:
    municipality, administration = scope.municipality, scope.administration
    if municipality is None:
        raise ReportRefused(_("The progress report needs a municipality or administration."))
    participants = Participant.objects.filter(municipality=municipality).select_related(
        "municipality", "administration"
    )
    if administration is not None:
        participants = participants.filter(administration=administration)
    everyone = list(participants.order_by("administration__name", "last_name", "first_name"))
    managers = [p for p in everyone if facts.in_post(p, on=data_date)]
    on_progress(15)

    progress = progress_for(managers, data_date)
    on_progress(35)
    programmes = {p.programme for p in progress.values() if p.programme}
    offerings = next_offerings(programmes, data_date) if programmes else {}

    rows = []
    for participant in managers:
        p = progress[participant.pk]
        rows.append(
            Row(
                participant=participant,
                progress=p,
                status=programme_status(participant, p, on=data_date),
                next_course=next_course_text(p, offerings),
            )
        )
    counts = {status: sum(1 for r in rows if r.status == status) for status in STATUS_LABELS}
    credits = sum((r.progress.credits for r in rows), Decimal("0"))
    positions = [s.slot.position for s in rows[0].progress.slots] if rows else [1, 2, 3, 4]
    on_progress(45)

    title = _("Progress report")
    context = {
        **common_context(title=title, data_date=data_date, reference=reference),
        "municipality": municipality,
        "administration": administration,
        "rows": rows,
        "positions": positions,
        "counts": [(STATUS_LABELS[s], n) for s, n in counts.items()],
        "managers": len(rows),
        "left": len(everyone) - len(managers),
        "credits": credits,
        "average_credits": credits / len(rows) if rows else Decimal("0"),
    }
    return render_pdf("reporting/pdf/progress.html", context, on_progress)
