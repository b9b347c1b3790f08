"""Efterlevnadsrapport: a municipality's mandate, its managers' compliance counted by status,
the overdue and at-risk managers with deadlines and reasons, and the trend per month."""

from datetime import date

from django.utils.translation import gettext as _

from enrolment.compliance import Status, municipality_compliance
from enrolment.mandates import add_months
from enrolment.models import ComplianceSnapshot, OperationalArea, Position

from ..charts import report_bar_chart
from ..models import ReportScope
from . import ReportRefused, common_context, render_pdf

TREND_MONTHS = 12


def mandate_terms(mandate) -> list[str]:
    """The mandate's rules in sentences, for the reader who has not seen the decision."""
    if mandate is None:
        return []
    terms = []
    if mandate.start_within_months is not None:
        terms.append(
            _("Start the programme within %(months)s months of appointment.")
            % {"months": mandate.start_within_months}
        )
    if mandate.complete_within_months is not None:
        terms.append(
            _("Complete it within %(months)s months of appointment.")
            % {"months": mandate.complete_within_months}
        )
    if mandate.fixed_completion_date:
        terms.append(
            _("Managers already in post when it took effect complete it by %(date)s.")
            % {"date": mandate.fixed_completion_date.isoformat()}
        )
    positions = dict(Position.choices)
    areas = dict(OperationalArea.choices)
    terms.append(
        _("Positions: %(list)s.")
        % {"list": ", ".join(str(positions.get(p, p)) for p in mandate.positions) or _("all")}
    )
    terms.append(
        _("Operational areas: %(list)s.")
        % {"list": ", ".join(str(areas.get(a, a)) for a in mandate.operational_areas) or _("all")}
    )
    administrations = [a.name for a in mandate.administrations.all()]
    terms.append(_("Administrations: %(list)s.") % {"list": ", ".join(administrations) or _("all")})
    return terms


def trend(municipality, on: date) -> list[dict]:
    first = add_months(on.replace(day=1), -(TREND_MONTHS - 1))
    rows = []
    for snapshot in ComplianceSnapshot.objects.filter(
        municipality=municipality, month__gte=first, month__lte=on
    ).order_by("month"):
        counts = snapshot.counts or {}
        total = snapshot.total or sum(counts.values())
        done = counts.get(Status.COMPLETED, 0) + counts.get(Status.EXEMPT, 0)
        rows.append(
            {
                "month": snapshot.month,
                "total": total,
                "counts": [counts.get(status, 0) for status in Status.ORDER],
                "done": done,
                "done_percent": round(100 * done / total) if total else None,
            }
        )
    return rows


def build(*, scope: ReportScope, data_date: date, reference: str, on_progress) -> bytes:
    municipality = scope.municipality
    if municipality is None:
        raise ReportRefused(_("The compliance report needs a municipality."))
    result = municipality_compliance(municipality=municipality, on=data_date)
    on_progress(30)
    counts = result.counts
    total = sum(counts.values())
    watch = [row for row in result.rows if row.status in (Status.OVERDUE, Status.AT_RISK)]
    watch.sort(key=lambda r: (r.deadline or date.max, r.participant.last_name))
    months = trend(municipality, data_date)
    on_progress(45)

    labels = [Status.LABELS[status] for status in Status.ORDER]
    context = {
        **common_context(title=_("Compliance report"), data_date=data_date, reference=reference),
        "municipality": municipality,
        "mandate": result.mandate,
        "mandate_terms": mandate_terms(result.mandate),
        "total": total,
        "counts": [(Status.LABELS[status], counts.get(status, 0)) for status in Status.ORDER],
        "counts_chart": report_bar_chart(
            _("Managers by status"),
            [(Status.LABELS[s], counts.get(s, 0), counts.get(s, 0)) for s in Status.ORDER],
        ),
        "watch": watch,
        "labels": labels,
        "months": months,
        "trend_chart": report_bar_chart(
            _("Completed or exempt, share of managers in scope per month"),
            [
                (
                    m["month"].strftime("%Y-%m"),
                    m["done_percent"],
                    f"{m['done_percent']} %" if m["done_percent"] is not None else "–",
                )
                for m in months
            ],
        )
        if months
        else None,
    }
    return render_pdf("reporting/pdf/compliance.html", context, on_progress)
