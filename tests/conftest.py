"""Fixtures shared by every test: a small region, and one persona per role.

The personas are reused across the suite so that each URL can be checked against every
role that must not see it (see tests/portal/test_scoping.py).
"""

from dataclasses import dataclass, fields

import pytest
from django.conf import settings
from django.utils import translation

from portal.accounts.models import Role
from tests import factories as f


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The tests run on PostgreSQL: set DATABASE_URL "
            "(make test sets postgres://postgres@127.0.0.1:5432/ledarskap)."
        )
    # Hashing with the production hasher costs a third of a second a user; tests make many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A committed write would have a worker make the council's figures of every region:
    # only the tests of that (tests/reporting/test_warming.py) ask for it.
    settings.FIGURES_WARM_SECONDS = None


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the thread (as every request sets its
    own, the portal never reads it after): the next test starts in the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    region: object
    programme: object
    slots: list
    courses: dict
    falun: object
    borlange: object
    falun_social: object
    borlange_social: object
    borlange_care: object


@pytest.fixture
def world(db) -> World:
    """Dalarna in miniature: the programme with its five courses and two municipalities."""
    region = f.RegionFactory()
    programme = f.ProgrammeFactory(region=region)
    slots = [f.SlotFactory(programme=programme, position=i) for i in range(1, 5)]
    courses = {
        "new": f.CourseFactory(slot=slots[0], title="Ny som ledare"),
        "collab": f.CourseFactory(slot=slots[0], title="Ledarskap för effektivt samarbete"),
        "steering": f.CourseFactory(slot=slots[1], title="Kommunal styrning och förändringsarbete"),
        "law": f.CourseFactory(slot=slots[2], title="Ledarskapets juridik"),
        "systems": f.CourseFactory(slot=slots[3], title="Styrsystem och utveckling"),
    }
    falun = f.MunicipalityFactory(region=region, name="Falun", code="2080")
    borlange = f.MunicipalityFactory(region=region, name="Borlänge", code="2081")
    return World(
        region=region,
        programme=programme,
        slots=slots,
        courses=courses,
        falun=falun,
        borlange=borlange,
        falun_social=f.AdministrationFactory(municipality=falun, name="Socialförvaltningen"),
        borlange_social=f.AdministrationFactory(municipality=borlange, name="Socialförvaltningen"),
        borlange_care=f.AdministrationFactory(
            municipality=borlange, name="Vård- och omsorgsförvaltningen"
        ),
    )


def _user(email, role=None, **scope):
    user = f.UserFactory(email=email)
    if role:
        f.RoleAssignmentFactory(user=user, role=role, **scope)
    return user


@dataclass
class Personas:
    programme_admin: object
    hr_falun: object
    hr_borlange: object
    head_borlange: object
    head_borlange_social: object
    council: object
    manager: object
    manager_participant: object
    no_role: object

    @staticmethod
    def names() -> set[str]:
        """Every persona who logs in, for parametrising scope tests."""
        return {f.name for f in fields(Personas)} - {"manager_participant"}

    def all(self):
        return {
            "programme_admin": self.programme_admin,
            "hr_falun": self.hr_falun,
            "hr_borlange": self.hr_borlange,
            "head_borlange": self.head_borlange,
            "head_borlange_social": self.head_borlange_social,
            "council": self.council,
            "manager": self.manager,
            "no_role": self.no_role,
        }


