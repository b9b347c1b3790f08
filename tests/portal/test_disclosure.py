"""Disclosure control on random tables: the auditor recovers no hidden figure."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.disclosure import (
    HIDDEN,
    WITHHELD,
    Disclosure,
    _narrowed,
    determined,
    grid,
    pinned_figures,
    suppressed,
)
from tests.auditor import Published, recovered

# Mostly small counts, as in a region of small municipalities, with zeros and larger ones.
counts = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(5, 40))
grids = (
    st.integers(1, 5)
    .flatmap(
        lambda n_rows: st.lists(
            st.lists(counts, min_size=1, max_size=5).map(tuple), min_size=n_rows, max_size=n_rows
        )
    )
    .filter(lambda rows: len({len(r) for r in rows}) == 1)
)

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _published_grid(values, protected, with_series=False):
    rows, columns = range(len(values)), range(len(values[0]))
    pub = Published()
    for r in rows:
        for c in columns:
            pub.add((r, c), protected.shown((r, c)))
        pub.add((r, "T"), protected.shown((r, "T")))
        pub.total((r, "T"), [(r, c) for c in columns])
    for c in columns:
        pub.add(("T", c), protected.shown(("T", c)))
        pub.total(("T", c), [(r, c) for r in rows])
    pub.add(("T", "T"), protected.shown(("T", "T")))
    pub.total(("T", "T"), [("T", c) for c in columns])
    pub.total(("T", "T"), [(r, "T") for r in rows])
    if with_series:
        steps = [("T", c) for c in columns]
        running = [("C", c) for c in columns]
        for key in running:
            pub.add(key, protected.shown(key))
        pub.series(steps, running)
    return pub


def _declared_grid(values, with_series=False) -> Disclosure:
    d = Disclosure()
    rows, columns = range(len(values)), range(len(values[0]))
    grid(
        d,
        rows,
        columns,
        lambda r, c: ((r, c), values[r][c], None),
        lambda r: ((r, "T"), sum(values[r]), None),
        lambda c: (("T", c), sum(v[c] for v in values), None),
        lambda: (("T", "T"), sum(map(sum, values)), None),
    )
    if with_series:
        running, cumulative = 0, []
        for c in columns:
            running += sum(v[c] for v in values)
            cumulative.append(d.figure(("C", c), running))
        d.series([("T", c) for c in columns], cumulative)
    return d


def _protect_grid(values, with_series=False):
    return _declared_grid(values, with_series).protect()


@FAST
@given(grids, st.booleans())
def test_no_hidden_cell_of_a_random_table_can_be_recovered(values, with_series):
    protected = _protect_grid(values, with_series)
    pub = _published_grid(values, protected, with_series)
    assert not recovered(pub)
    # Every group of one to four is hidden ("<5", or "x" where "<5" would tell too much),
    # and nothing else is shown as "<5".
    for key, value in protected.values.items():
        if 0 < value < 5:
            assert protected.shown(key) in (HIDDEN, WITHHELD)
        else:
            assert protected.shown(key) != HIDDEN


@FAST
@given(grids)
def test_a_share_is_shown_only_beside_both_its_counts(values):
    protected = _protect_grid(values)
    for r in range(len(values)):
        share = protected.share((r, 0), (r, "T"))
        if protected.hidden((r, 0)) or protected.hidden((r, "T")):
            assert share in (HIDDEN, WITHHELD)
        elif sum(values[r]):
            assert share == f"{round(100 * values[r][0] / sum(values[r]))} %"


def test_the_auditor_finds_the_leak_of_primary_suppression_alone():
    """Falun 3 and Borlänge 7 of the region's 10: with only "<5" for Falun, 10 − 7 = 3."""
    pub = Published()
    pub.add("falun", suppressed(3))
    pub.add("borlange", suppressed(7))
    pub.add("region", suppressed(10))
    pub.total("region", ["falun", "borlange"])
    assert recovered(pub) == {"falun"}


def test_the_auditor_reads_a_hidden_count_from_its_share():
    """ "13 | 11 | <5 | 23 %": the share of a hidden count of 13 gives it away."""
    pub = Published()
    pub.add("managers", 13)
    pub.add("completed", HIDDEN)
    pub.shares.append(("completed", "managers", "23 %"))
    assert recovered(pub) == {"completed"}


