"""Each aggregate output built on random data, attacked by the auditor (Hypothesis)."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrolment.compliance import Status
from enrolment.compliance_shares import compliance_lines
from programmes.terms import Term
from reporting.followup.disclosed import disclosed_key_figures
from reporting.followup.figures import (
    Cell,
    CohortFigure,
    ComplianceFigure,
    CourseFigure,
    GridRow,
    KeyFigures,
    Ratio,
    key_figures_table,
)
from reporting.followup.planning import IntakePlan, PlanRow, TermSeats, plan_table
from tests.auditor import Published, key_figure_file, recovered
from web.overview import overview_table

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
small = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(5, 25))
TERMS = [Term.from_index(Term.parse("HT2022").index + i) for i in range(4)]


def _municipality(i):
    return SimpleNamespace(pk=i + 1, name=f"Kommun {i + 1}", code=f"20{i:02d}")


def _audit(pub):
    assert not recovered(pub), recovered(pub)


@SETTINGS
@given(st.lists(st.tuples(small, small, small), min_size=1, max_size=8))
def test_start_page_on_random_counts(counts):
    rows = [
        SimpleNamespace(
            municipality=_municipality(i), managers=a + b + c, started=b + c, completed=c
        )
        for i, (a, b, c) in enumerate(counts)
    ]
    table = overview_table(rows, exact=False, total_label="Totalt")
    pub = Published()
    for column in ("managers", "started", "completed"):
        for line in table.rows:
            pub.add((line.label, column), getattr(line, column))
        pub.add(("Totalt", column), getattr(table.total, column))
        pub.total(("Totalt", column), [(line.label, column) for line in table.rows])
    for line in [*table.rows, table.total]:
        pub.shares.append(((line.label, "completed"), (line.label, "managers"), line.share))
    _audit(pub)


@SETTINGS
@given(
    st.lists(
        st.lists(small, min_size=len(Status.ORDER), max_size=len(Status.ORDER)),
        min_size=1,
        max_size=6,
    )
)
def test_regional_compliance_on_random_counts(all_counts):
    results = [
        SimpleNamespace(
            municipality=_municipality(i),
            mandate=True,
            counts=dict(zip(Status.ORDER, counts, strict=True)),
            total=sum(counts),
        )
        for i, counts in enumerate(all_counts)
    ]
    pub = Published()
    for line in compliance_lines(results, exact=False):
        name = line.result.municipality.name
        whole = pub.add((name, "total"), line.total)
        for status, share in line.shares:
            key = (name, status)
            if share in ("<5", "x"):
                pub.add(key, share)
            elif share != "–":
                pub.add(key, round(int(share.split()[0]) * line.result.total / 100))
            else:
                pub.add(key, 0)
        pub.total(whole, [(name, s) for s in Status.ORDER])
    _audit(pub)


def _plan_row(i, numbers):
    done, begun, later, no_deadline, *starts = numbers
    row = PlanRow(municipality=_municipality(i), done=done, begun=begun, later=later)
    row.no_deadline = no_deadline
    for term, n in zip(TERMS, starts, strict=True):
        if n:
            row.by_term[term.index] = n
    row.in_scope = done + begun + later + no_deadline + sum(starts)
    return row


@SETTINGS
@given(st.lists(st.lists(small, min_size=8, max_size=8), min_size=1, max_size=5))
def test_intake_plan_on_random_counts(numbers):
    plan = IntakePlan(
        on=TERMS[0].start,
        terms=TERMS,
        rows=[_plan_row(i, n) for i, n in enumerate(numbers)],
        seats=[TermSeats(t, 20, 3) for t in TERMS],
    )
    table = plan_table(plan, exact=False, regional=True, total_label="Regionen")
    pub = Published()
    columns = ("in_scope", "done", "begun", "later", "no_deadline")
    lines = [*table.rows, table.total]
    for line in lines:
        keys = {c: pub.add((line.label, c), getattr(line, c)) for c in columns}
        starts = [
            pub.add((line.label, "s", t.index), n) for t, n in zip(TERMS, line.starts, strict=True)
        ]
        cumulative = [
            pub.add((line.label, "c", t.index), n)
            for t, n in zip(TERMS, line.cumulative, strict=True)
        ]
        pub.total(keys["in_scope"], [keys[c] for c in columns[1:]] + starts)
        pub.series(starts, cumulative)
    for key in list(pub.shown):
        if key[0] == "Regionen":
            pub.total(key, [(line.label, *key[1:]) for line in table.rows])
    for need, shown in table.need_rows:
        pub.add(("Regionen", "s", need.term.index), shown)
    _audit(pub)


def _grid(values, hp):
    municipalities = [_municipality(i) for i in range(len(values))]
    rows = []
    for m, row in zip(municipalities, values, strict=True):
        if hp:
            cells = [Cell(Decimal("7.5") * n, n) for n in row]
            total = Cell(sum((c.value for c in cells), Decimal(0)), max(row) if row else 0)
        else:
            cells = [Cell(n, n) for n in row]
            total = Cell(max(row), max(row))
        rows.append(GridRow(label=m.name, municipality=m, cells=cells, total=total))
    column = [
        Cell(
            sum((r.cells[i].value for r in rows), Decimal(0) if hp else 0),
            sum(v[i] for v in values),
        )
        for i in range(len(TERMS))
    ]
    grand = Cell(
        sum((r.total.value for r in rows), Decimal(0) if hp else 0),
        sum(r.total.people for r in rows),
    )
    return rows, GridRow(label="Regionen", cells=column, total=grand)


grids = st.lists(st.lists(small, min_size=4, max_size=4), min_size=1, max_size=6)
ratios = st.tuples(small, small).map(lambda t: Ratio(t[0], t[0] + t[1]))


@SETTINGS
@given(grids, grids, st.lists(ratios, min_size=1, max_size=3), st.lists(ratios, max_size=5))
def test_key_figures_file_on_random_figures(trained, credits, courses, compliance):
    trained_rows, trained_total = _grid(trained, hp=False)
    credit_rows, credit_total = _grid(credits, hp=True)
    municipalities = [_municipality(i) for i in range(len(compliance))]
    kf = KeyFigures(
        region="Region",
        on=TERMS[-1].end,
        terms=TERMS,
        trained=trained_rows,
        trained_total=trained_total,
        credits=credit_rows,
        credits_total=credit_total,
        courses=[
            CourseFigure(SimpleNamespace(pk=i, title=f"Kurs {i}"), r.part, r.whole - r.part)
            for i, r in enumerate(courses)
        ],
        completion=[CohortFigure(24, courses[0])],
        retention=[CohortFigure(12, courses[-1])],
        evaluation_responses=0,
        evaluation=[],
        compliance=[
            ComplianceFigure(m, r) for m, r in zip(municipalities, compliance, strict=True)
        ],
        compliance_total=Ratio(sum(r.part for r in compliance), sum(r.whole for r in compliance)),
    )
    with translation.override("sv"):
        table = key_figures_table([disclosed_key_figures(kf)])
    pub = Published()
    key_figure_file(pub, table.rows)
    _audit(pub)
