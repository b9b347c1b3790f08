"""Disclosure control: what an aggregate may show to someone without person-level rights.

Every table, share, mean, cumulative series and chart that the council (or anyone who
may not see the people behind a figure) is shown passes through a `Disclosure`:

- *primary suppression*: a figure made by one to four people is hidden ("<5"), and so is
  every share or mean computed on such a group;
- *secondary suppression*: the figures of an output are tied together by the sums it
  shows (a row and its total, a column and the region, a cumulative series and its
  steps, the same figure in two tables of one page or report). Further figures are hidden
  ("x") until no hidden figure can be worked out from what is shown: neither exactly, by
  combining the sums, nor by narrowing it down to one value with what a reader knows of
  the hidden figures ("<5" is one to four, "x" any figure). Where "<5" itself tells
  too much (four steps of "<5" that add up to "<5" are all one), the group is shown as
  "x".

Shares are shown only when both the part and the whole are shown, so a share never tells
more than the counts beside it. The caller says what is shown and how the figures add up;
the function returns what to print, and templates and exports never decide what to hide.

The libraries for statistical disclosure control that check research outputs (such as
ACRO) check one table at a time for thresholds and leave complementary suppression to a
person; they also bring a data-analysis stack into each web request. The rule here is
small, exact and needs nothing beyond the standard library.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import MAX_PREC, Context, Decimal, Inexact
from fractions import Fraction

MIN_GROUP = 5
HIDDEN = "<5"
WITHHELD = "x"
NO_FIGURE = "–"


def is_small(people) -> bool:
    """A group of one to four people: too small to show a figure for."""
    return people is not None and 0 < people < MIN_GROUP


def suppressed(count):
    """A count alone on a page, tied to nothing else: "<5" for one to four people."""
    if count is None:
        return ""
    return HIDDEN if is_small(count) else count


@dataclass
class Protected:
    """The figures of one output as they may be shown."""

    values: dict
    primary: set
    secondary: set
    exact: bool = False

    def hidden(self, key) -> bool:
        return key in self.primary or key in self.secondary

    def shown(self, key):
        if key in self.secondary:
            return WITHHELD
        if key in self.primary:
            return HIDDEN
        return self.values[key]

    def share(self, part_key, whole_key) -> str:
        """The part's share of the whole in whole percent, shown only when both are."""
        if self.hidden(part_key) or self.hidden(whole_key):
            return WITHHELD
        whole = self.values[whole_key]
        if not whole:
            return NO_FIGURE
        return f"{self.percent(part_key, whole_key)} %"

    def percent(self, part_key, whole_key) -> int | None:
        if self.hidden(part_key) or self.hidden(whole_key) or not self.values[whole_key]:
            return None
        return round(100 * self.values[part_key] / self.values[whole_key])


@dataclass
class Disclosure:
    """Collects the figures of one output and how they add up, then protects them.

    `exact` is for a viewer with person-level rights to every group: nothing is hidden.
    """

    exact: bool = False
    values: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)
    counts: set = field(default_factory=set)

    def figure(self, key, value, people=None):
        """A figure made by `people` people (a count is made by as many as it counts).
        The same key names the same figure wherever it appears in the output."""
        self.values[key] = value
        self.people[key] = value if people is None else people
        if people is None:
            self.counts.add(key)
        return key

    def total(self, key, parts):
        """That figure `key` is the sum of the figures `parts`."""
        parts = list(parts)
        if parts and key not in parts:
            self.relations.append((key, parts))
        return key

    def series(self, steps, cumulative):
        """That each figure of `cumulative` is the sum of `steps` up to it."""
        previous = None
        for step, running in zip(steps, cumulative, strict=True):
            self.total(running, [step] if previous is None else [previous, step])
            previous = running

    def protect(self) -> Protected:
        if self.exact:
            return Protected(dict(self.values), set(), set(), exact=True)
        primary = {k for k, n in self.people.items() if is_small(n)}
        secondary: set = set()
        ties = _Ties(self.relations, primary)
        while True:
            small = primary - secondary
            extra = self._complement(ties)
            if extra is None:
                extra = self._unpin(ties.hidden, small)
            if extra is None:
                return Protected(dict(self.values), primary, secondary)
            secondary.add(extra)
            ties.hide(extra)

    # --- Secondary suppression -------------------------------------------------------

    def _candidate(self, members, hidden, small=frozenset()):
        """The figure to withhold beside a hidden one: the smallest shown figure above
        zero, a part before a total; else a shown zero; else (`small`) a "<5" whose being
        one to four is what pins a figure, to be shown as "x" instead."""
        shown = [(i, k) for i, k in enumerate(members) if k not in hidden]
        for tier in (
            [(i, k) for i, k in shown if self.values[k]],
            shown,
            [(i, k) for i, k in enumerate(members) if k in small],
        ):
            if tier:
                return min(tier, key=lambda item: (self.values[item[1]], item[0] == 0))[1]
        return None

    def _complement(self, ties):
        """A relation with a single hidden figure gives it away: hide one more (the first
        such relation, in the order they were declared)."""
        for index in ties.single():
            candidate = self._candidate(ties.members[index], ties.hidden)
            if candidate is not None:
                return candidate
        return None

    def _unpin(self, hidden, small):
        """A hidden figure that the sums pin to one value: withhold one more figure in the
        nearest sum that ties it to others, going out through hidden figures."""
        pinned = pinned_figures(self.values, self.relations, hidden, small, self.counts)
        reached, frontier, seen = set(pinned), set(pinned), set()
        while frontier:
            nearest = []
            for index, (total, parts) in enumerate(self.relations):
                members = [total, *parts]
                if index not in seen and any(k in frontier for k in members):
                    seen.add(index)
                    nearest.append(members)
            for members in nearest:
                candidate = self._candidate(members, hidden, small)
                if candidate is not None:
                    return candidate
            frontier = {k for m in nearest for k in m if k in hidden} - reached
            reached |= frontier
        return None


