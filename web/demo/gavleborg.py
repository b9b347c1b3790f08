"""The second demo region, beside Dalarna: Välfärdsutveckling Gävleborg (gavleborg.json),
ten municipalities and Högskolan i Gävle. It shows that a region is data, not code: its
own programme (illustrative, started HT2024), given by Högskolan i Gävle everywhere and
by Högskolan Dalarna for the two municipalities next to Dalarna; an equivalence table
that says which of Dalarna's courses fill its slots; its own programme administrator,
council and HR log-ins; Gävle's mandate, under which a manager who moves here starts
the clock anew. A national body and its administrator read both regions' aggregates.

Building it again gives the same data: the region's people are deleted and made anew
from the same seed inside one transaction.
"""

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from enrolment.models import Enrolment, EnrolmentState, Grade, Mandate, Participant
from portal.accounts.models import Role, RoleAssignment, User
from programmes.models import (
    Course,
    CourseEquivalence,
    CourseOffering,
    NationalBody,
    Programme,
    ProgrammeProvider,
    Provider,
    Region,
)
from programmes.terms import Term

from . import (
    TODAY,
    PeopleMaker,
    ascii_fold,
    delete_people,
    demo_user,
    ensure_places,
    ensure_programme,
    offering_dates,
    offering_state,
)

REFERENCE_FILE = Path(__file__).with_name("gavleborg.json")
SEED = 20240826
DEMO_PASSWORD = "demo-ledare-2026"
FIRST_TERM = Term.parse("HT2024")
LAST_TERM = Term.of(TODAY).shift(1)
MANAGERS = 60

PROGRAMME = {
    "title": "Ledarskap i välfärden – Gävleborg",
    "credits_hp": 30,
    "study_pace_percent": 25,
    "normal_duration_years": 2,
    "first_term": str(FIRST_TERM),
    "slots": [
        {"position": 1, "credits_hp": 7.5, "courses": ["Att leda i välfärden"]},
        {"position": 2, "credits_hp": 7.5, "courses": ["Juridik för chefer i välfärden"]},
        {"position": 3, "credits_hp": 7.5, "courses": ["Arbetsmiljö, hälsa och samverkan"]},
        {"position": 4, "credits_hp": 7.5, "courses": ["Verksamhetsutveckling och styrning"]},
    ],
}
# Gävleborg's equivalence table: Dalarna's courses and the slot each fills here.
EQUIVALENCES = {
    "Ny som ledare": 1,
    "Ledarskap för effektivt samarbete": 1,
    "Ledarskapets juridik": 2,
    "Kommunal styrning och förändringsarbete": 4,
}
# Högskolan Dalarna also gives Gävleborg's courses, for the municipalities next to Dalarna.
SECOND_PROVIDER = "Högskolan Dalarna"
SECOND_PROVIDER_MUNICIPALITIES = ("Ovanåker", "Ljusdal")

USERS = [
    (Role.PROGRAMME_ADMIN, "programadmin@demo.vg.se", "Lena", "Berglund", None),
    (Role.COUNCIL, "rad@demo.vg.se", "Göran", "Hallberg", None),
    (Role.HR_ADMIN, "hr.gavle@demo.vg.se", "Maria", "Sjöberg", "Gävle"),
    (Role.NATIONAL_ADMIN, "nationell@demo.ledarskap.se", "Eva", "Lindgren", None),
]
NATIONAL_BODY = "Nationella ledarskapsprogrammet (demo)"
SCOPES = {
    "programadmin@demo.vg.se": "VG (whole region)",
    "rad@demo.vg.se": "VG (aggregates only)",
    "hr.gavle@demo.vg.se": "Gävle",
    "nationell@demo.ledarskap.se": "every region (aggregates only)",
}


@dataclass
class GavleborgSummary:
    municipalities: int
    offerings: int
    participants: int
    enrolments: int


def _terms() -> list[Term]:
    return [Term.from_index(i) for i in range(FIRST_TERM.index, LAST_TERM.index + 1)]


def _offerings(shape, providers) -> dict[tuple[int, int], CourseOffering]:
    """One offering a term of each slot a cohort starting in an autumn would take then;
    the lead provider's, and in autumns also Högskolan Dalarna's of slot 1."""
    made = {}
    for term in _terms():
        for position, courses in shape.courses.items():
            start = Term.from_index(term.index - (position - 1))
            if not (start.autumn and start >= FIRST_TERM):
                continue
            first, end, deadline = offering_dates(term)
            offering, _ = CourseOffering.objects.update_or_create(
                course=courses[0],
                term=str(term),
                defaults={
                    "start_date": first,
                    "end_date": end,
                    "application_deadline": deadline,
                    "pace_percent": shape.programme.pace_percent,
                    "seats": 30,
                    "state": offering_state(term),
                    "provider": providers["lead"],
                },
            )
            made[position, term.index] = offering
    return made


