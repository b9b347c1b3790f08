import os
import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from enrolment.models import (
    Enrolment,
    EnrolmentState,
    Mandate,
    NominationRequest,
    NominationRequestState,
    Participant,
)
from enrolment.progress import progress_for, progress_of
from enrolment.selectors import offerings_open_to
from portal.accounts.models import Role, RoleAssignment, User
from programmes.models import (
    Course,
    CourseOffering,
    Municipality,
    OfferingState,
    ProgrammeSlot,
    Region,
)
from programmes.terms import Term
from reporting.evaluations.models import EvaluationRound, Respondent
from reporting.models import Certificate
from reporting.services.certificates import valid_certificate
from web.demo import TODAY, history_manager
from web.demo.dalarna import (
    COMPLETED_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_USERS,
    MANAGER_EMAIL,
    NEW_MANAGER_EMAIL,
)
from web.demo.gavleborg import USERS as GAVLEBORG_USERS

pytestmark = pytest.mark.django_db

VENV_PYTHON = ".venv/bin/python"

HT2022 = Term.parse("HT2022").index
HT2025 = Term.parse("HT2025").index
HT2026 = Term.parse("HT2026").index


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def seed_scale(*args) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def demo_participants():
    return Participant.objects.filter(municipality__region__county_code="20")


def historic_participant_ids() -> set[int]:
    return set(
        Enrolment.objects.filter(
            participant__in=demo_participants(),
            offering__term_index__gte=HT2022,
            offering__term_index__lte=HT2025,
        ).values_list("participant_id", flat=True)
    )


def demo_offerings():
    return CourseOffering.objects.filter(course__slot__programme__region__county_code="20")


def demo_snapshot() -> dict:
    region = Region.objects.get(county_code="20")
    return {
        "municipalities": Municipality.objects.filter(region=region).count(),
        "slots": ProgrammeSlot.objects.filter(programme__region=region).count(),
        "courses": Course.objects.filter(slot__programme__region=region).count(),
        "offerings": CourseOffering.objects.filter(course__slot__programme__region=region).count(),
        "participants": demo_participants().count(),
        "historic": len(historic_participant_ids()),
        "enrolments": Enrolment.objects.filter(participant__in=demo_participants()).count(),
        "emails": set(demo_participants().values_list("email", flat=True)),
        "names": sorted(demo_participants().values_list("first_name", "last_name")),
        "certificates": sorted(
            Certificate.objects.filter(participant__in=demo_participants()).values_list(
                "participant__email", "code", "issued_on"
            )
        ),
        "requests": sorted(
            NominationRequest.objects.filter(participant__in=demo_participants()).values_list(
                "participant__email", "offering__term", "offering__course__title", "state"
            )
        ),
        "evaluations": sorted(
            (r.offering.term, r.offering.course.title, r.opens_on, r.closes_on, r.responses.count())
            for r in EvaluationRound.objects.filter(offering__in=demo_offerings())
        ),
        "respondents": sorted(
            Respondent.objects.filter(participant__in=demo_participants()).values_list(
                "participant__email", flat=True
            )
        ),
        "manager_log_ins": sorted(
            demo_participants()
            .filter(user__isnull=False)
            .values_list("user__email", "email", "user__first_name")
        ),
    }


def test_seed_demo_twice_gives_the_same_data():
    seed_demo()
    first = demo_snapshot()
    seed_demo()
    second = demo_snapshot()

    assert second == first
    assert first["municipalities"] == 15
    assert first["slots"] == 4
    assert first["courses"] == 5
    assert first["historic"] == 143
    assert len(first["emails"]) == first["participants"]


def test_the_demo_has_the_daily_work_to_try():
    """Requests to be nominated, an evaluation with answers, a manager with a certificate
    and one who may ask to be nominated, each with a log-in of their own."""
    seed_demo()

    requests = NominationRequest.objects.filter(participant__in=demo_participants())
    assert requests.filter(state=NominationRequestState.OPEN).count() >= 2
    assert {r.participant.municipality.name for r in requests} >= {"Borlänge"}
    assert all(
        r.offering in offerings_open_to(r.participant, progress_of(r.participant)) for r in requests
    )

    evaluation = EvaluationRound.objects.get(offering__in=demo_offerings())
    assert evaluation.responses.count() >= 5
    assert evaluation.closes_on < TODAY

    completed = Participant.objects.get(user__email=COMPLETED_MANAGER_EMAIL)
    assert completed.municipality.name == "Borlänge"
    assert valid_certificate(completed) is not None
    assert progress_of(completed).is_complete

    newcomer = Participant.objects.get(user__email=NEW_MANAGER_EMAIL)
    assert offerings_open_to(newcomer, progress_of(newcomer)).exists()
    assert not newcomer.nomination_requests.exists()
    assert len({MANAGER_EMAIL, COMPLETED_MANAGER_EMAIL, NEW_MANAGER_EMAIL}) == 3
    for email in (COMPLETED_MANAGER_EMAIL, NEW_MANAGER_EMAIL):
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert RoleAssignment.objects.filter(user=user, role=Role.MANAGER).exists()


