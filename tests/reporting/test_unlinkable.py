"""Evaluation answers that no one can match to their respondent, even with the database.

Managers answer through the real answer view; then someone with full access to the
database tries every way to match answers to respondents: the transaction id (`xmin`),
the physical order (`ctid`, which is also the order of a `pg_dump`), timestamps and
sequences, and the pending store before the answers are released.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import DateField, DateTimeField
from django.urls import reverse
from django.utils import timezone

from enrolment.models import EnrolmentState
from portal.accounts.models import Role
from programmes.models import OfferingState
from reporting.evaluations.models import (
    Answer,
    EvaluationRound,
    PendingResponse,
    QuestionKind,
    Respondent,
    Response,
)
from reporting.evaluations.tasks import release_closed_rounds
from tests import factories as f

ANSWERS = 6
ROUNDS = 3


def _rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _answer_round(client, world, questionnaire, term):
    today = timezone.localdate()
    offering = f.OfferingFactory(
        course=world.courses["new"], term=term, state=OfferingState.RUNNING
    )
    evaluation = EvaluationRound.objects.create(
        offering=offering,
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=14),
    )
    text_question = questionnaire.questions.filter(kind=QuestionKind.TEXT).first()
    who = {}
    for number in range(ANSWERS):
        user = f.UserFactory()
        f.RoleAssignmentFactory(user=user, role=Role.MANAGER)
        participant = f.ParticipantFactory(municipality=world.borlange, user=user)
        f.EnrolmentFactory(
            participant=participant, offering=offering, state=EnrolmentState.REGISTERED
        )
        marker = f"svar-{term}-{number}"
        data = {
            f"q{q.pk}": (1 + number % 5 if q.kind == QuestionKind.LIKERT else marker)
            for q in questionnaire.questions.all()
        }
        client.force_login(user)
        response = client.post(reverse("evaluations:answer", args=[evaluation.pk]), data)
        assert response.status_code == 302
        who[marker] = participant.pk
    return evaluation, text_question, who


def _pending_store_tells_nothing(evaluation, who):
    assert not Response.objects.filter(round=evaluation).exists()
    sealed = [bytes(p.sealed) for p in PendingResponse.objects.filter(round=evaluation)]
    assert len(sealed) == ANSWERS
    assert len({len(s) for s in sealed}) == 1  # padded: free text of any length looks alike
    for marker in who:
        assert all(marker.encode() not in s for s in sealed)


def _order_attack(evaluation, text_question, who) -> int:
    """Pair respondents and answers by physical order (as `pg_dump` writes them)."""
    respondents = [
        pk
        for (pk,) in _rows(
            "SELECT participant_id FROM evaluations_respondent "
            f"WHERE round_id = {evaluation.pk} ORDER BY ctid"
        )
    ]
    texts = [
        text
        for (text,) in _rows(
            "SELECT text FROM evaluations_answer "
            f"WHERE question_id = {text_question.pk} AND text LIKE 'svar-%%' ORDER BY ctid"
        )
        if text in who
    ]
    assert len(texts) == ANSWERS
    return sum(who[text] == pk for text, pk in zip(texts, respondents, strict=True))


@pytest.mark.django_db(transaction=True)
def test_answers_given_through_the_view_cannot_be_linked(client, world, questionnaire):
    order_matches = 0
    for index in range(ROUNDS):
        evaluation, text_question, who = _answer_round(
            client, world, questionnaire, f"VT202{index}"
        )
        # Before release: the answers wait sealed, none of them readable.
        _pending_store_tells_nothing(evaluation, who)
        EvaluationRound.objects.filter(pk=evaluation.pk).update(
            closes_on=timezone.localdate() - timedelta(days=1)
        )
        release_closed_rounds()
        assert not PendingResponse.objects.exists()
        assert Response.objects.filter(round=evaluation).count() == ANSWERS

        # xmin: every answer of the batch was written in one transaction of its own.
        respondent_xmins = {
            x
            for (x,) in _rows(
                f"SELECT xmin::text FROM evaluations_respondent WHERE round_id = {evaluation.pk}"
            )
        }
        answer_xmins = {
            x
            for (x,) in _rows(
                "SELECT r.xmin::text FROM evaluations_response r "
                f"WHERE r.round_id = {evaluation.pk} UNION "
                "SELECT a.xmin::text FROM evaluations_answer a JOIN evaluations_response r "
                f"ON a.response_id = r.id WHERE r.round_id = {evaluation.pk}"
            )
        }
        assert len(respondent_xmins) == ANSWERS
        assert len(answer_xmins) == 1 and not answer_xmins & respondent_xmins
        order_matches += _order_attack(evaluation, text_question, who)

    # Matching by physical order does no better than chance (one in six on average;
    # the bound fails by chance about once in a million runs).
    assert order_matches <= ROUNDS * ANSWERS // 2

    # No time and no sequence on the answers: keys are random, and there is no date.
    for model in (Response, Answer, PendingResponse):
        fields = model._meta.get_fields()
        assert not [f for f in fields if isinstance(f, DateField | DateTimeField)]
        assert model._meta.pk.get_internal_type() == "UUIDField"
    assert Respondent.objects.count() == ROUNDS * ANSWERS
