"""Horizontal bar charts as geometry for inline SVG, for the pages and the PDF reports.

Every bar carries its number as text beside it, and a second series is hatched rather
than coloured, so that a chart reads without colour. A hidden figure (a group under five)
draws no bar and prints "<5", so that its length gives nothing away. The numbers are also
in a table beside each chart on the pages.

Coordinates are handed to the templates as strings, so that the Swedish number format
(decimal comma) never reaches an SVG attribute. The pages draw `bar_chart`
(templates/followup/_bar_chart.html); the PDF reports draw the simpler
`report_bar_chart`, one series with a label and a printed text per bar.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.disclosure import HIDDEN, WITHHELD

LABEL_WIDTH = 190
BAR_AREA = 330
TEXT_AREA = 130
ROW = 24
BAR = 16
TOP = 8


@dataclass
class Series:
    name: str
    hatched: bool = False


@dataclass
class Bar:
    value: float | None
    text: str
    series: int = 0
    x: str = ""
    y: str = ""
    width: str = ""
    height: str = ""
    text_x: str = ""
    text_y: str = ""

    @property
    def hatched(self) -> bool:
        return self.series > 0


@dataclass
class Group:
    label: str
    bars: list[Bar]
    note: str = ""
    label_y: str = ""


@dataclass
class BarChart:
    chart_id: str
    title: str
    description: str
    groups: list[Group]
    series: list[Series] = field(default_factory=lambda: [Series("")])
    width: str = str(LABEL_WIDTH + BAR_AREA + TEXT_AREA)
    height: str = "0"
    label_x: str = str(LABEL_WIDTH - 8)

    @property
    def has_legend(self) -> bool:
        return len(self.series) > 1


def _fmt(number: float) -> str:
    # Plain dots whatever the language: SVG coordinates are not localised numbers.
    return f"{number:.1f}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    groups: list[Group],
    series: list[Series] | None = None,
    max_value: float | None = None,
) -> BarChart:
    values = [b.value for g in groups for b in g.bars if b.value is not None]
    scale_max = max_value or max(values, default=0) or 1
    y = TOP
    for group in groups:
        group_top = y
        for bar in group.bars:
            length = 0 if bar.value is None else BAR_AREA * bar.value / scale_max
            bar.x, bar.y = _fmt(LABEL_WIDTH), _fmt(y + (ROW - BAR) / 2)
            bar.width, bar.height = _fmt(max(length, 0)), _fmt(BAR)
            bar.text_x, bar.text_y = _fmt(LABEL_WIDTH + length + 6), _fmt(y + ROW / 2 + 5)
            y += ROW
        group.label_y = _fmt((group_top + y) / 2 + 5)
        y += 8 if len(group.bars) > 1 else 0
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        groups=groups,
        series=series or [Series("")],
        height=_fmt(y + TOP),
    )


def _bar(value, text, series=0) -> Bar:
    return Bar(value=None if text in (HIDDEN, WITHHELD) else value, text=str(text), series=series)


def participants_per_term_chart(kf, chart_id="chart-trained") -> BarChart:
    return bar_chart(
        chart_id=chart_id,
        title=_("Managers trained per term, %(region)s") % {"region": kf.region},
        description=_(
            "One bar per term; the number of managers who took a course that term is "
            "printed beside each bar. The same numbers are in the table."
        ),
        groups=[
            Group(label=str(term), bars=[_bar(cell.value, cell.shown)])
            for term, cell in zip(kf.terms, kf.trained_total.cells, strict=True)
        ],
    )


def _share_chart(chart_id, title, description, shares) -> BarChart:
    """One bar per (label, share) from 0 to 100 per cent, the share printed beside it as
    the disclosure control lets it be shown."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        groups=[
            Group(label=label, bars=[Bar(value=share.percent, text=share.shown_share)])
            for label, share in shares
        ],
        max_value=100,
    )


def pass_rate_chart(kf, chart_id="chart-pass-rate") -> BarChart:
    return _share_chart(
        chart_id,
        _("Pass rate per course, %(region)s") % {"region": kf.region},
        _(
            "One bar per course, from 0 to 100 per cent; the share is printed beside each "
            "bar. A course with fewer than five results shows no bar."
        ),
        [(c.course.title, c.pass_rate) for c in kf.courses],
    )