def test_seed_demo_prints_a_log_in_for_every_demo_user():
    out = seed_demo()

    for _role, email in DEMO_USERS:
        assert email in out
    assert DEMO_PASSWORD in out


def test_seed_demo_gives_each_demo_user_their_role_and_password():
    seed_demo()

    # Every role has a demo log-in: the national administrator's comes with Gävleborg.
    gavleborg = {role for role, *_rest in GAVLEBORG_USERS}
    assert {role for role, _email in DEMO_USERS} | gavleborg == set(Role.values)
    for role, email in DEMO_USERS + [(role, email) for role, email, *_rest in GAVLEBORG_USERS]:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert RoleAssignment.objects.filter(user=user, role=role).exists()
    admin = User.objects.get(email="programadmin@demo.hvd.se")
    assert admin.is_staff
    assert admin.is_superuser
    assert list(
        RoleAssignment.objects.filter(user__email="hr.falun@demo.hvd.se").values_list(
            "municipality__name", flat=True
        )
    ) == ["Falun"]
    assert list(
        RoleAssignment.objects.filter(user__email="rad@demo.hvd.se").values_list(
            "region__short_name", flat=True
        )
    ) == ["HvD"]


def test_demo_manager_is_a_borlange_participant_half_way_through():
    seed_demo()

    participant = Participant.objects.get(user__email=MANAGER_EMAIL)
    assert participant.municipality.name == "Borlänge"
    assert participant.cohort.name == "Omgång 4 HT2025"
    assert participant.enrolments.filter(
        offering__term="HT2026", state=EnrolmentState.REGISTERED
    ).exists()


def test_rebuilding_the_demo_leaves_one_created_record_per_manager_in_history():
    history = history_manager(Participant)
    if history is None:
        pytest.skip("Participant keeps no history.")
    seed_demo()
    seed_demo()

    ids = set(demo_participants().values_list("pk", flat=True))
    records = list(history.filter(id__in=ids).values_list("id", "history_type"))
    assert sorted(records) == sorted((pk, "+") for pk in ids)
    assert not history.exclude(id__in=ids).exists()


def test_demo_has_passes_in_both_slot_one_alternatives():
    seed_demo()

    titles = set(
        Enrolment.objects.filter(
            participant__in=demo_participants(), slot__position=1, state=EnrolmentState.PASSED
        ).values_list("offering__course__title", flat=True)
    )
    assert titles == {"Ny som ledare", "Ledarskap för effektivt samarbete"}


def test_demo_has_participants_who_completed_the_programme():
    seed_demo()

    progress = progress_for(demo_participants().select_related("municipality"))
    completed = [p for p in progress.values() if p.is_complete and not p.exempt_from_programme]
    assert completed
    assert all(p.credits == 30 for p in completed)


def test_demo_current_participants_started_after_the_historic_ones():
    seed_demo()

    current = demo_participants().filter(cohort__name="Omgång 5 HT2026")
    assert current.exists()
    assert not set(current.values_list("pk", flat=True)) & historic_participant_ids()
    assert (
        not Enrolment.objects.filter(
            participant__cohort__name="Omgång 4 HT2025",
            offering__term_index=HT2026,
            slot__position=3,
        )
        .exclude(state=EnrolmentState.REGISTERED)
        .exists()
    )
    assert Enrolment.objects.filter(
        participant__in=current, offering__term="VT2027", state=EnrolmentState.NOMINATED
    ).exists()


def test_demo_offerings_follow_the_fixed_demo_day():
    seed_demo()

    offerings = CourseOffering.objects.filter(course__slot__programme__region__county_code="20")
    assert {o.state for o in offerings.filter(term_index__lt=HT2026)} == {OfferingState.FINISHED}
    assert {o.state for o in offerings.filter(term="HT2026")} == {OfferingState.RUNNING}
    vt2027 = offerings.filter(term="VT2027")
    assert {o.state for o in vt2027} == {OfferingState.OPEN}
    assert {o.application_deadline for o in vt2027} == {date(2026, 12, 15)}


