"""Two regions in one instance: every URL, export, report and API endpoint, asked by each
role of one region, finds nothing of the other (issue 17, acceptance 1).

The URLs come from the URL configuration itself (as in test_every_url.py): a URL that
names an object is asked with the other region's object and must answer 404 (or 405
for a method it does not take); a URL that names none (lists, exports, start pages,
aggregates) may answer, but nothing of the other region may appear in it. The API is
asked with a key for each role, the same way. The national administrator reads both
regions' aggregates and no individual.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import get_resolver
from django.utils import timezone

from api.services import token_create
from enrolment.models import EnrolmentState, NominationRequest
from portal.accounts.models import Role
from programmes.models import CourseEquivalence, OfferingState
from reporting.evaluations.models import EvaluationRound, Question, Questionnaire
from reporting.models import (
    Certificate,
    ReportKind,
    ReportRequest,
    ReportState,
    ReportSubscription,
)
from tests import factories as f
from tests.api.conftest import ApiClient

from .test_every_url import PUBLIC, SKIPPED_PREFIXES, _path, _walk

# What names the other region's people, places and courses on any page or in any file.
MARKERS = {
    "dalarna": ("Ståhl", "Borlänge", "Falun", "Ny som ledare", "Dalarna", "Lindqvist"),
    "gavleborg": ("Hälsinge", "Gävle", "Sandviken", "Att leda i välfärden", "Lindgren"),
}


def _region_data(*, region, programme, course, municipality, administration, people, today):
    """A region's objects of every kind a URL can name: managers, offerings, enrolments,
    a mandate, an evaluation, a certificate, a request, reports and a subscription."""
    manager = people["manager_participant"]
    completed = f.ParticipantFactory(
        municipality=municipality,
        administration=administration,
        last_name="Lindqvist" if region.county_code == "20" else "Lindgren",
    )
    open_offering = f.OfferingFactory(course=course, term="HT2026", state=OfferingState.OPEN)
    finished = f.OfferingFactory(course=course, term="HT2023", state=OfferingState.FINISHED)
    enrolment = f.EnrolmentFactory(
        participant=manager, offering=open_offering, state=EnrolmentState.NOMINATED
    )
    f.PassedEnrolmentFactory(participant=completed, offering=finished)
    mandate = f.MandateFactory(municipality=municipality)
    questionnaire = Questionnaire.objects.create(region=region, title="Kursutvärdering")
    Question.objects.create(questionnaire=questionnaire, position=1, text="Kursen var bra")
    evaluation = EvaluationRound.objects.create(
        offering=finished,
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=14),
        created_by=people["programme_admin"],
    )
    certificate = Certificate.objects.create(
        participant=completed,
        programme=programme,
        code=f"K7M2Q9{region.county_code}",
        issued_on=today,
    )
    request = NominationRequest.objects.create(
        participant=manager, offering=open_offering, message="Jag vill gå kursen."
    )
    reports = [
        ReportRequest.objects.create(
            kind=kind,
            requested_by=user,
            data_date=today,
            language="sv",
            state=ReportState.DONE,
            progress=100,
            file=f"{kind}-{region.county_code}.pdf",
            finished_at=timezone.now(),
            **scope,
        )
        for kind, user, scope in (
            (ReportKind.PROGRESS, people["hr"], {"municipality": municipality}),
            (ReportKind.REGIONAL, people["council"], {"region": region}),
        )
    ]
    subscription = ReportSubscription.objects.create(
        user=people["head"], kind="progress", municipality=municipality
    )
    # A line of the programme's equivalence table (a course of another programme).
    other_programme = f.ProgrammeFactory(
        region=region, provider=f.ProviderFactory(name="Annan högskola"), title="Annat program"
    )
    elsewhere = f.CourseFactory(slot=f.SlotFactory(programme=other_programme))
    equivalence = CourseEquivalence.objects.create(
        programme=programme, course=elsewhere, slot=course.slot
    )
    hr_assignment = people["hr"].role_assignments.get(role=Role.HR_ADMIN)
    token, _key = token_create(user=people["hr"], assignment=hr_assignment, name="HR-system")
    return SimpleNamespace(
        participant=manager,
        offering=open_offering,
        enrolment=enrolment,
        mandate=mandate,
        questionnaire=questionnaire,
        evaluation=evaluation,
        certificate=certificate,
        request=request,
        report=reports[0],
        subscription=subscription,
        token=token,
        municipality=municipality,
        programme=programme,
        equivalence=equivalence,
    )


@pytest.fixture
def regions(world, personas, gavleborg, gavleborg_personas):
    today = timezone.localdate()
    dalarna_people = {
        "manager_participant": personas.manager_participant,
        "programme_admin": personas.programme_admin,
        "hr": personas.hr_borlange,
        "head": personas.head_borlange,
        "council": personas.council,
    }
    gavleborg_people = {
        "manager_participant": gavleborg_personas.manager_participant,
        "programme_admin": gavleborg_personas.programme_admin,
        "hr": gavleborg_personas.hr_gavle,
        "head": gavleborg_personas.head_gavle,
        "council": gavleborg_personas.council,
    }
    return {
        "dalarna": SimpleNamespace(
            data=_region_data(
                region=world.region,
                programme=world.programme,
                course=world.courses["new"],
                municipality=world.borlange,
                administration=world.borlange_social,
                people=dalarna_people,
                today=today,
            ),
            personas={
                "programme_admin": personas.programme_admin,
                "hr": personas.hr_borlange,
                "head": personas.head_borlange,
                "council": personas.council,
                "manager": personas.manager,
            },
        ),
        "gavleborg": SimpleNamespace(
            data=_region_data(
                region=gavleborg.region,
                programme=gavleborg.programme,
                course=gavleborg.courses["lead"],
                municipality=gavleborg.gavle,
                administration=gavleborg.gavle_social,
                people=gavleborg_people,
                today=today,
            ),
            personas={
                "programme_admin": gavleborg_personas.programme_admin,
                "hr": gavleborg_personas.hr_gavle,
                "head": gavleborg_personas.head_gavle,
                "council": gavleborg_personas.council,
                "manager": gavleborg_personas.manager,
            },
        ),
    }


# Which of the other region's objects each URL names by `pk` (by the URL's name).
PK_OBJECTS = (
    ("enrolment:offering_", "offering"),
    ("enrolment:enrolment_transition", "enrolment"),
    ("enrolment:request_answer", "request"),
    ("enrolment:mandate_update", "mandate"),
    ("enrolment:", "participant"),
    ("reporting:transcript", "participant"),
    ("programmes:", "programme"),
    ("privacy:extract", "participant"),
    ("reporting:report_", "report"),
    ("reporting:subscription_end", "subscription"),
    ("reporting:certificate_revoke", "certificate"),
    ("evaluations:round_update", "evaluation"),
    ("evaluations:questionnaire_", "questionnaire"),
    ("api:manager-", "participant"),
    ("api:offering-", "offering"),
    ("api:enrolment-", "enrolment"),
    ("api:token_revoke", "token"),
)
OTHER_PARAMS = {
    "participant_pk": "participant",
    "offering_pk": "offering",
    "round_id": "evaluation",
    "equivalence_pk": "equivalence",
}
FIXED = {
    "fmt": "csv",
    "file_format": "csv",
    "action": "admit",
    "answer": "nominate",
    "kind": "regional",
    "page": "privacy",
}
PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _fill(name: str, pattern: str, data) -> tuple[str, bool]:
    """The path with the other region's objects filled in, and whether it names one."""
    names_object = False

    def value(match):
        nonlocal names_object
        param = match.group(1) or match.group(2)
        if param in FIXED:
            return FIXED[param]
        if param == "code":
            names_object = True
            return data.municipality.code
        if param in OTHER_PARAMS:
            names_object = True
            return str(getattr(data, OTHER_PARAMS[param]).pk)
        if param == "pk":
            kind = next(kind for prefix, kind in PK_OBJECTS if name.startswith(prefix))
            names_object = True
            return str(getattr(data, kind).pk)
        raise AssertionError(f"no example for {param} in {name}")

    path = PARAM.sub(value, pattern)
    return _path(path), names_object


