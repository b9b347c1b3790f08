"""factory_boy factories for the portal's models, one per model, used by every test."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from enrolment.models import (
    CreditTransfer,
    DeadlineDecision,
    DeadlineDecisionKind,
    DeadlineDecisionReason,
    Enrolment,
    EnrolmentState,
    Mandate,
    OperationalArea,
    Participant,
    Position,
    PreviousPost,
)
from portal.accounts.models import RoleAssignment, User
from programmes.models import (
    Administration,
    Course,
    CourseOffering,
    Municipality,
    OfferingState,
    Programme,
    ProgrammeSlot,
    Provider,
    Region,
)
from programmes.terms import Term

PASSWORD = "korrekt-häst-batteri-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.se")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["county_code"]

    name = "Hälsa och välfärd i Dalarna"
    short_name = "HvD"
    county = "Dalarnas län"
    county_code = "20"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Kommun {n}")
    code = factory.Sequence(lambda n: f"{1000 + n:04d}")


class AdministrationFactory(DjangoModelFactory):
    class Meta:
        model = Administration

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Socialförvaltning {n}")


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["name"]

    name = "Högskolan Dalarna"


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    region = factory.SubFactory(RegionFactory)
    provider = factory.SubFactory(ProviderFactory)
    title = "Ledarskapsutbildning för chefer"
    credits = Decimal("30.0")
    first_term = "HT2022"


class SlotFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeSlot

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n % 4 + 1)
    credits = Decimal("7.5")


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    slot = factory.SubFactory(SlotFactory)
    title = factory.Sequence(lambda n: f"Kurs {n}")
    credits = Decimal("7.5")


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = CourseOffering

    course = factory.SubFactory(CourseFactory)
    term = "HT2025"
    start_date = factory.LazyAttribute(lambda o: Term.parse(o.term).start)
    end_date = factory.LazyAttribute(lambda o: Term.parse(o.term).end)
    seats = 30
    state = OfferingState.OPEN


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    first_name = factory.Sequence(lambda n: ["Åsa", "Örjan", "Märta", "Anders", "Karin"][n % 5])
    last_name = factory.Sequence(lambda n: f"Ström{n}")
    email = factory.Sequence(lambda n: f"chef{n}@kommun.se")
    municipality = factory.SubFactory(MunicipalityFactory)
    operational_area = OperationalArea.ELDERLY_CARE
    position = Position.UNIT_MANAGER
    appointed_on = date(2023, 3, 1)


class PreviousPostFactory(DjangoModelFactory):
    """A post held before a move; set the manager's in_municipality_since to valid_to."""

    class Meta:
        model = PreviousPost

    participant = factory.SubFactory(ParticipantFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    position = Position.UNIT_MANAGER
    valid_to = date(2026, 9, 1)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    offering = factory.SubFactory(OfferingFactory)
    slot = factory.LazyAttribute(lambda o: o.offering.course.slot)
    state = EnrolmentState.REGISTERED


class PassedEnrolmentFactory(EnrolmentFactory):
    state = EnrolmentState.PASSED
    grade = "G"
    credits = Decimal("7.5")
    result_date = factory.LazyAttribute(lambda o: o.offering.end_date)


class CreditTransferFactory(DjangoModelFactory):
    class Meta:
        model = CreditTransfer

    participant = factory.SubFactory(ParticipantFactory)
    programme = factory.LazyAttribute(lambda o: o.slot.programme if o.slot else None)
    slot = None
    reason = "Motsvarande utbildning på avancerad nivå"
    decided_on = date(2024, 5, 2)


class MandateFactory(DjangoModelFactory):
    class Meta:
        model = Mandate

    municipality = factory.SubFactory(MunicipalityFactory)
    decided_on = date(2025, 6, 10)
    decision_body = "Kommunstyrelsen"
    reference = "KS 2025/123"
    effective_from = date(2025, 7, 1)
    start_within_months = 12
    complete_within_months = 36


class PauseFactory(DjangoModelFactory):
    class Meta:
        model = DeadlineDecision

    participant = factory.SubFactory(ParticipantFactory)
    kind = DeadlineDecisionKind.PAUSE
    reason = DeadlineDecisionReason.PARENTAL_LEAVE
    paused_from = date(2026, 1, 1)
    paused_to = date(2026, 10, 31)
    decided_on = factory.LazyAttribute(lambda o: o.paused_from)


class ExtensionFactory(DjangoModelFactory):
    class Meta:
        model = DeadlineDecision

    participant = factory.SubFactory(ParticipantFactory)
    kind = DeadlineDecisionKind.EXTENSION
    reason = DeadlineDecisionReason.SICK_LEAVE
    decided_on = date(2026, 11, 1)


def offering_for(course, term, **fields):
    """The offering of a course in a term, created when the test has none yet."""
    existing = CourseOffering.objects.filter(course=course, term=term).first()
    return existing or OfferingFactory(course=course, term=term, **fields)


def pass_course(participant, course, term="HT2023", credits=Decimal("7.5"), grade="G"):
    """A pass for a participant on a course, in that course's offering for the term."""
    offering = offering_for(course, term, state=OfferingState.FINISHED)
    return PassedEnrolmentFactory(
        participant=participant, offering=offering, credits=credits, grade=grade
    )