def test_demo_work_emails_use_the_municipality_domain_in_ascii():
    seed_demo()

    for email in demo_participants().values_list("email", flat=True):
        assert email.isascii()
    emails = set(
        demo_participants()
        .filter(municipality__name="Malung-Sälen")
        .values_list("email", flat=True)
    )
    assert emails
    assert all(email.endswith("@malung-salen.se") for email in emails)


def test_demo_borlange_has_its_mandate_and_managers_not_yet_started():
    seed_demo()

    mandate = Mandate.objects.get(municipality__name="Borlänge")
    assert mandate.decided_on == date(2025, 6, 10)
    assert mandate.effective_from == date(2025, 7, 1)
    assert mandate.start_within_months == 12
    assert mandate.complete_within_months == 36
    assert mandate.fixed_completion_date == date(2028, 1, 31)
    waiting = demo_participants().filter(municipality__name="Borlänge", enrolments__isnull=True)
    assert waiting.filter(appointed_on__lt=date(2025, 6, 1)).exists()
    assert waiting.filter(appointed_on__gte=date(2025, 7, 1)).exists()


def scale_snapshot() -> dict:
    region = Region.objects.get(county_code="99")
    participants = Participant.objects.filter(municipality__region=region)
    return {
        "municipalities": Municipality.objects.filter(region=region).count(),
        "participants": participants.count(),
        "enrolments": Enrolment.objects.filter(participant__in=participants).count(),
        "emails": set(participants.values_list("email", flat=True)),
    }


def test_seed_scale_creates_the_requested_numbers_and_replaces_them_on_a_rerun():
    out = seed_scale("--municipalities", "3", "--participants", "50")
    first = scale_snapshot()
    seed_scale("--municipalities", "3", "--participants", "50")
    second = scale_snapshot()

    assert first["municipalities"] == 3
    assert first["participants"] == 50
    assert second == first
    assert "50 managers" in out
    assert Region.objects.filter(county_code="99").count() == 1


def test_seed_scale_resizes_the_synthetic_region():
    seed_scale("--municipalities", "3", "--participants", "50")
    seed_scale("--municipalities", "5", "--participants", "20")

    snapshot = scale_snapshot()
    assert snapshot["municipalities"] == 5
    assert snapshot["participants"] == 20
    codes = Municipality.objects.filter(region__county_code="99").values_list("code", flat=True)
    assert all(len(code) == 4 and code.isdigit() for code in codes)


def test_seed_scale_leaves_the_demo_region_alone():
    seed_demo()
    before = demo_snapshot()
    seed_scale("--municipalities", "2", "--participants", "10")

    assert demo_snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["--municipalities", "0", "--participants", "50"],
        ["--municipalities", "3", "--participants", "0"],
        ["--municipalities", "-1", "--participants", "50"],
        ["--municipalities", "1000", "--participants", "50"],
    ],
)
def test_seed_scale_rejects_numbers_out_of_range(args):
    with pytest.raises(CommandError):
        seed_scale(*args)

    assert not Region.objects.filter(county_code="99").exists()


# `make run PORT=…` ------------------------------------------------------------------------


def _settings_in_a_fresh_process(**environment) -> str:
    """The certificate link as a freshly started portal makes it, with this environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="1", **environment)
    code = (
        "import django; django.setup(); "
        "from reporting.builders.certificate import verify_url; print(verify_url('K7M2Q9XA'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_certificate_links_follow_the_port_served_unless_site_url_is_set():
    assert _settings_in_a_fresh_process() == "http://127.0.0.1:8000/intyg/K7M2Q9XA/"
    assert _settings_in_a_fresh_process(PORT="8001") == "http://127.0.0.1:8001/intyg/K7M2Q9XA/"
    assert (
        _settings_in_a_fresh_process(PORT="8001", SITE_URL="https://ledarskap.example.se")
        == "https://ledarskap.example.se/intyg/K7M2Q9XA/"
    )


def test_make_run_serves_on_the_port_asked_for_and_passes_it_on():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    serve = [line for line in dry_run.splitlines() if "runserver" in line]
    assert serve == [f"PORT=8001 {VENV_PYTHON} manage.py runserver 127.0.0.1:8001"]
