"""The pending store of evaluation answers: sealed until released in shuffled batches.

A participant's answers are sealed (encrypted, padded to a fixed size) beside their
respondent mark. They are released into Response and Answer rows, in an order drawn at
random and in a transaction of their own, only in batches of at least `BATCH` answers:
while a round is open, whenever at least two batches' worth wait, all but one batch's
worth are released, picked at random; when the round has closed, all that wait. So every
released answer shares its transaction, its time and its place on disk with at least
four others, and someone with the whole database cannot tell whose it is.
"""

import base64
import hashlib
import json
import secrets
from datetime import date

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction

from portal.disclosure import MIN_GROUP

from .models import Answer, EvaluationRound, PendingResponse, Response

BATCH = MIN_GROUP
PADDING = 1024


def _fernet() -> Fernet:
    secret = f"evaluations.pending:{settings.SECRET_KEY}".encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))


def seal(*, municipality_id: int, answers: list[tuple[int, int | None, str]]) -> bytes:
    plain = json.dumps({"m": municipality_id, "a": answers}).encode()
    padded = plain + b" " * (-len(plain) % PADDING)
    return _fernet().encrypt(padded)


def _unseal(sealed) -> dict:
    return json.loads(_fernet().decrypt(bytes(sealed)))


def pending_release(*, evaluation_round: EvaluationRound, closing: bool = False) -> int:
    """Release a batch of a round's pending answers, if one is due; returns how many."""
    with transaction.atomic():
        pending = list(
            PendingResponse.objects.select_for_update(skip_locked=True).filter(
                round=evaluation_round
            )
        )
        if closing:
            chosen = pending
        elif len(pending) >= 2 * BATCH:
            chosen = secrets.SystemRandom().sample(pending, len(pending) - BATCH)
        else:
            return 0
        secrets.SystemRandom().shuffle(chosen)
        responses, answers = [], []
        for item in chosen:
            content = _unseal(item.sealed)
            response = Response(round=evaluation_round, municipality_id=content["m"])
            responses.append(response)
            answers += [
                Answer(response=response, question_id=q, value=v, text=t)
                for q, v, t in content["a"]
            ]
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers)
        PendingResponse.objects.filter(pk__in=[p.pk for p in chosen]).delete()
    return len(chosen)


def pending_release_closed(*, on: date) -> int:
    """Release what waits for every round that has closed by the day."""
    rounds = EvaluationRound.objects.filter(
        closes_on__lt=on, pk__in=PendingResponse.objects.values("round")
    )
    return sum(pending_release(evaluation_round=r, closing=True) for r in rounds)
