"""Monthly snapshots of compliance counts, kept so reports can show the trend."""

from datetime import date

from django.db import transaction

from programmes.models import Municipality

from ..compliance import compute_compliance
from ..models import ComplianceSnapshot


def compliance_snapshot_take(*, month: date) -> int:
    """Counts per municipality with a mandate in force on the first of `month`.

    Idempotent: a second run for the same month replaces that month's rows, never adds.
    Returns the number of municipalities snapshotted.
    """
    month = month.replace(day=1)
    results = [
        r
        for r in compute_compliance(
            Municipality.objects.filter(mandates__effective_from__lte=month).distinct(),
            month,
            None,
        )
        if r.mandate is not None
    ]
    with transaction.atomic():
        for result in results:
            ComplianceSnapshot.objects.update_or_create(
                municipality=result.municipality,
                month=month,
                defaults={"counts": result.counts, "total": result.total},
            )
    return len(results)
