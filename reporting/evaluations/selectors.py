"""Reads for course evaluations, scoped by the user's reach, and their results.

Results are aggregates only: counts, means and distributions per Likert statement, with
no figure at all for a group of fewer than five answers. Free-text answers are read only
for programme administrators, only for groups of five or more, and in alphabetical order,
so that their order says nothing about who wrote them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, Min, OuterRef, Q, QuerySet

from enrolment.facts import TOOK_COURSE_STATES
from enrolment.models import Enrolment, Participant
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, reach, reach_q
from portal.daycache import kept
from portal.disclosure import MIN_GROUP
from programmes.models import Course, CourseOffering, Municipality
from programmes.terms import Term

from .models import (
    LIKERT_VALUES,
    Answer,
    EvaluationRound,
    QuestionKind,
    Questionnaire,
    Respondent,
    Response,
)

ADMIN_ROLES = frozenset({Role.PROGRAMME_ADMIN})
REGION_OF_OFFERING = "offering__course__slot__programme__region_id"


def admin_region_ids(user) -> frozenset[int]:
    return reach(user, ADMIN_ROLES).region_ids


def questionnaires_visible_to(user) -> QuerySet[Questionnaire]:
    """The region's own questionnaires and the shared ones, for its administrators."""
    regions = admin_region_ids(user)
    if not regions:
        return Questionnaire.objects.none()
    return Questionnaire.objects.filter(Q(region__isnull=True) | Q(region_id__in=regions))


def questionnaires_editable_by(user) -> QuerySet[Questionnaire]:
    """Only a region's own questionnaires change; the shared ones are copied first."""
    return Questionnaire.objects.filter(region_id__in=admin_region_ids(user))


def rounds_administrable_by(user) -> QuerySet[EvaluationRound]:
    r = reach(user, ADMIN_ROLES)
    return EvaluationRound.objects.filter(reach_q(r, region=REGION_OF_OFFERING)).select_related(
        "offering__course__slot", "questionnaire"
    )


def round_list(*, user) -> QuerySet[EvaluationRound]:
    return (
        rounds_administrable_by(user)
        .annotate(answers=Count("respondents"))
        .order_by(
            "-offering__term_index", "offering__course__slot__position", "offering__course__title"
        )
    )


def default_questionnaire_for(region_id) -> Questionnaire | None:
    """The region's default questionnaire, else the shared default."""
    return (
        Questionnaire.objects.filter(is_default=True)
        .filter(Q(region_id=region_id) | Q(region__isnull=True))
        .order_by("region_id")  # NULLS LAST in PostgreSQL: the region's own comes first
        .first()
    )


def rounds_for_participant(participant: Participant) -> QuerySet[EvaluationRound]:
    """Rounds of the offerings the participant took; any other round is a 404 to them."""
    took = Enrolment.objects.filter(
        participant=participant, offering_id=OuterRef("offering_id"), state__in=TOOK_COURSE_STATES
    )
    answered = Respondent.objects.filter(participant=participant, round_id=OuterRef("pk"))
    return (
        EvaluationRound.objects.filter(Exists(took))
        .annotate(answered=Exists(answered))
        .select_related("offering__course", "questionnaire")
    )


def open_rounds_for_participant(participant: Participant, on: date) -> QuerySet[EvaluationRound]:
    return rounds_for_participant(participant).filter(EvaluationRound.open_on_q(on))


def offerings_evaluated_on(on: date) -> frozenset[int]:
    """The offerings with a round open on the day, kept until a write: a manager enrolled
    in none of them has no round to answer, and their page need not ask."""
    return kept(
        "offerings-evaluated",
        (on.isoformat(),),
        lambda: frozenset(
            EvaluationRound.objects.filter(EvaluationRound.open_on_q(on)).values_list(
                "offering_id", flat=True
            )
        ),
    )


def responses_visible_to(user, roles=AGGREGATE_ROLES) -> QuerySet[Response]:
    """Responses counted in the results a user may read: the regions of their programme
    administrator and council roles."""
    r = reach(user, roles)
    return Response.objects.filter(reach_q(r, region=f"round__{REGION_OF_OFFERING}"))


# --- Results ---------------------------------------------------------------------------


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class StatementResult:
    """One Likert statement in one group. Below five answers nothing but the text is
    kept, so no page or file can show a figure for it."""

    text: str
    position: int
    answers: int | None = None
    mean: Decimal | None = None
    distribution: list[tuple[int, int]] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.answers is None


@dataclass
class FreeTextResult:
    text: str
    answers: list[str] = field(default_factory=list)


