"""Passwords that Swedish municipal staff choose first, and attackers try first.

Django's common-password list is English. This validator refuses what guessing lists for
Swedish workplaces begin with: seasons and months with a year, the municipality, the
region, "kommun", "välkommen" and the like, whatever the case, accents, digits and signs
around them, and any two of them joined ("Borlängekommun2026!").
"""

import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programmes.models import Municipality, Region

WORDS_FILE = Path(__file__).with_name("local_passwords.txt")
WORDS = {
    word
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
}


def _letters(text: str) -> str:
    """Lower case letters only, without accents: `Höst-2026!` gives `host`."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if ch.isalpha() and ch.isascii())


def _words() -> set[str]:
    names = [*Municipality.objects.values_list("name", flat=True)]
    names += Region.objects.values_list("name", flat=True)
    return {_letters(word) for word in [*WORDS, *names]} - {""}


def _guessable(letters: str, words: set[str]) -> bool:
    if not letters or letters in words:
        return True
    return any(letters[:cut] in words and letters[cut:] in words for cut in range(1, len(letters)))


class LocalWordValidator:
    def validate(self, password, user=None):
        if _guessable(_letters(password), _words()):
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is a season, month, place or "
                    "workplace word with digits or signs around it."
                ),
                code="password_local_word",
            )

    def get_help_text(self):
        return _(
            "Your password cannot be a season, month, place or workplace word with digits or "
            "signs around it."
        )
