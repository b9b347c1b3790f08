"""Bar charts drawn as SVG in the report templates: the geometry is worked out here.

Every bar carries its number printed next to it and a text label, so a chart reads the
same in black and white and to someone who cannot tell colours apart. A suppressed value
("<5") gets no bar, only its text, so that its length gives nothing away.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: str
    width: str
    text_x: str
    text_y: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: str
    height: str
    label_width: str
    label_x: str
    bar_height: str


def _n(value: float) -> str:
    # Plain dots whatever the language: SVG coordinates are not localised numbers.
    return f"{value:.1f}"


def bar_chart(
    title,
    items: list[tuple[str, int | float | None, str]],
    *,
    width: float = 460,
    label_width: float = 130,
    bar_height: float = 12,
    gap: float = 5,
) -> BarChart:
    """Horizontal bars for `items` of (label, value or None for no bar, printed text)."""
    room = width - label_width - 40
    largest = max((v for _label, v, _text in items if v), default=0)
    bars = []
    for index, (label, value, text) in enumerate(items):
        y = index * (bar_height + gap)
        length = room * value / largest if value and largest else 0
        bars.append(
            Bar(
                label=str(label),
                text=str(text),
                y=_n(y),
                width=_n(length),
                text_x=_n(label_width + length + 4),
                text_y=_n(y + bar_height - 2.5),
            )
        )
    height = max(len(items) * (bar_height + gap) - gap, bar_height)
    return BarChart(
        title=str(title),
        bars=bars,
        width=_n(width),
        height=_n(height),
        label_width=_n(label_width),
        label_x=_n(label_width - 5),
        bar_height=_n(bar_height),
    )