@pytest.fixture
def personas(world) -> Personas:
    manager = _user("chef@borlange.se", Role.MANAGER)
    participant = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        first_name="Märta",
        last_name="Ståhl",
        email="marta.stahl@borlange.se",
        user=manager,
    )
    return Personas(
        programme_admin=_user("admin@hvd.se", Role.PROGRAMME_ADMIN, region=world.region),
        hr_falun=_user("hr@falun.se", Role.HR_ADMIN, municipality=world.falun),
        hr_borlange=_user("hr@borlange.se", Role.HR_ADMIN, municipality=world.borlange),
        head_borlange=_user(
            "chef.soc@borlange.se", Role.HEAD_OF_ADMINISTRATION, municipality=world.borlange
        ),
        head_borlange_social=_user(
            "forvaltning@borlange.se",
            Role.HEAD_OF_ADMINISTRATION,
            administration=world.borlange_social,
        ),
        council=_user("rad@hvd.se", Role.COUNCIL, region=world.region),
        manager=manager,
        manager_participant=participant,
        no_role=_user("ingen@example.se"),
    )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on Redis and the test database, for the session.

    Tests that use it must commit their data (`transactional_db`), since the worker reads
    the database through its own connection.
    """
    from tests.workers import purge_queue, start_worker, stop_worker, wait_until_ready

    if not settings.REDIS_URL:
        raise pytest.UsageError("Tests with a Celery worker need REDIS_URL (make test sets it).")
    with django_db_blocker.unblock():
        purge_queue()
        process = start_worker()
        try:
            wait_until_ready(process)
            yield process
        finally:
            stop_worker(process)


# --- A second region, and the nation above both (issue 17) -------------------------------
# Added beside `world` and `personas`, which stay as they are: tests that need two regions
# ask for these as well.


@dataclass
class SecondRegion:
    region: object
    provider: object
    programme: object
    slots: list
    courses: dict
    gavle: object
    sandviken: object
    gavle_social: object


@pytest.fixture
def gavleborg(world) -> SecondRegion:
    """Gävleborg in miniature, beside `world`: its own programme given by Högskolan i
    Gävle, with course titles of its own, and two municipalities."""
    region = f.RegionFactory(
        name="Region Gävleborg", short_name="Gävleborg", county="Gävleborgs län", county_code="21"
    )
    provider = f.ProviderFactory(name="Högskolan i Gävle")
    programme = f.ProgrammeFactory(
        region=region, provider=provider, title="Ledarskap i välfärden, Gävleborg"
    )
    slots = [f.SlotFactory(programme=programme, position=i) for i in range(1, 5)]
    courses = {
        "lead": f.CourseFactory(slot=slots[0], title="Att leda i välfärden"),
        "law": f.CourseFactory(slot=slots[1], title="Förvaltningsrätt för chefer"),
        "work": f.CourseFactory(slot=slots[2], title="Arbetsmiljö och hälsa"),
        "change": f.CourseFactory(slot=slots[3], title="Verksamhetsutveckling"),
    }
    gavle = f.MunicipalityFactory(region=region, name="Gävle", code="2180")
    sandviken = f.MunicipalityFactory(region=region, name="Sandviken", code="2181")
    return SecondRegion(
        region=region,
        provider=provider,
        programme=programme,
        slots=slots,
        courses=courses,
        gavle=gavle,
        sandviken=sandviken,
        gavle_social=f.AdministrationFactory(municipality=gavle, name="Socialförvaltningen"),
    )


@dataclass
class RegionPersonas:
    """One persona per role of the second region (and its manager's record)."""

    programme_admin: object
    hr_gavle: object
    head_gavle: object
    council: object
    manager: object
    manager_participant: object

    def all(self):
        return {
            "programme_admin": self.programme_admin,
            "hr_gavle": self.hr_gavle,
            "head_gavle": self.head_gavle,
            "council": self.council,
            "manager": self.manager,
        }


@pytest.fixture
def gavleborg_personas(gavleborg) -> RegionPersonas:
    manager = _user("chef@gavle.se", Role.MANAGER)
    participant = f.ParticipantFactory(
        municipality=gavleborg.gavle,
        administration=gavleborg.gavle_social,
        first_name="Gunnel",
        last_name="Hälsinge",
        email="gunnel.halsinge@gavle.se",
        user=manager,
    )
    return RegionPersonas(
        programme_admin=_user(
            "admin@regiongavleborg.se", Role.PROGRAMME_ADMIN, region=gavleborg.region
        ),
        hr_gavle=_user("hr@gavle.se", Role.HR_ADMIN, municipality=gavleborg.gavle),
        head_gavle=_user(
            "forvaltning@gavle.se", Role.HEAD_OF_ADMINISTRATION, municipality=gavleborg.gavle
        ),
        council=_user("rad@regiongavleborg.se", Role.COUNCIL, region=gavleborg.region),
        manager=manager,
        manager_participant=participant,
    )


@pytest.fixture
def national_body(db):
    from programmes.models import NationalBody

    return NationalBody.objects.create(name="Socialstyrelsen", short_name="SoS")


@pytest.fixture
def national_admin(national_body):
    """The national administrator: every region's aggregates, no individual."""
    return _user("nationell@socialstyrelsen.se", Role.NATIONAL_ADMIN, national_body=national_body)
