"""Terms (terminer) as the Swedish universities name them: HT2025 (autumn), VT2026 (spring)."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TERM_RE = re.compile(r"^(HT|VT)(\d{4})$")


@dataclass(frozen=True, order=True)
class Term:
    year: int
    autumn: bool

    @classmethod
    def parse(cls, value: str) -> "Term":
        match = TERM_RE.match((value or "").strip().upper())
        if not match or not 1990 <= int(match[2]) <= 2100:
            raise ValidationError(
                _("Enter a term such as HT2025 or VT2026."), code="invalid_term", params={}
            )
        return cls(year=int(match[2]), autumn=match[1] == "HT")

    @classmethod
    def of(cls, day: date) -> "Term":
        """The term a day falls in: VT from January to June, HT from July."""
        return cls(year=day.year, autumn=day.month >= 7)

    def __str__(self):
        return f"{'HT' if self.autumn else 'VT'}{self.year}"

    @property
    def index(self) -> int:
        """A number that grows by one per term, for arithmetic on terms."""
        return self.year * 2 + (1 if self.autumn else 0)

    @classmethod
    def from_index(cls, index: int) -> "Term":
        return cls(year=index // 2, autumn=bool(index % 2))

    def shift(self, terms: int) -> "Term":
        return Term.from_index(self.index + terms)

    @property
    def start(self) -> date:
        return date(self.year, 8, 28) if self.autumn else date(self.year, 1, 19)

    @property
    def end(self) -> date:
        return date(self.year + 1, 1, 18) if self.autumn else date(self.year, 6, 7)


def validate_term(value: str) -> None:
    Term.parse(value)


def term_range(first: str, last: str) -> list[Term]:
    a, b = Term.parse(first), Term.parse(last)
    return [Term.from_index(i) for i in range(a.index, b.index + 1)]