def test_the_auditor_narrows_two_small_groups_to_one_value():
    """Two "<5" that make 2 together are both 1."""
    pub = Published()
    for key, text in (("a", HIDDEN), ("b", HIDDEN), ("c", 9), ("t", 11)):
        pub.add(key, text)
    pub.total("t", ["a", "b", "c"])
    assert recovered(pub) == {"a", "b"}


def test_the_module_defeats_the_cases_the_auditor_finds():
    d = Disclosure()
    for key, value in (("a", 1), ("b", 1), ("c", 9)):
        d.figure(key, value)
    d.total(d.figure("t", 11), ["a", "b", "c"])
    protected = d.protect()
    pub = Published()
    for key in "abct":
        pub.add(key, protected.shown(key))
    pub.total("t", ["a", "b", "c"])
    assert protected.shown("c") == WITHHELD
    assert not recovered(pub)


def test_a_viewer_with_person_level_rights_sees_every_figure():
    d = Disclosure(exact=True)
    d.total(d.figure("t", 10), [d.figure("a", 3), d.figure("b", 7)])
    protected = d.protect()
    assert [protected.shown(k) for k in "tab"] == [10, 3, 7]


# --- The fast narrowing reasons exactly as the plain one -------------------------------


def _plain_narrowed(values, rows, hidden, small, counts) -> set:
    """The interval reasoning written plainly, in fractions, every sum visited each round
    and each figure's bound summed over the others afresh: what `_narrowed` must equal."""
    low, high = {}, {}
    for key in hidden:
        shown_small = key in small and key in counts
        low[key] = Fraction(1 if shown_small else 0)
        high[key] = Fraction(4) if shown_small else None
    relations = [
        (
            row,
            -sum(c * Fraction(Decimal(str(values[k]))) for k, c in row.items() if k not in hidden),
        )
        for row in rows
    ]
    relations = [(row, rest) for row, rest in relations if any(k in hidden for k in row)]
    for _round in range(50):
        changed = False
        for row, rest in relations:
            terms = [(k, row[k]) for k in row if k in hidden]
            for key, coefficient in terms:
                lows, highs = [], []
                for other, c in terms:
                    if other == key:
                        continue
                    lo, hi = low[other], high[other]
                    a, b = c * lo, None if hi is None else c * hi
                    if c < 0:
                        a, b = None if hi is None else c * hi, c * lo
                    lows.append(a)
                    highs.append(b)
                others_low = None if None in lows else sum(lows)
                others_high = None if None in highs else sum(highs)
                bounds = [
                    None if others_high is None else (rest - others_high) / coefficient,
                    None if others_low is None else (rest - others_low) / coefficient,
                ]
                if coefficient < 0:
                    bounds.reverse()
                new_low, new_high = bounds
                if new_low is not None and new_low > low[key]:
                    low[key], changed = new_low, True
                if new_high is not None and (high[key] is None or new_high < high[key]):
                    high[key], changed = new_high, True
        if not changed:
            break
    return {k for k in hidden if high[k] is not None and low[k] == high[k]}


