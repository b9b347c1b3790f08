"""The grid rows and chart groups written in Python are the HTML the template loops wrote,
for every kind of figure, in both languages."""

import re
from decimal import Decimal
from html import escape
from types import SimpleNamespace

import pytest
from django.template import engines
from django.test import override_settings
from django.utils import translation
from django.utils.formats import localize
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.charts import Bar, Group, Series, bar_chart
from reporting.followup.disclosed import ShownCell, ShownRow
from reporting.templatetags.followup_tables import (
    _figure,
    chart_groups,
    decimal_sign,
    grid_rows,
    overview_rows,
)
from web.overview import OverviewLine

# The loops as the templates had them: what the tags must print.
GRID_LOOP = """{% for row in rows %}
  <tr data-municipality="{{ row.municipality.code }}">
    <th scope="row">{{ row.label }}</th>
    {% for cell in row.cells %}<td class="text-end">{{ cell.shown }}</td>{% endfor %}
    <td class="text-end">{{ row.total.shown }}</td>
  </tr>
{% endfor %}"""

CHART_LOOP = """{% for group in c.groups %}
  <text x="{{ c.label_x }}" y="{{ group.label_y }}" text-anchor="end" font-size="12" fill="#212529">{{ group.label|truncatechars:30 }}{% if group.note %} – {{ group.note }}{% endif %}</text>
  {% for bar in group.bars %}
    {% if bar.value is not None %}<rect x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" fill="{% if bar.hatched %}url(#{{ c.chart_id }}-hatch){% else %}#0b3d5c{% endif %}" stroke="#0b3d5c" stroke-width="1"/>{% endif %}
    <text x="{{ bar.text_x }}" y="{{ bar.text_y }}" font-size="12" fill="#212529">{{ bar.text }}</text>
  {% endfor %}
{% endfor %}"""  # noqa: E501


def _normalised(html) -> str:
    return re.sub(r"\s+", " ", str(html)).replace("> <", "><").strip()


def _loop(source, **context) -> str:
    return engines["django"].from_string(source).render(context)


FIGURES = [0, 7, 1234, Decimal("7.5"), Decimal("15.0"), Decimal("0.5"), "<5", "x", "–"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_grid_rows_print_what_the_loop_printed(language):
    rows = [
        ShownRow(
            label="Falun",
            municipality=SimpleNamespace(code="2080"),
            cells=[ShownCell(v) for v in FIGURES],
            total=ShownCell(Decimal("22.5")),
        ),
        ShownRow(
            label='Ludvika & "Smedjebacken" <b>',
            municipality=SimpleNamespace(code="<2085>"),
            cells=[ShownCell(v) for v in reversed(FIGURES)],
            total=ShownCell("x"),
        ),
        ShownRow(label="Regionen", municipality=None, cells=[], total=ShownCell(3)),
    ]
    with translation.override(language):
        written = grid_rows(rows)
        looped = _loop(GRID_LOOP, rows=rows)
    assert _normalised(written) == _normalised(looped)
    assert "&lt;5" in written and ("7,5" if language == "sv" else "7.5") in written


@pytest.mark.parametrize("language", ["sv", "en"])
def test_chart_groups_print_what_the_loop_printed(language):
    chart = bar_chart(
        chart_id='need-"1"',
        title="t",
        description="d",
        groups=[
            Group(
                label="A municipality with a name longer than thirty characters",
                note="too few seats & more",
                bars=[Bar(value=12, text="12 must start"), Bar(value=3, text="3", series=1)],
            ),
            Group(label="Älvdalen <x>", bars=[Bar(value=None, text="<5")]),
            Group(label="Mora", bars=[Bar(value=0, text="0 %")]),
        ],
        series=[Series("Must start"), Series("Free seats", hatched=True)],
    )
    with translation.override(language):
        written = chart_groups(chart)
        looped = _loop(CHART_LOOP, c=chart)
    assert _normalised(written) == _normalised(looped)
    assert written.count("<rect") == 3 and "hatch" in written


OVERVIEW_LOOP = """{% for row in rows %}
  <tr>
    <th scope="row">{{ row.label }}</th>
    <td class="text-end">{{ row.managers }}</td>
    <td class="text-end">{{ row.started }}</td>
    <td class="text-end">{{ row.completed }}</td>
    <td class="text-end">{{ row.share }}</td>
  </tr>
{% endfor %}"""


@pytest.mark.parametrize("language", ["sv", "en"])
def test_overview_rows_print_what_the_loop_printed(language):
    rows = [
        OverviewLine(label="Falun", managers=120, started=80, completed=7, share="6 %"),
        OverviewLine(
            label="Säter & <Hedemora>", managers="x", started="<5", completed=0, share="x"
        ),
        OverviewLine(label="Mora", managers=0, started=0, completed=0, share="–"),
    ]
    with translation.override(language):
        written = overview_rows(rows)
        looped = _loop(OVERVIEW_LOOP, rows=rows)
    assert _normalised(written) == _normalised(looped)
    assert "Säter &amp; &lt;Hedemora&gt;" in written


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("grouped", [False, True])
@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=1, max_value=10**6),
        st.decimals(allow_nan=False, allow_infinity=False),
    )
)
def test_a_figure_is_printed_as_localize_prints_it(language, grouped, value):
    """hp are printed without `localize` where no thousands are grouped: the same text, for
    any decimal, in both languages, and by `localize` itself where they are."""
    with (
        translation.override(language),
        override_settings(USE_THOUSAND_SEPARATOR=grouped),
    ):
        assert _figure(value, decimal_sign()) == escape(str(localize(value)))
