"""The parts of the council's pages that are the same for every viewer of a region with
the same rights, kept for the day until a write (`portal.daycache.day_figures`): the key
figures with their rendered section, and the intake plan with its section, each disclosed
or exact. The pages read them from here, and the worker that makes them ahead of the
first reader after a write (`warming`) makes them here too, under the same keys."""

from functools import partial

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal.daycache import day_figures

from .. import charts
from .disclosed import disclosed_key_figures
from .figures import key_figures
from .planning import plan_table, region_intake_plan


def _disclosed_key_figures(region, on):
    return disclosed_key_figures(key_figures(region=region, on=on))


def region_key_figures(region, on):
    """The region's key figures as the council may see them, kept."""
    return day_figures("key-figures", region, on, partial(_disclosed_key_figures, region, on))


def _key_figures_section(region, on) -> str:
    kf = region_key_figures(region, on)
    section = {
        "kf": kf,
        "trained_chart": charts.participants_per_term_chart(kf, f"trained-{kf.region.pk}"),
        "pass_rate_chart": charts.pass_rate_chart(kf, f"pass-rate-{kf.region.pk}"),
        "compliance_chart": charts.compliance_chart(kf, f"compliance-{kf.region.pk}"),
        "credits_per_term": list(zip(kf.terms, kf.credits_total.cells, strict=True)),
    }
    return render_to_string("followup/_key_figures_region.html", {"section": section})


def key_figures_section(region, on) -> str:
    """One region's part of the key figures page, rendered in the active language: the
    same for every viewer of the region, so kept like the figures it is made of."""
    return day_figures("key-figures-page", region, on, partial(_key_figures_section, region, on))


def _region_plan_table(region, on, *, exact: bool):
    return plan_table(
        region_intake_plan(region=region, on=on),
        exact=exact,
        regional=True,
        total_label=_("The region"),
    )


def region_plan_table(region, on, *, exact: bool):
    """The region's intake plan, exact (for its programme administrators) or disclosed,
    kept."""
    return day_figures(
        f"intake-plan-{'exact' if exact else 'disclosed'}",
        region,
        on,
        partial(_region_plan_table, region, on, exact=exact),
    )


def plan_section(table, key: str) -> str:
    section = {
        "key": key,
        "table": table,
        "chart": charts.intake_chart(table.plan, table.shown_need, f"intake-{key}")
        if table.total
        else None,
    }
    return render_to_string("followup/_intake_section.html", {"section": section})


def _region_plan_section(region, on, *, exact: bool) -> str:
    return plan_section(region_plan_table(region, on, exact=exact), f"r{region.pk}")


def intake_section(region, on, *, exact: bool) -> str:
    """A region's part of the intake planning page, rendered and kept."""
    return day_figures(
        f"intake-page-{'exact' if exact else 'disclosed'}",
        region,
        on,
        partial(_region_plan_section, region, on, exact=exact),
    )