@dataclass
class GroupResult:
    key: object
    label: str
    responses: int | None = None
    statements: list[StatementResult] = field(default_factory=list)
    free_text: list[FreeTextResult] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.responses is None


def _statement(text, position, n, mean, counts) -> StatementResult:
    if n < MIN_GROUP:
        return StatementResult(text=text, position=position)
    return StatementResult(
        text=text,
        position=position,
        answers=n,
        mean=_one_decimal(mean),
        distribution=[(v, counts[v - 1]) for v in LIKERT_VALUES],
    )


def _likert_aggregates(answers: QuerySet[Answer], keys: list[str]):
    return (
        answers.filter(question__kind=QuestionKind.LIKERT, value__isnull=False)
        .values(*keys, "question__text")
        .annotate(
            n=Count("id"),
            mean=Avg("value"),
            position=Min("question__position"),
            **{f"v{v}": Count("id", filter=Q(value=v)) for v in LIKERT_VALUES},
        )
        .order_by()
    )


def statement_summary(responses: QuerySet[Response]) -> list[StatementResult]:
    """Each Likert statement over all the given responses (one query). Statements are
    matched by their text, so that copies of a questionnaire count together."""
    rows = _likert_aggregates(Answer.objects.filter(response__in=responses), [])
    results = [
        _statement(
            row["question__text"],
            row["position"],
            row["n"],
            row["mean"],
            [row[f"v{v}"] for v in LIKERT_VALUES],
        )
        for row in rows
    ]
    return sorted(results, key=lambda s: (s.position, s.text))


GROUPINGS = {
    "offering": "round__offering_id",
    "course": "round__offering__course_id",
    "term": "round__offering__term_index",
    "municipality": "municipality_id",
}


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "offering":
        return {
            o.pk: f"{o.course.title} {o.term}"
            for o in CourseOffering.objects.filter(pk__in=keys).select_related("course")
        }
    if by == "course":
        return {c.pk: c.title for c in Course.objects.filter(pk__in=keys)}
    if by == "municipality":
        return dict(Municipality.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {k: str(Term.from_index(k)) for k in keys}


def _sort_key(by: str):
    if by == "term":
        return lambda g: -g.key
    return lambda g: g.label


def evaluation_results(
    *,
    responses: QuerySet[Response],
    by: str = "offering",
    free_text_from: QuerySet[Response] | None = None,
) -> list[GroupResult]:
    """Results per group (offering, course, term or municipality) in four queries at most.

    Free text is read only from `free_text_from` (the responses of the regions where the
    user is a programme administrator; None for everyone else), and never per
    municipality: with a handful of answers from one municipality, the wording could tell
    who wrote it.
    """
    key = GROUPINGS[by]
    counts = {
        row[key]: row["n"] for row in responses.values(key).annotate(n=Count("id")).order_by()
    }
    labels = _labels(by, counts)
    groups = {
        k: GroupResult(
            key=k,
            label=labels.get(k, "–"),
            responses=n if n >= MIN_GROUP else None,
        )
        for k, n in counts.items()
    }
    answers = Answer.objects.filter(response__in=responses)
    answer_key = f"response__{key}"
    for row in _likert_aggregates(answers, [answer_key]):
        group = groups.get(row[answer_key])
        if group is None or group.hidden:
            continue
        group.statements.append(
            _statement(
                row["question__text"],
                row["position"],
                row["n"],
                row["mean"],
                [row[f"v{v}"] for v in LIKERT_VALUES],
            )
        )
    if free_text_from is not None and by != "municipality":
        shown = [k for k, g in groups.items() if not g.hidden]
        texts = defaultdict(lambda: defaultdict(list))
        positions = {}
        for group_key, question, position, text in (
            answers.filter(
                question__kind=QuestionKind.TEXT,
                response__in=free_text_from,
                **{f"{answer_key}__in": shown},
            )
            .exclude(text="")
            .values_list(answer_key, "question__text", "question__position", "text")
            .order_by(answer_key, "question__text", "text")
        ):
            texts[group_key][question].append(text)
            positions.setdefault((group_key, question), position)
        for group_key, questions in texts.items():
            groups[group_key].free_text = [
                FreeTextResult(text=question, answers=items)
                for question, items in sorted(
                    questions.items(), key=lambda item: (positions[(group_key, item[0])], item[0])
                )
            ]
    for group in groups.values():
        group.statements.sort(key=lambda s: (s.position, s.text))
    return sorted(groups.values(), key=_sort_key(by))
