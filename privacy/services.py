"""Writes for personal data: the access log, erasure of history, thinning (gallring)."""

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enrolment.mandates import add_months
from enrolment.models import Participant
from reporting.models import ReportRequest

from .models import AccessLogEntry, RecordKind, RetentionRule, ThinningRun


def access_log_write(*, user, participant_ids, kind: str, regions=None) -> None:
    """One entry a manager opened; `regions` (region id by manager id) saves reading them
    when the caller has. One manager's entry is one statement, with no transaction."""
    participant_ids = list(participant_ids)
    if regions is None or not set(participant_ids) <= regions.keys():
        regions = dict(
            Participant.objects.filter(pk__in=participant_ids).values_list(
                "pk", "municipality__region_id"
            )
        )
    entries = [
        AccessLogEntry(user=user, participant_id=pk, region_id=regions[pk], kind=kind)
        for pk in dict.fromkeys(participant_ids)
        if pk in regions
    ]
    if len(entries) == 1:
        entries[0].save()
    else:
        AccessLogEntry.objects.bulk_create(entries)


def history_erase(*, participant_ids) -> int:
    """Remove the earlier versions of managers' records (their history rows)."""
    deleted, _by_model = Participant.history.filter(id__in=participant_ids).delete()
    return deleted


def _region_reports(region) -> Q:
    return (
        Q(region=region)
        | Q(municipality__region=region)
        | Q(administration__municipality__region=region)
        | Q(participant__municipality__region=region)
    )


def _files_remove(requests) -> int:
    removed = 0
    for request in requests.exclude(file=""):
        request.file.delete(save=False)
        removed += 1
    return removed


def participants_erase(*, participants) -> dict:
    """Delete managers with everything about them: enrolments, their history rows,
    report files about them and the access log entries about them."""
    ids = list(participants.values_list("pk", flat=True))
    with transaction.atomic():
        files = _files_remove(ReportRequest.objects.filter(participant_id__in=ids))
        history = Participant.history.filter(id__in=ids).count()
        Participant.objects.filter(pk__in=ids).delete()
    return {"managers": len(ids), "history_rows": history, "report_files": files}


def _thin_managers(region, months, on) -> dict:
    gone = Participant.objects.filter(
        municipality__region=region, left_on__isnull=False, left_on__lt=add_months(on, -months)
    )
    return participants_erase(participants=gone)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _thin_access_log(region, months, on) -> dict:
    cutoff = _start_of(add_months(on, -months))
    deleted, _by_model = AccessLogEntry.objects.filter(region=region, at__lt=cutoff).delete()
    return {"access_log_entries": deleted}


def _thin_report_files(region, months, on) -> dict:
    cutoff = _start_of(add_months(on, -months))
    old = ReportRequest.objects.filter(_region_reports(region), created_at__lt=cutoff)
    files = _files_remove(old)
    deleted, _by_model = old.delete()
    return {"report_files": files, "report_requests": deleted}


THINNERS = {
    RecordKind.MANAGERS: _thin_managers,
    RecordKind.ACCESS_LOG: _thin_access_log,
    RecordKind.REPORT_FILES: _thin_report_files,
}


def region_thin(*, region, on: date) -> ThinningRun:
    """Apply every retention rule of a region and log what was removed, as counts."""
    counts = {}
    for rule in RetentionRule.objects.filter(region=region):
        for key, n in THINNERS[rule.kind](region, rule.months, on).items():
            counts[key] = counts.get(key, 0) + n
    return ThinningRun.objects.create(region=region, counts=counts)