class _Ties:
    """The sums of an output with how many hidden figures each holds, kept up to date as
    figures are hidden one at a time, so that finding the sums that give a figure away
    reads a count per sum instead of every figure of every sum."""

    def __init__(self, relations, hidden):
        self.members = [[total, *parts] for total, parts in relations]
        self.hidden = set(hidden)
        self.containing = defaultdict(list)
        for index, members in enumerate(self.members):
            for key in members:
                self.containing[key].append(index)
        self.counts = [sum(1 for k in members if k in self.hidden) for members in self.members]

    def hide(self, key) -> None:
        if key not in self.hidden:
            self.hidden.add(key)
            for index in self.containing[key]:
                self.counts[index] += 1

    def single(self):
        """The sums with exactly one hidden figure, in order."""
        return (index for index, n in enumerate(self.counts) if n == 1)


# --- What a reader can work out ------------------------------------------------------


# Sums of figures in decimal arithmetic that never rounds: hp carry a decimal, and a sum
# of them read as one fraction at the end costs one conversion instead of one a figure.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact])


def _decimal(value) -> int | Decimal:
    """A figure as an exact number: counts stay integers, hp stay decimals, anything else
    (a mean) becomes the decimal it prints as."""
    return value if isinstance(value, int | Decimal) else Decimal(str(value))


def _exact_sum(terms) -> int | Fraction:
    """sum(c · value) over (c, value), exactly: an integer, or a fraction when a value
    carries a decimal."""
    total = _EXACT.create_decimal(0)
    whole = 0
    for c, value in terms:
        value = _decimal(value)
        if isinstance(value, int):
            whole += c * value
        else:
            total = _EXACT.add(total, _EXACT.multiply(c, value))
    return whole + Fraction(total) if total else whole


def pinned_figures(values, relations, hidden, small, counts) -> set:
    """The hidden figures a reader can work out from the shown ones and the sums: by
    solving the sums exactly, or by narrowing each figure's range to a single value."""
    if not hidden:
        return set()
    rows = [{total: 1, **dict.fromkeys(parts, -1)} for total, parts in relations]
    return determined(rows, hidden) | _narrowed(values, rows, hidden, small, counts)


def _divided(value, factor):
    """value / factor, exact: a whole number while it is one (the coefficients are ±1, so
    most steps stay in integers, far cheaper than fractions)."""
    if isinstance(value, int) and isinstance(factor, int) and value % factor == 0:
        return value // factor
    return Fraction(value) / factor


def determined(rows, hidden) -> set:
    """The hidden figures that the linear relations (each {key: coefficient}, summing to
    zero) fix whatever the shown figures are: those whose unit vector lies in the row
    space of the relations restricted to the hidden figures (reduced row echelon form)."""
    columns = sorted(hidden, key=repr)
    index = {k: i for i, k in enumerate(columns)}
    matrix = []
    for row in rows:
        vector = {index[k]: c for k, c in row.items() if k in index and c}
        if vector:
            matrix.append(vector)
    pivots = []
    free = list(matrix)
    for column in range(len(columns)):
        found = next((i for i, r in enumerate(free) if column in r), None)
        if found is None:
            continue
        pivot = free.pop(found)
        factor = pivot[column]
        for key in list(pivot):
            pivot[key] = _divided(pivot[key], factor)
        for other in matrix:
            if other is not pivot and column in other:
                scale = other[column]
                for key, value in pivot.items():
                    other[key] = other.get(key, 0) - scale * value
                    if not other[key]:
                        del other[key]
        pivots.append(pivot)
    return {columns[next(iter(r))] for r in pivots if len(r) == 1}


