"""The long parts of the council's pages, each written by one tag: a key-figure grid has a
row per municipality and a cell per term (290 × 10, twice, for a national region), a
chart a group per municipality, and a regional start page's table a row per
municipality. As template nodes they were most of the page's time (a node per cell, a
context per row); here they are one escaped string each, the same HTML the templates
wrote."""

from decimal import Decimal
from html import escape

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

register = template.Library()

# What `{{ value }}` prints for each kind of figure: a count as it is, a printed mark
# ("<5", "x", "–") escaped, hp with the language's decimal sign.
TD = '<td class="text-end">'


def decimal_sign() -> str | None:
    """The active language's decimal sign, escaped, for `_figure` to print hp with; None
    where numbers are grouped in thousands, which `localize` does."""
    if settings.USE_THOUSAND_SEPARATOR:
        return None
    return escape(get_format("DECIMAL_SEPARATOR"))


def _figure(value, sign: str | None = None) -> str:
    if type(value) is int:
        return str(value)
    if isinstance(value, str):
        return escape(value)
    if sign is not None and type(value) is Decimal and value.is_finite():
        # `localize` without grouping: the digits in positional notation, the decimal
        # sign the language's (it writes more than 200 digits in scientific notation).
        _sign, digits, exponent = value.as_tuple()
        if abs(exponent) + len(digits) <= 200:
            return f"{value:f}".replace(".", sign)
    return escape(str(localize(value)))


@register.simple_tag
def grid_rows(rows):
    """A grid's rows: the municipality, a cell per term and the total over all terms."""
    lines = []
    sign = decimal_sign()
    for row in rows:
        code = row.municipality.code if row.municipality is not None else ""
        cells = "".join(f"{TD}{_figure(cell.shown, sign)}</td>" for cell in row.cells)
        lines.append(
            f'<tr data-municipality="{escape(str(code))}"><th scope="row">{escape(row.label)}'
            f"</th>{cells}{TD}{_figure(row.total.shown, sign)}</td></tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every value is escaped)


@register.simple_tag
def chart_groups(chart):
    """A bar chart's groups: each label (cut at 30 characters, with its note) and its bars,
    a bar's rectangle only where its figure may be drawn, and the number beside it."""
    hatch = f"url(#{escape(chart.chart_id)}-hatch)"
    label_x = escape(chart.label_x)
    parts = []
    for group in chart.groups:
        note = f" – {escape(str(group.note))}" if group.note else ""
        parts.append(
            f'<text x="{label_x}" y="{escape(group.label_y)}" text-anchor="end" font-size="12"'
            f' fill="#212529">{escape(Truncator(group.label).chars(30))}{note}</text>'
        )
        for bar in group.bars:
            if bar.value is not None:
                fill = hatch if bar.hatched else "#0b3d5c"
                parts.append(
                    f'<rect x="{escape(bar.x)}" y="{escape(bar.y)}" width="{escape(bar.width)}"'
                    f' height="{escape(bar.height)}" fill="{fill}" stroke="#0b3d5c"'
                    ' stroke-width="1"/>'
                )
            parts.append(
                f'<text x="{escape(bar.text_x)}" y="{escape(bar.text_y)}" font-size="12"'
                f' fill="#212529">{escape(str(bar.text))}</text>'
            )
    return mark_safe("\n".join(parts))  # noqa: S308 (every value is escaped)


@register.simple_tag
def overview_rows(rows):
    """A start page's rows: the municipality, its managers, started, completed and the
    share completed."""
    return mark_safe(  # noqa: S308 (every value is escaped)
        "\n".join(
            f'<tr><th scope="row">{escape(str(row.label))}</th>'
            f"{TD}{_figure(row.managers)}</td>{TD}{_figure(row.started)}</td>"
            f"{TD}{_figure(row.completed)}</td>{TD}{_figure(row.share)}</td></tr>"
            for row in rows
        )
    )
