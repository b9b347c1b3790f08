"""Course evaluations: anonymity, answering once while open, results and who sees them."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolment.models import EnrolmentState
from portal.accounts.models import Role
from programmes.models import OfferingState
from reporting.evaluations.models import (
    Answer,
    EvaluationRound,
    PendingResponse,
    Question,
    QuestionKind,
    Questionnaire,
    Respondent,
    Response,
)
from reporting.evaluations.pending import pending_release
from reporting.evaluations.selectors import evaluation_results
from reporting.evaluations.services import response_submit
from tests import factories as f

S = EnrolmentState
TODAY = timezone.localdate()
FREE_TEXT = "Handledningen var guld värd"
ALL = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}


@pytest.fixture
def offering(world):
    return f.OfferingFactory(
        course=world.courses["new"], term="HT2026", state=OfferingState.RUNNING
    )


@pytest.fixture
def evaluation(offering, questionnaire):
    return EvaluationRound.objects.create(
        offering=offering,
        questionnaire=questionnaire,
        opens_on=TODAY - timedelta(days=3),
        closes_on=TODAY + timedelta(days=14),
    )


def _took(participant, offering, state=S.REGISTERED):
    grade = {S.PASSED: "G", S.FAILED: "U"}.get(state, "")
    return f.EnrolmentFactory(participant=participant, offering=offering, state=state, grade=grade)


def _form_data(questionnaire, value=4, text=FREE_TEXT):
    data = {}
    for question in questionnaire.questions.all():
        data[f"q{question.pk}"] = value if question.kind == QuestionKind.LIKERT else text
    return data


def _answers(questionnaire, value=4, text=FREE_TEXT):
    return {
        q.pk: value if q.kind == QuestionKind.LIKERT else text
        for q in questionnaire.questions.all()
    }


def _respond(evaluation, municipality, count, value=4, text=FREE_TEXT, **participant):
    """`count` participants of a municipality who took the course answer it."""
    for _i in range(count):
        p = f.ParticipantFactory(municipality=municipality, **participant)
        _took(p, evaluation.offering, S.PASSED if _i % 2 else S.REGISTERED)
        response_submit(
            evaluation_round=evaluation,
            participant=p,
            answers=_answers(evaluation.questionnaire, value, text),
            on=TODAY,
        )
    # The answers reach the results in a batch; here, as when the round closes.
    pending_release(evaluation_round=evaluation, closing=True)


# --- The default questionnaire ---------------------------------------------------------


def test_default_questionnaire_has_the_swedish_statements_and_free_text(questionnaire):
    likert = set(
        questionnaire.questions.filter(kind=QuestionKind.LIKERT).values_list("text", flat=True)
    )
    assert {
        "Kursen har stärkt mitt ledarskap",
        "Jag kan använda kursens innehåll i mitt arbete",
        "Min arbetsgivare gav mig förutsättningar att studera",
        "Jag fick tid avsatt för studierna",
    } <= likert
    free = set(
        questionnaire.questions.filter(kind=QuestionKind.TEXT).values_list("text", flat=True)
    )
    assert free == {"Vad var bäst med kursen?", "Vad kan bli bättre?"}


# --- Anonymity -------------------------------------------------------------------------


def _relations(model):
    return {
        field.name: field.related_model
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete
    }


def test_a_response_and_its_answers_cannot_be_linked_to_a_person():
    from enrolment.models import Participant
    from portal.accounts.models import User
    from programmes.models import Municipality

    assert set(_relations(Response).values()) == {EvaluationRound, Municipality}
    assert set(_relations(Answer).values()) == {Response, Question}
    for model in (Response, Answer):
        assert Participant not in _relations(model).values()
        assert User not in _relations(model).values()
        # Random keys: neither the key nor the insertion order can be matched against
        # the respondents; and no time is kept that could be.
        assert isinstance(model._meta.pk, models.UUIDField)
        assert not [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateField | models.DateTimeField)
        ]
    # What records the person holds nothing of their answer.
    assert set(_relations(Respondent).values()) == {EvaluationRound, Participant}


def test_answering_stores_answers_apart_from_the_person(client, personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    response = client.post(
        reverse("evaluations:answer", args=[evaluation.pk]), _form_data(evaluation.questionnaire)
    )
    assert response.status_code == 302
    # The answers wait in the pending store until a batch is released.
    assert not Response.objects.exists()
    assert PendingResponse.objects.filter(round=evaluation).count() == 1
    pending_release(evaluation_round=evaluation, closing=True)
    stored = Response.objects.get()
    assert isinstance(stored.pk, uuid.UUID)
    assert stored.municipality == personas.manager_participant.municipality
    assert stored.answers.count() == evaluation.questionnaire.questions.count()
    assert stored.answers.filter(text=FREE_TEXT).count() == 2
    respondent = Respondent.objects.get()
    assert respondent.participant == personas.manager_participant
    assert respondent.answered_on == TODAY


def test_results_and_export_name_nobody(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 6, first_name="Sigvard", last_name="Unikström")
    client.force_login(personas.programme_admin)
    html = client.get(reverse("evaluations:results")).content.decode()
    export = client.get(reverse("evaluations:results_export", args=["csv"])).content.decode()
    for text in (html, export):
        assert "Unikström" not in text
        assert "Sigvard" not in text
    assert "Kursen har stärkt mitt ledarskap" in export


def test_a_group_of_four_answers_shows_no_figure(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 4, value=2)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("evaluations:results"))
    (group,) = response.context["groups"]
    assert group.hidden
    assert group.responses is None
    assert group.statements == []
    assert all(s.hidden and s.mean is None for s in response.context["overall"])
    html = response.content.decode()
    assert "2.0" not in html and "2,0" not in html
    assert FREE_TEXT not in html
    export = client.get(reverse("evaluations:results_export", args=["csv"])).content.decode()
    assert export.splitlines()[1:] == ["Ny som ledare HT2026;<5;;;;;;;;"]


def test_five_answers_show_counts_means_and_distribution(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 3, value=5)
    _respond(evaluation, world.falun, 2, value=2)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("evaluations:results"))
    (group,) = response.context["groups"]
    assert group.responses == 5
    leadership = next(s for s in group.statements if s.text == "Kursen har stärkt mitt ledarskap")
    assert leadership.answers == 5
    assert str(leadership.mean) == "3.8"
    assert leadership.distribution == [(1, 0), (2, 2), (3, 0), (4, 0), (5, 3)]


def test_results_per_municipality_hide_the_small_municipality(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 5, value=5)
    _respond(evaluation, world.falun, 3, value=1)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("evaluations:results"), {"by": "municipality"})
    groups = {g.label: g for g in response.context["groups"]}
    assert groups["Borlänge"].responses == 5
    assert groups["Falun"].hidden
    # Free text is never shown per municipality.
    assert FREE_TEXT not in response.content.decode()


@pytest.mark.parametrize("by", ["offering", "course", "term", "municipality"])
def test_each_grouping_answers(client, world, personas, evaluation, by):
    _respond(evaluation, world.borlange, 5)
    client.force_login(personas.council)
    response = client.get(reverse("evaluations:results"), {"by": by})
    assert response.status_code == 200
    assert response.context["by"] == by


def test_unknown_grouping_and_filter_values_are_ignored(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 5)
    client.force_login(personas.programme_admin)
    response = client.get(
        reverse("evaluations:results"), {"by": "person", "course": "x", "municipality": "999999"}
    )
    assert response.status_code == 200
    assert response.context["by"] == "offering"
    assert response.context["total"] == 5


# --- Free text only for programme administrators ---------------------------------------


def test_programme_administrator_reads_free_text(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 5)
    client.force_login(personas.programme_admin)
    assert FREE_TEXT in client.get(reverse("evaluations:results")).content.decode()


def test_free_text_never_reaches_the_council(client, world, personas, evaluation):
    _respond(evaluation, world.borlange, 8)
    client.force_login(personas.council)
    for by in ("offering", "course", "term", "municipality"):
        response = client.get(reverse("evaluations:results"), {"by": by})
        assert FREE_TEXT not in response.content.decode()
        assert all(not g.free_text for g in response.context["groups"])
    for file_format in ("csv", "xlsx"):
        export = client.get(reverse("evaluations:results_export", args=[file_format]))
        assert FREE_TEXT.encode() not in export.content
    key_figures = client.get(reverse("followup:key_figures")).content.decode()
    assert FREE_TEXT not in key_figures
    assert "Kursen har stärkt mitt ledarskap" in key_figures


def test_free_text_is_read_only_when_asked_for(world, evaluation):
    _respond(evaluation, world.borlange, 5)
    (group,) = evaluation_results(responses=Response.objects.all())
    assert group.free_text == []


# --- Answering once, only for a course taken, only while open ---------------------------


def test_second_answer_is_refused_with_a_message(client, personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    url = reverse("evaluations:answer", args=[evaluation.pk])
    client.post(url, _form_data(evaluation.questionnaire), follow=True)
    second = client.post(url, _form_data(evaluation.questionnaire, value=1))
    assert second.status_code == 302
    assert [m.level_tag for m in get_messages(second.wsgi_request)] == ["error"]
    assert PendingResponse.objects.count() == 1
    pending_release(evaluation_round=evaluation, closing=True)
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(value=1).exists()
    # The form is not offered again.
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"] is None
    assert page.context["problem"]


def test_service_refuses_a_second_answer(personas, evaluation):
    participant = personas.manager_participant
    _took(participant, evaluation.offering)
    answers = _answers(evaluation.questionnaire)
    response_submit(evaluation_round=evaluation, participant=participant, answers=answers, on=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        response_submit(
            evaluation_round=evaluation, participant=participant, answers=answers, on=TODAY
        )
    assert excinfo.value.code == "refused"
    assert PendingResponse.objects.count() == 1
    assert Respondent.objects.count() == 1


@pytest.mark.parametrize(
    "opens, closes",
    [
        (TODAY + timedelta(days=1), TODAY + timedelta(days=10)),
        (TODAY - timedelta(days=10), TODAY - timedelta(days=1)),
    ],
    ids=["not yet open", "closed"],
)
def test_answer_is_refused_outside_the_open_days(client, personas, evaluation, opens, closes):
    EvaluationRound.objects.filter(pk=evaluation.pk).update(opens_on=opens, closes_on=closes)
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    url = reverse("evaluations:answer", args=[evaluation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"] is None
    refused = client.post(url, _form_data(evaluation.questionnaire))
    assert refused.status_code == 302
    assert [m.level_tag for m in get_messages(refused.wsgi_request)] == ["error"]
    assert not Response.objects.exists()
    assert not Respondent.objects.exists()


def test_answer_is_accepted_on_the_closing_day(personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    response_submit(
        evaluation_round=evaluation,
        participant=personas.manager_participant,
        answers=_answers(evaluation.questionnaire),
        on=evaluation.closes_on,
    )
    assert Respondent.objects.count() == 1


@pytest.mark.parametrize("state", [S.REGISTERED, S.PASSED, S.FAILED])
def test_participants_who_took_the_course_may_answer(client, personas, evaluation, state):
    _took(personas.manager_participant, evaluation.offering, state)
    client.force_login(personas.manager)
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk]))
    assert page.status_code == 200
    assert page.context["form"] is not None


@pytest.mark.parametrize(
    "state", [None, S.NOMINATED, S.ADMITTED, S.WAITLISTED, S.WITHDRAWN, S.DEFERRED]
)
def test_participant_who_did_not_take_the_course_gets_404(client, personas, evaluation, state):
    if state:
        _took(personas.manager_participant, evaluation.offering, state)
    client.force_login(personas.manager)
    url = reverse("evaluations:answer", args=[evaluation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form_data(evaluation.questionnaire)).status_code == 404
    assert not Response.objects.exists()


def test_unknown_round_is_404(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("evaluations:answer", args=[999999])).status_code == 404


def test_incomplete_answer_gives_the_form_again(client, personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    data = _form_data(evaluation.questionnaire)
    first_likert = evaluation.questionnaire.questions.filter(kind=QuestionKind.LIKERT).first()
    data[f"q{first_likert.pk}"] = "7"
    response = client.post(reverse("evaluations:answer", args=[evaluation.pk]), data)
    assert response.status_code == 400
    assert f"q{first_likert.pk}" in response.context["form"].errors
    assert not Response.objects.exists()


def test_own_page_offers_the_open_evaluation_and_then_thanks(client, personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    url = reverse("evaluations:answer", args=[evaluation.pk])
    page = client.get(reverse("enrolment:my_programme")).content.decode()
    assert url in page
    client.post(url, _form_data(evaluation.questionnaire))
    page = client.get(reverse("enrolment:my_programme")).content.decode()
    assert url not in page
    assert 'id="evaluations-heading"' in page


def test_own_page_shows_no_evaluation_of_a_course_not_taken(client, personas, evaluation):
    client.force_login(personas.manager)
    page = client.get(reverse("enrolment:my_programme")).content.decode()
    assert reverse("evaluations:answer", args=[evaluation.pk]) not in page


def test_own_page_asks_for_rounds_only_when_one_of_the_managers_offerings_has_one(
    transactional_db, client, world, personas, offering, questionnaire
):
    """The offerings with a round open today are kept until a write: a manager enrolled in
    none of them costs no query for rounds, and a round opened meanwhile shows at once."""
    _took(personas.manager_participant, offering)
    client.force_login(personas.manager)
    page = reverse("enrolment:my_programme")

    client.get(page)
    with CaptureQueriesContext(connection) as quiet:
        client.get(page)
    assert not [q for q in quiet.captured_queries if "evaluations_evaluationround" in q["sql"]]

    evaluation = EvaluationRound.objects.create(
        offering=offering,
        questionnaire=questionnaire,
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
    )
    assert reverse("evaluations:answer", args=[evaluation.pk]) in client.get(page).content.decode()


# --- Questionnaires and rounds ---------------------------------------------------------


def test_programme_administrator_opens_an_evaluation(client, personas, offering, questionnaire):
    client.force_login(personas.programme_admin)
    url = reverse("evaluations:round_create")
    form = client.get(url, {"offering": offering.pk}).context["form"]
    assert form.initial["offering"] == offering
    assert form.initial["questionnaire"] == questionnaire
    response = client.post(
        url,
        {
            "offering": offering.pk,
            "questionnaire": questionnaire.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + timedelta(days=21)).isoformat(),
        },
    )
    assert response.status_code == 302
    evaluation = EvaluationRound.objects.get()
    assert evaluation.offering == offering
    assert evaluation.created_by == personas.programme_admin


def test_round_form_refuses_bad_dates_and_a_second_round(
    client, personas, evaluation, questionnaire, world
):
    client.force_login(personas.programme_admin)
    other = f.OfferingFactory(course=world.courses["law"], term="HT2026")
    response = client.post(
        reverse("evaluations:round_create"),
        {
            "offering": other.pk,
            "questionnaire": questionnaire.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "closes_on" in response.context["form"].errors
    response = client.post(
        reverse("evaluations:round_create"),
        {
            "offering": evaluation.offering.pk,
            "questionnaire": questionnaire.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "offering" in response.context["form"].errors
    assert EvaluationRound.objects.count() == 1


def test_round_dates_can_be_changed(client, personas, evaluation):
    client.force_login(personas.programme_admin)
    closes = TODAY + timedelta(days=30)
    response = client.post(
        reverse("evaluations:round_update", args=[evaluation.pk]),
        {"opens_on": evaluation.opens_on.isoformat(), "closes_on": closes.isoformat()},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.closes_on == closes


def _questionnaire_post(title, questions, existing=(), is_default=False):
    data = {
        "title": title,
        "questions-TOTAL_FORMS": str(len(existing) + len(questions)),
        "questions-INITIAL_FORMS": str(len(existing)),
        "questions-MIN_NUM_FORMS": "1",
        "questions-MAX_NUM_FORMS": "1000",
    }
    if is_default:
        data["is_default"] = "on"
    rows = [(q.pk, q.position, q.text, q.kind) for q in existing] + [
        ("", position, text, kind) for position, text, kind in questions
    ]
    for index, (pk, position, text, kind) in enumerate(rows):
        data[f"questions-{index}-id"] = pk
        data[f"questions-{index}-position"] = position
        data[f"questions-{index}-text"] = text
        data[f"questions-{index}-kind"] = kind
    return data


def test_programme_administrator_defines_a_questionnaire(client, world, personas):
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("evaluations:questionnaire_create"),
        _questionnaire_post(
            "Uppföljning efter kursen",
            [(2, "Vad tar du med dig?", "text"), (1, "Kursen var relevant", "likert")],
        ),
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(title="Uppföljning efter kursen")
    assert questionnaire.region == world.region
    assert list(questionnaire.questions.values_list("position", "text", "kind")) == [
        (1, "Kursen var relevant", "likert"),
        (2, "Vad tar du med dig?", "text"),
    ]


def test_a_regional_default_replaces_the_earlier_one(client, world, personas):
    client.force_login(personas.programme_admin)
    for title in ("Första", "Andra"):
        client.post(
            reverse("evaluations:questionnaire_create"),
            _questionnaire_post(title, [(1, "Bra kurs", "likert")], is_default=True),
        )
    defaults = Questionnaire.objects.filter(region=world.region, is_default=True)
    assert list(defaults.values_list("title", flat=True)) == ["Andra"]


def test_answered_questionnaire_keeps_its_questions(client, world, personas, evaluation):
    copy = Questionnaire.objects.create(region=world.region, title="Egen")
    Question.objects.create(questionnaire=copy, position=1, text="Bra kurs", kind="likert")
    EvaluationRound.objects.filter(pk=evaluation.pk).update(questionnaire=copy)
    evaluation.refresh_from_db()
    _respond(evaluation, world.borlange, 1)
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("evaluations:questionnaire_update", args=[copy.pk]),
        _questionnaire_post(
            "Egen", [(2, "Ny fråga", "likert")], existing=list(copy.questions.all())
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert list(copy.questions.values_list("text", flat=True)) == ["Bra kurs"]


def test_shared_questionnaire_is_copied_not_edited(client, world, personas, questionnaire):
    client.force_login(personas.programme_admin)
    url = reverse("evaluations:questionnaire_update", args=[questionnaire.pk])
    assert client.get(url).status_code == 404
    response = client.post(reverse("evaluations:questionnaire_copy", args=[questionnaire.pk]))
    copy = Questionnaire.objects.get(region=world.region)
    assert response.url == reverse("evaluations:questionnaire_update", args=[copy.pk])
    assert copy.questions.count() == questionnaire.questions.count()
    assert not copy.is_default


# --- Scope: every URL against every persona ---------------------------------------------


@pytest.fixture
def urls(world, personas, evaluation):
    _took(personas.manager_participant, evaluation.offering)
    regional = Questionnaire.objects.create(region=world.region, title="Regional")
    Question.objects.create(questionnaire=regional, position=1, text="Bra", kind="likert")
    return {
        "rounds": (reverse("evaluations:rounds"), {"programme_admin"}),
        "round_create": (reverse("evaluations:round_create"), {"programme_admin"}),
        "round_update": (
            reverse("evaluations:round_update", args=[evaluation.pk]),
            {"programme_admin"},
        ),
        "questionnaires": (reverse("evaluations:questionnaires"), {"programme_admin"}),
        "questionnaire_create": (
            reverse("evaluations:questionnaire_create"),
            {"programme_admin"},
        ),
        "questionnaire_update": (
            reverse("evaluations:questionnaire_update", args=[regional.pk]),
            {"programme_admin"},
        ),
        "results": (reverse("evaluations:results"), {"programme_admin", "council"}),
        "results_csv": (
            reverse("evaluations:results_export", args=["csv"]),
            {"programme_admin", "council"},
        ),
        "results_xlsx": (
            reverse("evaluations:results_export", args=["xlsx"]),
            {"programme_admin", "council"},
        ),
        "answer": (reverse("evaluations:answer", args=[evaluation.pk]), {"manager"}),
    }


URL_NAMES = [
    "rounds",
    "round_create",
    "round_update",
    "questionnaires",
    "questionnaire_create",
    "questionnaire_update",
    "results",
    "results_csv",
    "results_xlsx",
    "answer",
]


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_evaluation_url_answers_each_persona_by_scope(client, personas, urls, name, persona):
    url, allowed = urls[name]
    client.force_login(personas.all()[persona])
    response = client.get(url)
    if persona in allowed:
        assert response.status_code == 200, (name, persona, response.status_code)
    else:
        assert response.status_code == 404, (name, persona, response.status_code)


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_users_are_sent_to_log_in_from_evaluations(client, urls, name):
    url, _allowed = urls[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_copy_is_post_only_and_for_programme_administrators(client, personas, questionnaire):
    url = reverse("evaluations:questionnaire_copy", args=[questionnaire.pk])
    client.force_login(personas.programme_admin)
    assert client.get(url).status_code == 405
    for persona in ("council", "hr_borlange", "manager"):
        client.force_login(getattr(personas, persona))
        assert client.post(url).status_code == 404
    assert not Questionnaire.objects.exclude(pk=questionnaire.pk).exists()


def test_manager_sees_only_their_own_evaluation_form(client, world, personas, evaluation):
    """Another manager's round (an offering this manager did not take) is a 404."""
    other_offering = f.OfferingFactory(course=world.courses["law"], term="HT2026")
    other = EvaluationRound.objects.create(
        offering=other_offering,
        questionnaire=evaluation.questionnaire,
        opens_on=evaluation.opens_on,
        closes_on=evaluation.closes_on,
    )
    _took(f.ParticipantFactory(municipality=world.borlange), other_offering)
    _took(personas.manager_participant, evaluation.offering)
    client.force_login(personas.manager)
    assert client.get(reverse("evaluations:answer", args=[evaluation.pk])).status_code == 200
    assert client.get(reverse("evaluations:answer", args=[other.pk])).status_code == 404