def _narrowed(values, rows, hidden, small, counts) -> set:
    """Interval reasoning: a count shown as "<5" is 1–4, any other hidden figure is at
    least 0; each sum narrows the range of each hidden figure in it, until nothing
    changes.

    Exact in integers: every sum has coefficients ±1, so scaling all figures by the
    common denominator of the shown ones (hp carry a decimal) keeps every bound whole.
    A sum is visited again only when a range in it changed since its last visit; the
    others would change nothing, so the result is the same as visiting all of them."""
    relations = []
    for row in rows:
        terms = [(k, c) for k, c in row.items() if k in hidden]
        if terms:
            rest = -_exact_sum((c, values[k]) for k, c in row.items() if k not in hidden)
            relations.append((terms, rest))
    scale = math.lcm(*(rest.denominator for _terms, rest in relations)) if relations else 1
    low, high = {}, {}
    for key in hidden:
        shown_small = key in small and key in counts
        low[key] = scale if shown_small else 0
        high[key] = (MIN_GROUP - 1) * scale if shown_small else None
    relations = [(terms, int(rest * scale)) for terms, rest in relations]
    touching = defaultdict(list)
    for index, (terms, _rest) in enumerate(relations):
        for key, _c in terms:
            touching[key].append(index)
    stale = [True] * len(relations)
    for _round in range(50):
        changed = False
        for index, (terms, rest) in enumerate(relations):
            if not stale[index]:
                continue
            stale[index] = False
            for key in _narrow_once(terms, rest, low, high):
                changed = True
                for other in touching[key]:
                    stale[other] = True
        if not changed:
            break
    return {k for k in hidden if high[k] is not None and low[k] == high[k]}


def _span(coefficient, lo, hi):
    """The range of coefficient·x for x in [lo, hi] (hi None: unbounded), coefficient ±1."""
    if coefficient > 0:
        return lo, hi
    return None if hi is None else -hi, -lo


def _add(total, unbounded, bound, sign=1):
    """Adds (sign 1) or takes away (sign −1) a bound to a running sum of bounds that
    counts the unbounded ones apart."""
    if bound is None:
        return total, unbounded + sign
    return total + sign * bound, unbounded


def _narrow_once(terms, rest, low, high) -> list:
    """sum(c·x over the hidden x of the sum) = rest: bound each x by the others' ranges,
    one figure after the other, each seeing the bounds already narrowed. The others'
    range is the whole sum's less the figure's own, so a sum of n figures costs n steps.
    Returns the figures whose range changed."""
    sum_low = sum_high = open_low = open_high = 0
    for key, c in terms:
        a, b = _span(c, low[key], high[key])
        sum_low, open_low = _add(sum_low, open_low, a)
        sum_high, open_high = _add(sum_high, open_high, b)
    changed = []
    for key, c in terms:
        a, b = _span(c, low[key], high[key])
        others_low = None if open_low - (a is None) else sum_low - (a or 0)
        others_high = None if open_high - (b is None) else sum_high - (b or 0)
        # c·x = rest − others, with others in [others_low, others_high]; 1/c is c.
        bounds = [
            None if others_high is None else (rest - others_high) * c,
            None if others_low is None else (rest - others_low) * c,
        ]
        if c < 0:
            bounds.reverse()
        new_low, new_high = bounds
        moved = False
        if new_low is not None and new_low > low[key]:
            low[key], moved = new_low, True
        if new_high is not None and (high[key] is None or new_high < high[key]):
            high[key], moved = new_high, True
        if moved:
            changed.append(key)
            new_a, new_b = _span(c, low[key], high[key])
            sum_low, open_low = _add(*_add(sum_low, open_low, a, -1), new_a)
            sum_high, open_high = _add(*_add(sum_high, open_high, b, -1), new_b)
    return changed


def grid(disclosure: Disclosure, rows, columns, cell, row_total, column_total, total):
    """Declares a table's figures with its margins: `cell(r, c)`, `row_total(r)`,
    `column_total(c)` and `total()` each give (key, value, people)."""
    by_column = defaultdict(list)
    for r in rows:
        keys = [disclosure.figure(*cell(r, c)) for c in columns]
        for c, key in zip(columns, keys, strict=True):
            by_column[c].append(key)
        disclosure.total(disclosure.figure(*row_total(r)), keys)
    column_keys = [disclosure.figure(*column_total(c)) for c in columns]
    for c, key in zip(columns, column_keys, strict=True):
        disclosure.total(key, by_column[c])
    grand = disclosure.figure(*total())
    disclosure.total(grand, column_keys)
    disclosure.total(grand, [row_total(r)[0] for r in rows])
    return grand
