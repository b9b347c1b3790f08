"""Writes for course evaluations: questionnaires, rounds, and a participant's answers."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from enrolment.facts import TOOK_COURSE_STATES
from enrolment.models import Participant

from .models import (
    Answer,
    EvaluationRound,
    PendingResponse,
    Question,
    QuestionKind,
    Questionnaire,
    Respondent,
)
from .pending import pending_release, seal


def questionnaire_has_answers(questionnaire: Questionnaire) -> bool:
    return (
        Answer.objects.filter(question__questionnaire=questionnaire).exists()
        or PendingResponse.objects.filter(round__questionnaire=questionnaire).exists()
    )


def questionnaire_save(*, form, formset, region) -> Questionnaire:
    """Save a questionnaire and its questions from the edit form and question formset.

    Once anyone has answered, the questions are fixed, since changing a statement would
    change what the earlier answers mean; the title and the default flag may change.
    """
    questionnaire = form.instance
    if questionnaire.pk and formset.has_changed() and questionnaire_has_answers(questionnaire):
        raise ValidationError(
            _(
                "This questionnaire has been answered, so its questions can no longer change. "
                "Make a copy and change the copy."
            ),
            code="answered",
        )
    with transaction.atomic():
        questionnaire = form.save(commit=False)
        questionnaire.region = region
        if questionnaire.is_default:
            # One default per region: the earlier one gives way.
            Questionnaire.objects.filter(region=region, is_default=True).exclude(
                pk=questionnaire.pk
            ).update(is_default=False)
        questionnaire.save()
        formset.instance = questionnaire
        formset.save(commit=False)
        for question in formset.deleted_objects:
            question.delete()
        kept = [
            (index, f.instance)
            for index, f in enumerate(formset.forms)
            if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
        ]
        kept.sort(key=lambda item: (item[1].position or 10**6, item[0]))
        # Positions become 1, 2, 3… in the order asked for; the kept questions first move
        # out of the way of the unique (questionnaire, position) constraint.
        Question.objects.filter(pk__in=[q.pk for _i, q in kept if q.pk]).update(
            position=F("position") + 10000
        )
        for number, (_index, question) in enumerate(kept, start=1):
            question.questionnaire = questionnaire
            question.position = number
            question.save()
    return questionnaire


def questionnaire_copy(*, questionnaire: Questionnaire, region) -> Questionnaire:
    """A copy of a questionnaire for a region, to change without touching earlier answers."""
    with transaction.atomic():
        copy = Questionnaire.objects.create(
            region=region,
            title=_("Copy of %(title)s") % {"title": questionnaire.title},
            is_default=False,
        )
        Question.objects.bulk_create(
            Question(questionnaire=copy, position=q.position, text=q.text, kind=q.kind)
            for q in questionnaire.questions.all()
        )
    return copy


def round_save(*, form, actor) -> EvaluationRound:
    with transaction.atomic():
        evaluation_round = form.save(commit=False)
        if evaluation_round.pk is None:
            evaluation_round.created_by = actor
        try:
            with transaction.atomic():
                evaluation_round.save()
        except IntegrityError as exc:
            raise ValidationError(
                _("This course offering already has an evaluation."), code="duplicate"
            ) from exc
    return evaluation_round


def answer_problem(*, evaluation_round: EvaluationRound, participant: Participant, on: date):
    """Why a participant may not answer a round now, or None when they may."""
    took_course = participant.enrolments.filter(
        offering_id=evaluation_round.offering_id, state__in=TOOK_COURSE_STATES
    ).exists()
    if not took_course:
        return _("Only participants who took the course answer its evaluation.")
    if Respondent.objects.filter(round=evaluation_round, participant=participant).exists():
        return _("You have already answered this evaluation. Each participant answers once.")
    if on < evaluation_round.opens_on:
        return _("The evaluation opens on %(date)s.") % {
            "date": evaluation_round.opens_on.isoformat()
        }
    if on > evaluation_round.closes_on:
        return _("The evaluation closed on %(date)s.") % {
            "date": evaluation_round.closes_on.isoformat()
        }
    return None


def response_submit(
    *,
    evaluation_round: EvaluationRound,
    participant: Participant,
    answers: dict[int, int | str | None],
    on: date,
) -> None:
    """Record that a participant has answered, and seal their answers in the pending
    store, in one transaction: an answer is never kept without its respondent nor a
    respondent without their answer, and the unique (round, participant) constraint
    refuses a second answer also when two arrive at once. The answers reach the results
    later, in a shuffled batch of their own (see `pending`)."""
    problem = answer_problem(evaluation_round=evaluation_round, participant=participant, on=on)
    if problem:
        raise ValidationError(problem, code="refused")
    questions = {q.pk: q for q in evaluation_round.questionnaire.questions.all()}
    rows = []
    for question_id, raw in answers.items():
        question = questions.get(question_id)
        if question is None or raw in (None, ""):
            continue
        if question.kind == QuestionKind.LIKERT:
            value = int(raw)
            if value not in (1, 2, 3, 4, 5):
                raise ValidationError(_("Answer on the scale 1 to 5."), code="scale")
            rows.append((question.pk, value, ""))
        else:
            text = str(raw).strip()[:2000]
            if text:
                rows.append((question.pk, None, text))
    try:
        with transaction.atomic():
            Respondent.objects.create(
                round=evaluation_round, participant=participant, answered_on=on
            )
            PendingResponse.objects.create(
                round=evaluation_round,
                sealed=seal(municipality_id=participant.municipality_id, answers=rows),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already answered this evaluation. Each participant answers once."),
            code="refused",
        ) from exc
    pending_release(evaluation_round=evaluation_round)