def test_programme_administrator_of_another_region_sees_nothing_of_ours(
    client, world, personas, evaluation
):
    _respond(evaluation, world.borlange, 5)
    region = f.RegionFactory(county_code="21", name="Region Gävleborg", short_name="RG")
    elsewhere = f.UserFactory(email="admin@rg.se")
    f.RoleAssignmentFactory(user=elsewhere, role=Role.PROGRAMME_ADMIN, region=region)
    client.force_login(elsewhere)
    assert client.get(reverse("evaluations:round_update", args=[evaluation.pk])).status_code == 404
    response = client.get(reverse("evaluations:results"))
    assert response.context["total"] == 0
    assert FREE_TEXT not in response.content.decode()


@pytest.mark.parametrize("size", [5, 40])
def test_results_page_runs_in_a_constant_number_of_queries(
    client, world, personas, evaluation, django_assert_max_num_queries, size
):
    _respond(evaluation, world.borlange, size)
    law = f.OfferingFactory(course=world.courses["law"], term="VT2026")
    second = EvaluationRound.objects.create(
        offering=law,
        questionnaire=evaluation.questionnaire,
        opens_on=evaluation.opens_on,
        closes_on=evaluation.closes_on,
    )
    _respond(second, world.falun, size)
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("evaluations:results"))
    assert response.context["total"] == 2 * size


def test_questions_can_swap_places(client, world, personas):
    questionnaire = Questionnaire.objects.create(region=world.region, title="Egen")
    first = Question.objects.create(questionnaire=questionnaire, position=1, text="Först")
    second = Question.objects.create(questionnaire=questionnaire, position=2, text="Sedan")
    first.position, second.position = 2, 1
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("evaluations:questionnaire_update", args=[questionnaire.pk]),
        _questionnaire_post("Egen", [], existing=[first, second]),
    )
    assert response.status_code == 302
    assert list(questionnaire.questions.values_list("text", flat=True)) == ["Sedan", "Först"]


@pytest.mark.parametrize("days", [-4, -3, 0, 14, 15])
def test_a_round_is_open_in_the_database_on_the_days_it_is_open_in_python(evaluation, days):
    day = TODAY + timedelta(days=days)
    in_sql = EvaluationRound.objects.filter(EvaluationRound.open_on_q(day)).exists()
    assert in_sql == evaluation.is_open_on(day) == (-3 <= days <= 14)