def compliance_chart(kf, chart_id="chart-compliance") -> BarChart:
    return _share_chart(
        chart_id,
        _("Managers who comply with their mandate, %(region)s") % {"region": kf.region},
        _(
            "One bar per municipality with a mandate, from 0 to 100 per cent of the "
            "managers in its scope; the share is printed beside each bar."
        ),
        [(item.municipality.name, item.ratio) for item in kf.compliance],
    )


def intake_chart(plan, shown, chart_id="chart-intake") -> BarChart:
    """Need and free seats per term; `shown(need)` prints a need as the viewer may see it."""
    groups = []
    for need in plan.needs:
        need_text = shown(need)
        groups.append(
            Group(
                label=str(need.term),
                note=_("too few seats") if need.short else "",
                bars=[
                    _bar(need.need, _("%(n)s must start") % {"n": need_text})
                    if need_text not in (HIDDEN, WITHHELD)
                    else Bar(value=None, text=_("%(n)s must start") % {"n": need_text}),
                    Bar(
                        value=need.seats.free,
                        text=_("%(n)s free seats") % {"n": need.seats.free},
                        series=1,
                    ),
                ],
            )
        )
    return bar_chart(
        chart_id=chart_id,
        title=_("Managers who must start, and free seats, per term"),
        description=_(
            "Two bars per term: solid for the managers who must start that term at the "
            "latest, hatched for the free seats on the first course. Terms with too few "
            "seats are marked in their label. The same numbers are in the table."
        ),
        groups=groups,
        series=[Series(_("Must start")), Series(_("Free seats"), hatched=True)],
    )


# --- Charts in the PDF reports -------------------------------------------------------


# Up to this many bars a report chart names each bar and prints its number beside it;
# more (a municipality chart of a national region) are drawn thin to fit one page, and
# the table above the chart gives the names and numbers.
LABELLED_BARS = 40
COMPACT_HEIGHT = 560


@dataclass(frozen=True)
class ReportBar:
    label: str
    text: str
    text_y: str
    text_x: str


@dataclass(frozen=True)
class ReportBarChart:
    title: str
    bars: list[ReportBar]
    # Every bar in one SVG path: a PDF chart of 290 bars is one element, not 290.
    path: str
    width: str
    height: str
    label_x: str
    labelled: bool
    description: str = ""


def report_bar_chart(
    title,
    items: list[tuple[str, int | float | None, str]],
    *,
    width: float = 460,
    label_width: float = 130,
    bar_height: float = 12,
    gap: float = 5,
) -> ReportBarChart:
    """Horizontal bars for `items` of (label, value or None for no bar, printed text).

    Beyond `LABELLED_BARS` items the bars are drawn without labels and thin enough for
    the chart to fit on a page, in the order of the table beside it."""
    labelled = len(items) <= LABELLED_BARS
    if not labelled:
        label_width = 0
        bar_height = max(COMPACT_HEIGHT / len(items), 1.0) * 0.8
        gap = bar_height / 4
    room = width - label_width - 40
    largest = max((v for _label, v, _text in items if v), default=0)
    path, bars = [], []
    for index, (label, value, text) in enumerate(items):
        y = index * (bar_height + gap)
        length = room * value / largest if value and largest else 0
        if length:
            path.append(
                f"M{_fmt(label_width)} {_fmt(y)}h{_fmt(length)}v{_fmt(bar_height)}h{_fmt(-length)}z"
            )
        if labelled:
            bars.append(
                ReportBar(
                    label=str(label),
                    text=str(text),
                    text_x=_fmt(label_width + length + 4),
                    text_y=_fmt(y + bar_height - 2.5),
                )
            )
    height = max(len(items) * (bar_height + gap) - gap, bar_height)
    return ReportBarChart(
        title=str(title),
        bars=bars,
        path="".join(path),
        width=_fmt(width),
        height=_fmt(height),
        label_x=_fmt(label_width - 5),
        labelled=labelled,
        description=""
        if labelled
        else _("One bar per row of the table above, in its order; the table gives the numbers."),
    )