def _people(rng, municipalities, administrations, offerings) -> tuple[int, int]:
    maker = PeopleMaker(rng)
    people = []
    for n in range(MANAGERS):
        municipality = municipalities[n % len(municipalities)]
        people.append(
            maker.manager(
                municipality=municipality,
                administrations=administrations[municipality.pk],
                domain=f"{ascii_fold(municipality.name)}.se",
                appointed_on=maker.appointed_before(date(2024, 6, 1), max_days=2500),
            )
        )
    Participant.objects.bulk_create(people)
    enrolments = []
    for person in people:
        # Cohorts of HT2024 and HT2025 (and some not started): one slot a term.
        start = rng.choice([FIRST_TERM, FIRST_TERM.shift(2), None])
        if start is None:
            continue
        for position in range(1, 5):
            term = start.shift(position - 1)
            offering = offerings.get((position, term.index))
            if offering is None:
                break
            finished = offering.end_date < TODAY
            state = (
                rng.choices([EnrolmentState.PASSED, EnrolmentState.FAILED], [9, 1])[0]
                if finished
                else EnrolmentState.REGISTERED
            )
            passed = state == EnrolmentState.PASSED
            enrolments.append(
                Enrolment(
                    participant=person,
                    offering=offering,
                    slot_id=offering.course.slot_id,
                    state=state,
                    grade=Grade.PASS if passed else (Grade.FAIL if finished else ""),
                    credits=Decimal("7.5") if passed else None,
                    result_date=offering.end_date + timedelta(days=14) if finished else None,
                )
            )
            if not passed:
                break
    Enrolment.objects.bulk_create(enrolments)
    return len(people), len(enrolments)


def _users(region, by_name, national_body) -> dict[str, User]:
    password = make_password(DEMO_PASSWORD)
    users = {}
    for role, email, first_name, last_name, municipality in USERS:
        user = demo_user(email, first_name, last_name, password, staff=role == Role.PROGRAMME_ADMIN)
        RoleAssignment.objects.create(
            user=user,
            role=role,
            region=region if role in (Role.PROGRAMME_ADMIN, Role.COUNCIL) else None,
            municipality=by_name[municipality] if municipality else None,
            national_body=national_body if role == Role.NATIONAL_ADMIN else None,
        )
        users[email] = user
    return users


def build_gavleborg() -> GavleborgSummary:
    rng = random.Random(SEED)
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    with transaction.atomic():
        region, _ = Region.objects.update_or_create(
            county_code=data["region"]["county_code"],
            defaults={key: data["region"][key] for key in ("name", "short_name", "county")},
        )
        municipalities, administrations = ensure_places(region, data["municipalities"])
        by_name = {m.name: m for m in municipalities}
        lead, _ = Provider.objects.get_or_create(name=data["provider"]["name"])
        second, _ = Provider.objects.get_or_create(name=SECOND_PROVIDER)
        shape = ensure_programme(region=region, provider=lead, spec=PROGRAMME)
        programme = shape.programme
        ProgrammeProvider.objects.filter(programme=programme).delete()
        ProgrammeProvider.objects.create(programme=programme, provider=lead)
        nearby = ProgrammeProvider.objects.create(programme=programme, provider=second)
        nearby.municipalities.set([by_name[name] for name in SECOND_PROVIDER_MUNICIPALITIES])

        delete_people(Participant.objects.filter(municipality__region=region))
        Mandate.objects.filter(municipality__region=region).delete()
        offerings = _offerings(shape, {"lead": lead})
        # Högskolan Dalarna gives slot 1 in the spring as well, for its two municipalities
        # (one offering of a course a term: the lead provider's are in the autumns).
        spring = LAST_TERM if not LAST_TERM.autumn else LAST_TERM.shift(1)
        start, end, deadline = offering_dates(spring)
        CourseOffering.objects.update_or_create(
            course=shape.courses[1][0],
            term=str(spring),
            defaults={
                "start_date": start,
                "end_date": end,
                "application_deadline": deadline,
                "pace_percent": programme.pace_percent,
                "seats": 20,
                "state": offering_state(spring),
                "provider": second,
            },
        )
        participants, enrolments = _people(rng, municipalities, administrations, offerings)

        CourseEquivalence.objects.filter(programme=programme).delete()
        dalarna_courses = Course.objects.filter(title__in=EQUIVALENCES).exclude(
            slot__programme=programme
        )
        CourseEquivalence.objects.bulk_create(
            CourseEquivalence(
                programme=programme, course=course, slot=shape.slots[EQUIVALENCES[course.title]]
            )
            for course in dalarna_courses.select_related("slot")
        )
        Mandate.objects.create(
            municipality=by_name["Gävle"],
            decided_on=date(2025, 9, 22),
            decision_body="Kommunstyrelsen i Gävle",
            reference="KS 2025/871",
            effective_from=date(2026, 1, 1),
            start_within_months=12,
            complete_within_months=36,
            fixed_completion_date=date(2029, 6, 30),
            clock_restarts_on_arrival=True,
        )
        national_body, _ = NationalBody.objects.get_or_create(
            name=NATIONAL_BODY, defaults={"short_name": "NLP"}
        )
        _users(region, by_name, national_body)
        return GavleborgSummary(
            municipalities=len(municipalities),
            offerings=CourseOffering.objects.filter(course__slot__programme=programme).count(),
            participants=participants,
            enrolments=enrolments,
        )


def programme_of_region(region) -> Programme:
    return Programme.objects.get(region=region, title=PROGRAMME["title"])