ROUTES = sorted(
    (name, pattern)
    for name, pattern in _walk(get_resolver())
    if not name.startswith(SKIPPED_PREFIXES) and name not in PUBLIC
)
PAGES = [(n, p) for n, p in ROUTES if not _path(p).startswith("/api/v1/")]
ENDPOINTS = [(n, p) for n, p in ROUTES if _path(p).startswith("/api/v1/")]
DIRECTIONS = [("gavleborg", "dalarna"), ("dalarna", "gavleborg")]
ROLES = ["programme_admin", "hr", "head", "council", "manager"]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_nothing_of(other: str, response, what) -> None:
    assert response.status_code < 500, (what, response.status_code)
    body = _body(response)
    for marker in MARKERS[other]:
        assert marker not in body, (what, marker)


def test_the_sweep_covers_every_page_and_endpoint_with_an_object():
    names = {name for name, _ in ROUTES}
    assert {"enrolment:participant_detail", "api:manager-detail", "reporting:report_download"} <= (
        names
    )


@pytest.mark.parametrize(("own", "other"), DIRECTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_one_region_finds_nothing_of_the_other_on_any_page(
    client, regions, own, other, role
):
    client.force_login(regions[own].personas[role])
    data = regions[other].data
    for name, pattern in PAGES:
        path, names_object = _fill(name, pattern, data)
        for method in (client.get, client.post):
            response = method(path)
            if names_object:
                assert response.status_code in (404, 405), (name, path, response.status_code)
            else:
                _assert_nothing_of(other, response, (name, path))
                if response.status_code == 302:
                    followed = client.get(response.url)
                    _assert_nothing_of(other, followed, (name, response.url))


@pytest.fixture
def region_keys(regions):
    keys = {}
    for region in ("dalarna", "gavleborg"):
        people = regions[region].personas
        admin = people["programme_admin"]
        for role in ("programme_admin", "hr", "head", "council"):
            user = people[role]
            assignment = user.role_assignments.exclude(role=Role.MANAGER).get()
            issuer = people["hr"] if role == "head" else user if role != "council" else admin
            _token, key = token_create(user=issuer, assignment=assignment, name=f"{role} system")
            keys[region, role] = key
    return keys


@pytest.mark.parametrize(("own", "other"), DIRECTIONS)
@pytest.mark.parametrize("role", ["programme_admin", "hr", "head", "council"])
def test_each_roles_key_of_one_region_finds_nothing_of_the_other_in_the_api(
    regions, region_keys, own, other, role
):
    api = ApiClient(region_keys[own, role])
    data = regions[other].data
    for name, pattern in ENDPOINTS:
        path, names_object = _fill(name, pattern, data)
        response = api.get(path)
        if names_object:
            assert response.status_code in (404, 405), (name, path, response.status_code)
        else:
            _assert_nothing_of(other, response, (name, path))
        if names_object:
            patched = api.patch(path, {"first_name": "Ändrad"})
            assert patched.status_code in (404, 405), (name, path, patched.status_code)
    data.participant.refresh_from_db()
    assert data.participant.first_name != "Ändrad"


def test_the_national_administrator_sees_no_individual_on_any_page(client, regions, national_admin):
    client.force_login(national_admin)
    for region in ("dalarna", "gavleborg"):
        data = regions[region].data
        for name, pattern in PAGES:
            path, names_object = _fill(name, pattern, data)
            response = client.get(path)
            # Programme pages show structure, never people: the national administrator,
            # who keeps the national programme's structure, may read every region's.
            if names_object and not name.startswith("programmes:"):
                assert response.status_code in (404, 405), (name, path, response.status_code)
            body = _body(response) if response.status_code < 300 else ""
            assert response.status_code < 500, (name, path)
            for person in ("Ståhl", "Lindqvist", "Hälsinge", "Lindgren"):
                assert person not in body, (name, path, person)


def test_a_report_of_one_region_cannot_be_ordered_by_the_other(client, regions, gavleborg):
    client.force_login(regions["dalarna"].personas["council"])
    response = client.post(
        "/rapporter/bestall/regional/",
        {
            "region": gavleborg.region.pk,
            "data_date": timezone.localdate().isoformat(),
            "language": "sv",
        },
    )
    assert response.status_code in (400, 404)
    assert not ReportRequest.objects.filter(
        region=gavleborg.region, requested_by=regions["dalarna"].personas["council"]
    ).exists()


def test_the_sweep_would_see_a_leak_asked_within_the_own_region(client, regions):
    """The same fills and markers, asked within the region itself, do find its objects:
    the sweep above proves something."""
    client.force_login(regions["dalarna"].personas["programme_admin"])
    data = regions["dalarna"].data
    answered = set()
    for name, pattern in PAGES:
        path, names_object = _fill(name, pattern, data)
        if names_object and client.get(path).status_code == 200:
            answered.add(name)
    assert {
        "enrolment:participant_detail",
        "enrolment:offering_detail",
        "enrolment:compliance_municipality",
        "privacy:extract_json",
    } <= answered
    listed = _body(client.get("/chefer/"))
    assert "Ståhl" in listed
