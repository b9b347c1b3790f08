"""Course evaluations (kursutvärderingar): questionnaires, rounds and anonymous answers.

Anonymity is a property of the tables, not of the pages: a Response has no link to the
participant and no time finer than its round, and both Response and Answer have random
(UUID) keys, so neither their keys nor their order can be matched against the
Respondent rows, which record only that a person has answered.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

# Who may answer a course's evaluation: those who took the course, whatever the result
# (`enrolment.facts.TOOK_COURSE_STATES`). Nominated, admitted and waitlisted managers never
# sat in it; withdrawn and deferred ones left before it ended.

LIKERT_VALUES = (1, 2, 3, 4, 5)


class Questionnaire(models.Model):
    """A questionnaire (enkät). One without a region is shared by every region: the
    programme administrators copy it to change it."""

    region = models.ForeignKey(
        "programmes.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    title = models.CharField(_("title"), max_length=200)
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Suggested when an evaluation is opened for an offering."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("region", 0),
                condition=Q(is_default=True),
                name="questionnaire_one_default_per_region",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.region_id is None


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Statement, 1–5")
    TEXT = "text", _("Free text")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question or statement"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.LIKERT
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_unique_position"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_likert(self) -> bool:
        return self.kind == QuestionKind.LIKERT


class EvaluationRound(models.Model):
    """A questionnaire opened for one course offering between two days."""

    offering = models.OneToOneField(
        "programmes.CourseOffering",
        on_delete=models.PROTECT,
        related_name="evaluation_round",
        verbose_name=_("course offering"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("questionnaire"),
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"), help_text=_("The last day to answer."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-opens_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="evaluation_round_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.offering} ({self.opens_on:%Y-%m-%d}–{self.closes_on:%Y-%m-%d})"

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    @staticmethod
    def open_on_q(day) -> Q:
        """`is_open_on` as a query condition."""
        return Q(opens_on__lte=day, closes_on__gte=day)


class Response(models.Model):
    """One participant's answers, kept apart from who gave them. The municipality is kept
    for per-municipality results, which are never shown for fewer than five answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="responses")
    municipality = models.ForeignKey(
        "programmes.Municipality", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")

    def __str__(self):
        return str(self.round)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(
        _("value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    text = models.TextField(_("text"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
            models.CheckConstraint(
                condition=(Q(value__gte=1, value__lte=5, text="") | Q(value__isnull=True)),
                name="answer_value_on_scale",
            ),
        ]

    def __str__(self):
        return str(self.question)


class Respondent(models.Model):
    """That a participant has answered a round's questionnaire: nothing about what."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="respondents")
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    answered_on = models.DateField(_("answered"))

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"], name="respondent_answers_once"
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.round}"


class PendingResponse(models.Model):
    """Answers waiting to be released into Response and Answer rows in a shuffled batch.

    The respondent mark and this row are written in one transaction, so they can be
    matched (by `xmin`, physical order); that is why the answers here are encrypted with
    a key that is not in the database, padded to a fixed size, and carry no time. Once a
    batch is released, in a transaction of its own, nothing ties an answer to the
    moment, and so to the person, it came from.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("pending evaluation response")
        verbose_name_plural = _("pending evaluation responses")

    def __str__(self):
        return str(self.round)
