"""Synthetic data of any size for benchmarks: a region of its own, shaped like Dalarna.

The synthetic region (county code 99, municipality codes 9001–9999) never touches real
data, and building it again replaces it whole.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from enrolment.models import Cohort, CreditTransferKind, Mandate, Participant
from programmes.models import (
    Administration,
    Course,
    CourseOffering,
    Municipality,
    Programme,
    ProgrammeSlot,
    Provider,
    Region,
)
from programmes.terms import Term

from . import (
    ADMINISTRATIONS,
    BATCH_SIZE,
    FIRST_TERM,
    RUNNING_TERM,
    TODAY,
    PeopleMaker,
    PlannedParticipant,
    PlannedTransfer,
    apportion,
    delete_people,
    ensure_programme,
    leave_after,
    load_reference,
    new_offering,
    offering_keys,
    plan_history,
    random_day,
    seats_taken,
    write_people,
)

REGION = {
    "name": "Syntetisk region",
    "short_name": "SYN",
    "county": "Syntetiskt län",
    "county_code": "99",
}
PROVIDER = "Syntetiska högskolan"
# Real kommunkoder run from 0114 to 2584, so 9001 upwards can never clash with one.
CODE_BASE = 9000
MAX_MUNICIPALITIES = 999
DEFAULT_SEED = 99
HISTORY_REASON = "Synthetic data (seed_scale)"

NOT_STARTED = 0.15
LEFT = 0.05
CREDIT_TRANSFER = 0.02
EXEMPTION = 0.01
WITH_MANDATE = 3  # every third municipality has made the programme mandatory


@dataclass
class ScaleSummary:
    municipalities: int
    administrations: int
    offerings: int
    participants: int
    enrolments: int
    events: int
    credit_transfers: int
    mandates: int
    seconds: float


def municipality_code(number: int) -> str:
    return f"{CODE_BASE + number:04d}"


def delete_synthetic_region() -> None:
    region = Region.objects.filter(county_code=REGION["county_code"]).first()
    if region is None:
        return
    delete_people(Participant.objects.filter(municipality__region=region))
    Mandate.objects.filter(municipality__region=region).delete()
    programmes = Programme.objects.filter(region=region)
    CourseOffering.objects.filter(course__slot__programme__in=programmes).delete()
    Course.objects.filter(slot__programme__in=programmes).delete()
    ProgrammeSlot.objects.filter(programme__in=programmes).delete()
    Cohort.objects.filter(programme__in=programmes).delete()
    programmes.delete()
    Administration.objects.filter(municipality__region=region).delete()
    Municipality.objects.filter(region=region).delete()
    region.delete()


def build_scale(
    *, municipalities: int, participants: int, seed: int = DEFAULT_SEED, batch_size=BATCH_SIZE
) -> ScaleSummary:
    if not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValueError(f"municipalities must be between 1 and {MAX_MUNICIPALITIES}.")
    if participants < 1:
        raise ValueError("participants must be at least 1.")
    began = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        delete_synthetic_region()
        region = Region.objects.create(**REGION)
        rows = Municipality.objects.bulk_create(
            [
                Municipality(
                    region=region, name=f"Syntetisk kommun {n:03d}", code=municipality_code(n)
                )
                for n in range(1, municipalities + 1)
            ],
            batch_size=batch_size,
        )
        administrations = Administration.objects.bulk_create(
            [Administration(municipality=m, name=name) for m in rows for name in ADMINISTRATIONS],
            batch_size=batch_size,
        )
        by_municipality = {}
        for administration in administrations:
            by_municipality.setdefault(administration.municipality_id, []).append(administration)

        provider, _ = Provider.objects.get_or_create(name=PROVIDER)
        shape = ensure_programme(
            region=region, provider=provider, spec=load_reference()["programme"]
        )
        cohorts = {}
        for number, index in enumerate(range(FIRST_TERM.index, RUNNING_TERM.index + 1, 2), 1):
            term = Term.from_index(index)
            cohorts[index] = Cohort(
                programme=shape.programme, name=f"Omgång {number} {term}", start_term=str(term)
            )
        Cohort.objects.bulk_create(cohorts.values())

        people = _plan_people(rng, rows, by_municipality, shape, cohorts, participants)
        taken = seats_taken(people)
        offerings = CourseOffering.objects.bulk_create(
            [
                # Seats in round tens above what was used, as a provider would plan them.
                new_offering(shape, key, max(30, (taken[key] * 11 // 10 + 9) // 10 * 10))
                for key in offering_keys(shape)
            ],
            batch_size=batch_size,
        )
        by_key = dict(zip(offering_keys(shape), offerings, strict=True))
        counts = write_people(
            people, shape=shape, offerings=by_key, reason=HISTORY_REASON, batch_size=batch_size
        )

        mandates = Mandate.objects.bulk_create(
            [
                _mandate(rng, municipality)
                for number, municipality in enumerate(rows)
                if number % WITH_MANDATE == 0
            ],
            batch_size=batch_size,
        )
    return ScaleSummary(
        municipalities=len(rows),
        administrations=len(administrations),
        offerings=len(offerings),
        participants=counts["participants"],
        enrolments=counts["enrolments"],
        events=counts["events"],
        credit_transfers=counts["credit_transfers"],
        mandates=len(mandates),
        seconds=time.monotonic() - began,
    )


def _mandate(rng, municipality) -> Mandate:
    decided_on = random_day(rng, date(2024, 1, 1), date(2026, 6, 30))
    # In force from the first of the month after the decision.
    effective_from = date(decided_on.year + decided_on.month // 12, decided_on.month % 12 + 1, 1)
    return Mandate(
        municipality=municipality,
        decided_on=decided_on,
        decision_body="Kommunstyrelsen",
        reference=f"KS {decided_on.year}/{rng.randint(100, 999)}",
        effective_from=effective_from,
        positions=["unit_manager", "deputy_unit_manager", "other"],
        operational_areas=[],
        start_within_months=12,
        complete_within_months=36,
        fixed_completion_date=date(2028, 6, 30),
    )


def _plan_people(rng, municipalities, administrations, shape, cohorts, total):
    maker = PeopleMaker(rng)
    # Municipalities differ in size as real ones do: a few large, many small.
    weights = [rng.lognormvariate(0, 0.9) for _ in municipalities]
    starts = sorted(cohorts)
    positions = [p for p in sorted(shape.slots) if p > 1]
    people = []
    for municipality, share in zip(municipalities, apportion(total, weights), strict=True):
        domain = f"kommun{municipality.code}.syntetisk.example"
        for _ in range(share):
            started = rng.random() >= NOT_STARTED
            start = Term.from_index(rng.choice(starts)) if started else None
            appointed_on = maker.appointed_before(
                start.start if start else date(2026, 10, 31), max_days=4000
            )
            participant = maker.manager(
                municipality=municipality,
                administrations=administrations[municipality.pk],
                domain=domain,
                appointed_on=appointed_on,
                cohort=cohorts[start.index] if start else None,
            )
            person = PlannedParticipant(participant=participant)
            people.append(person)
            if not started:
                if rng.random() < EXEMPTION:
                    person.transfers.append(
                        PlannedTransfer(
                            None,
                            "Motsvarande ledarutbildning, 30 hp.",
                            min(TODAY, appointed_on + timedelta(days=rng.randint(30, 300))),
                            kind=CreditTransferKind.EXEMPTION,
                        )
                    )
                continue
            if rng.random() < CREDIT_TRANSFER:
                position = rng.choice(positions)
                person.transfers.append(
                    PlannedTransfer(
                        position,
                        "Tillgodoräknande av motsvarande kurs, 7,5 hp.",
                        start.start - timedelta(days=rng.randint(20, 90)),
                    )
                )
            person.enrolments = plan_history(
                rng,
                start=start,
                alternatives=shape.alternatives,
                credited={t.position for t in person.transfers},
            )
            if start < RUNNING_TERM and rng.random() < LEFT:
                leave_after(rng, person, rng.randint(start.index, RUNNING_TERM.index - 1))
    return people
