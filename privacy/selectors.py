"""Reads for personal data: a person's register extract, the access log, public texts."""

from django.db import models
from django.utils.translation import gettext as _

from enrolment.models import (
    CreditTransfer,
    DeadlineDecision,
    Enrolment,
    EnrolmentEvent,
    NominationRequest,
)
from portal.accounts.models import Role
from portal.accounts.scope import reach
from reporting.evaluations.models import Respondent
from reporting.models import Certificate, ReportRequest

from .models import AccessLogEntry, PageKind, PublicText

HIDDEN_FIELDS = {"id", "password", "history_change_reason"}


def _value(obj, field) -> str:
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, models.Model):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _record(obj, skip=()) -> dict:
    """A row as {field label: value}, in the active language."""
    return {
        str(field.verbose_name): _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS and field.name not in skip
    }


def _history(participant) -> list[dict]:
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    return [
        {
            _("when"): row.history_date.isoformat(timespec="seconds"),
            _("change"): kinds.get(row.history_type, row.history_type),
            _("by"): str(row.history_user) if row.history_user_id else _("the system"),
            **_record(row, skip={"history_id", "history_date", "history_type", "history_user"}),
        }
        for row in participant.history.select_related("history_user").order_by("history_date")
    ]


def _source(participant) -> str:
    first = participant.history.order_by("history_date").first()
    if first is None:
        return _("not recorded")
    who = str(first.history_user) if first.history_user_id else _("an import or the system")
    return _("Entered on %(date)s by %(who)s") % {"date": first.history_date.date(), "who": who}


def register_extract(participant) -> list[tuple[str, list[dict]]]:
    """Every record about one manager (GDPR art. 15), section by section: who they are
    and where that came from, the earlier versions, courses and their history, credit
    transfers, deadline decisions, requests, certificate, that they answered evaluations
    (never what), the reports about them and who opened their record."""
    enrolments = Enrolment.objects.filter(participant=participant).select_related("offering")

    def rows(model, skip=(), **where):
        return [_record(row, skip) for row in model.objects.filter(**where)]

    return [
        (_("Personal details"), [{**_record(participant), _("source"): _source(participant)}]),
        (_("Earlier versions of the personal details"), _history(participant)),
        (_("Course enrolments"), [_record(e) for e in enrolments]),
        (_("Changes of the course enrolments"), rows(EnrolmentEvent, enrolment__in=enrolments)),
        (_("Credit transfers"), rows(CreditTransfer, participant=participant)),
        (_("Deadline decisions"), rows(DeadlineDecision, participant=participant)),
        (_("Requests to be nominated"), rows(NominationRequest, participant=participant)),
        (_("Certificate"), rows(Certificate, participant=participant)),
        (
            _("Course evaluations answered (the answers cannot be linked to the person)"),
            rows(Respondent, participant=participant),
        ),
        (_("Reports about the person"), rows(ReportRequest, {"file"}, participant=participant)),
        (
            _("Who opened the person's record"),
            rows(AccessLogEntry, {"region"}, participant=participant),
        ),
    ]


def access_log_for(user):
    """The access log of the regions a programme administrator runs."""
    regions = reach(user, frozenset({Role.PROGRAMME_ADMIN})).region_ids
    return AccessLogEntry.objects.filter(region_id__in=regions).select_related(
        "user", "participant"
    )


def public_text(*, kind: str, language: str, region=None) -> str | None:
    """A region's text for the page, or the first region's when the reader has none."""
    texts = PublicText.objects.filter(kind=kind)
    if region is not None:
        texts = texts.filter(region=region)
    text = texts.order_by("region_id").first()
    if text is None:
        return None
    return text.body_en if language == "en" else text.body_sv


PAGES = {"privacy": PageKind.PRIVACY, "accessibility": PageKind.ACCESSIBILITY}