amounts = st.one_of(counts, st.decimals(0, 60, places=1).map(lambda d: d.normalize()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(amounts, min_size=2, max_size=12),
    sums=st.lists(
        st.tuples(st.integers(0, 11), st.sets(st.integers(0, 11), min_size=1, max_size=6)),
        max_size=8,
    ),
    hidden=st.sets(st.integers(0, 11)),
    small=st.sets(st.integers(0, 11)),
)
def test_fast_narrowing_pins_exactly_what_the_plain_reasoning_pins(values, sums, hidden, small):
    """Whole counts, hp with a decimal, "<5" ranges and sums of any shape: the same
    figures come out pinned, so speed never weakens the secondary suppression."""
    keys = range(len(values))
    figures = dict(zip(keys, values, strict=True))
    relations = [
        (total, sorted(p for p in parts if p in figures and p != total))
        for total, parts in sums
        if total in figures
    ]
    rows = [{t: 1, **dict.fromkeys(parts, -1)} for t, parts in relations if parts]
    hidden = {k for k in hidden if k in figures}
    small = {k for k in small if k in hidden}
    counts = {k for k, v in figures.items() if isinstance(v, int)}
    assert _narrowed(figures, rows, hidden, small, counts) == _plain_narrowed(
        figures, rows, hidden, small, counts
    )


# --- The kept counts find what reading every sum afresh finds ---------------------------


def _plain_determined(rows, hidden) -> set:
    """Gauss-Jordan elimination in fractions throughout: what `determined` must equal."""
    columns = sorted(hidden, key=repr)
    index = {k: i for i, k in enumerate(columns)}
    matrix = [{index[k]: Fraction(c) for k, c in row.items() if k in index and c} for row in rows]
    matrix = [row for row in matrix if row]
    pivots, free = [], list(matrix)
    for column in range(len(columns)):
        found = next((i for i, r in enumerate(free) if column in r), None)
        if found is None:
            continue
        pivot = free.pop(found)
        factor = pivot[column]
        for key in list(pivot):
            pivot[key] /= factor
        for other in matrix:
            if other is not pivot and column in other:
                scale = other[column]
                for key, value in pivot.items():
                    other[key] = other.get(key, 0) - scale * value
                    if not other[key]:
                        del other[key]
        pivots.append(pivot)
    return {columns[next(iter(r))] for r in pivots if len(r) == 1}


def _plain_protect(d: Disclosure):
    """Secondary suppression as its rule reads: each round looks at every sum for one with
    a single hidden figure, else at the pinned figures; what `protect` must equal."""
    primary = {k for k, n in d.people.items() if n is not None and 0 < n < 5}
    secondary = set()
    while True:
        hidden = primary | secondary
        extra = None
        for total, parts in d.relations:
            members = [total, *parts]
            if sum(1 for k in members if k in hidden) == 1:
                extra = d._candidate(members, hidden)
                if extra is not None:
                    break
        if extra is None:
            extra = d._unpin(hidden, primary - secondary)
        if extra is None:
            return primary, secondary
        secondary.add(extra)


@FAST
@given(grids, st.booleans())
def test_kept_counts_withhold_what_every_sum_read_afresh_withholds(values, with_series):
    """The same figures hidden, in the same order of choice, on tables with their margins
    and a cumulative series."""
    protected = _protect_grid(values, with_series)
    d = _declared_grid(values, with_series)
    assert (protected.primary, protected.secondary) == _plain_protect(d)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sums=st.lists(
        st.tuples(st.integers(0, 11), st.sets(st.integers(0, 11), min_size=1, max_size=6)),
        max_size=10,
    ),
    hidden=st.sets(st.integers(0, 11)),
)
def test_elimination_in_integers_pins_what_fractions_pin(sums, hidden):
    rows = [{t: 1, **dict.fromkeys(p - {t}, -1)} for t, p in sums if p - {t}]
    assert determined([dict(r) for r in rows], hidden) == _plain_determined(rows, hidden)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(amounts, min_size=2, max_size=10),
    sums=st.lists(
        st.tuples(st.integers(0, 9), st.sets(st.integers(0, 9), min_size=1, max_size=5)),
        max_size=6,
    ),
    hidden=st.sets(st.integers(0, 9)),
)
def test_hp_with_a_decimal_are_summed_exactly(values, sums, hidden):
    """The shown hp of a sum are added in decimals and read as one fraction: the pinned
    figures are those that adding every figure as a fraction gives."""
    figures = dict(enumerate(values))
    relations = [(t, sorted(p - {t})) for t, p in sums if t in figures and p - {t}]
    relations = [(t, [k for k in p if k in figures]) for t, p in relations]
    relations = [(t, p) for t, p in relations if p]
    hidden = {k for k in hidden if k in figures}
    counts = {k for k, v in figures.items() if isinstance(v, int)}
    rows = [{t: 1, **dict.fromkeys(p, -1)} for t, p in relations]
    plain = _plain_determined(rows, hidden) | _plain_narrowed(figures, rows, hidden, set(), counts)
    assert pinned_figures(figures, relations, hidden, set(), counts) == plain
