"""An attacker on aggregate outputs: tries to work out the hidden figures from the shown ones.

It knows what a reader of a page, file or report knows: the figures as printed ("<5" is
one to four, "x" any figure withheld), how they add up (row and
column sums, totals, cumulative series, the same figure in two tables, given as
relations), and the shares printed beside them. It recovers a hidden figure when

- the sums fix it whatever the other hidden figures are (linear algebra over the
  rationals: the figure's column is independent of the others in the system), or
- its range, narrowed by every sum and share until nothing changes, holds one value.

It is written apart from `portal.disclosure`, which must defeat it.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser

SMALL, OTHER = "<5", "x"


@dataclass
class Published:
    """One output as a reader sees it."""

    shown: dict = field(default_factory=dict)  # key -> number, "<5" or "x"
    relations: list = field(default_factory=list)  # (total key, [part keys])
    shares: list = field(default_factory=list)  # (part key, whole key, printed share)
    amounts: set = field(default_factory=set)  # keys that are sums (hp), not counts

    def add(self, key, text):
        """A printed figure; the same key printed twice must read the same."""
        value = parse(text)
        if key in self.shown:
            assert self.shown[key] == value, (key, self.shown[key], value)
        self.shown[key] = value
        return key

    def total(self, key, parts):
        self.relations.append((key, list(parts)))

    def series(self, steps, cumulative):
        for i, running in enumerate(cumulative):
            self.total(running, [steps[0]] if i == 0 else [cumulative[i - 1], steps[i]])

    @property
    def hidden(self):
        return {k for k, v in self.shown.items() if v in (SMALL, OTHER)}


def parse(text):
    text = str(text).replace("&lt;", "<").replace("\xa0", " ").strip()
    if text in (SMALL, OTHER):
        return text
    number = text.replace("%", "").replace(" ", "").replace(",", ".")
    if re.fullmatch(r"-?\d+(\.\d+)?", number):
        return Fraction(Decimal(number))
    return text


PRIME = 2**61 - 1


def _rank(rows, columns) -> int:
    """The rank of the relations over the hidden figures, computed modulo a large prime
    (the coefficients are small integers, so it is the rank over the rationals)."""
    matrix = [[row.get(c, 0) % PRIME for c in columns] for row in rows]
    rank = 0
    for col in range(len(columns)):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        inverse = pow(matrix[rank][col], PRIME - 2, PRIME)
        top = [a * inverse % PRIME for a in matrix[rank]]
        matrix[rank] = top
        for r in range(rank + 1, len(matrix)):
            factor = matrix[r][col]
            if factor:
                matrix[r] = [(a - factor * b) % PRIME for a, b in zip(matrix[r], top, strict=True)]
        rank += 1
    return rank


def _linear(pub: Published) -> set:
    hidden = sorted(pub.hidden, key=repr)
    rows = []
    for total, parts in pub.relations:
        row = {}
        for key, sign in [(total, 1), *((p, -1) for p in parts)]:
            if key in pub.hidden:
                row[key] = row.get(key, 0) + sign
        if any(row.values()):
            rows.append(row)
    if not rows:
        return set()
    full = _rank(rows, hidden)
    return {k for k in hidden if _rank(rows, [c for c in hidden if c != k]) < full}


def _bounds(pub: Published):
    low, high = {}, {}
    for key in pub.hidden:
        counted = key not in pub.amounts
        small = pub.shown[key] == SMALL
        low[key] = Fraction(1) if small and counted else Fraction(0)
        high[key] = Fraction(4) if small and counted else math.inf
    for part, whole, share in pub.shares:
        percent = parse(share)
        if not isinstance(percent, Fraction) or part not in low or whole in low:
            continue
        w = pub.shown[whole]
        low[part] = max(low[part], Fraction(math.ceil((percent - Fraction(1, 2)) * w / 100)))
        high[part] = min(high[part], Fraction(math.floor((percent + Fraction(1, 2)) * w / 100)))
    return low, high


def _intervals(pub: Published) -> set:
    low, high = _bounds(pub)
    for _round in range(100):
        changed = False
        for total, parts in pub.relations:
            terms = [(total, 1), *((p, -1) for p in parts)]
            known = sum(s * pub.shown[k] for k, s in terms if k not in low)
            unknown = [(k, s) for k, s in terms if k in low]
            for key, sign in unknown:
                rest = [(k, s) for k, s in unknown if k != key]
                # sign·x = −known − Σ s·y over the rest
                lo_rest = sum(s * (low[k] if s > 0 else high[k]) for k, s in rest)
                hi_rest = sum(s * (high[k] if s > 0 else low[k]) for k, s in rest)
                a, b = -known - hi_rest, -known - lo_rest
                lo, hi = (a, b) if sign > 0 else (-b, -a)
                if key not in pub.amounts:
                    lo = math.ceil(lo) if lo != -math.inf else lo
                    hi = math.floor(hi) if hi != math.inf else hi
                if lo > low[key]:
                    low[key], changed = lo, True
                if hi < high[key]:
                    high[key], changed = hi, True
        if not changed:
            break
    return {k for k in low if low[k] == high[k]}


def recovered(pub: Published) -> set:
    """The hidden figures the attacker works out."""
    if not pub.hidden:
        return set()
    return _linear(pub) | _intervals(pub)


def key_figure_file(pub: Published, rows):
    """The key-figure file: (region, figure, municipality, term, subject, value, out of,
    share). Municipalities add up to the region; hp add up over the terms."""
    parts = {}
    for _region, figure, municipality, term, subject, value, whole, share in rows:
        key = (figure, municipality, term, subject)
        pub.add((*key, "value"), value)
        if figure.startswith("hp"):
            pub.amounts.add((*key, "value"))
        if whole not in ("", None):
            pub.add((*key, "whole"), whole)
            pub.shares.append(((*key, "value"), (*key, "whole"), share))
        if municipality and municipality != "Regionen":
            for kind in ("value", "whole"):
                if (*key, kind) in pub.shown:
                    parts.setdefault((figure, term, subject, kind), []).append((*key, kind))
    for (figure, term, subject, kind), keys in parts.items():
        region = (figure, "Regionen", term, subject, kind)
        if region in pub.shown:
            pub.total(region, keys)
    by_row = {}
    for figure, municipality, term, subject, kind in list(pub.shown):
        if figure.startswith("hp") and term != "Alla terminer":
            by_row.setdefault((figure, municipality, subject), []).append(
                (figure, municipality, term, subject, kind)
            )
    for (figure, municipality, subject), keys in by_row.items():
        pub.total((figure, municipality, "Alla terminer", subject, "value"), keys)


# --- Reading tables out of HTML -------------------------------------------------------


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._cell, self._row = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"attrs": dict(attrs), "rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1]["rows"].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[dict]:
    """Each table of a page: its attributes and its rows of cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables
