"""Synthetic data of any size for benchmarks: regions of their own, shaped like Dalarna.

One synthetic region by default (county code 99), or several (`regions`, county codes
99 downwards, as the nation's 21), each with its own programme, the municipalities
(codes 9001–9999) shared out among them, and several providers: each region's programme
is given by one provider and, in every other region, by a second one too. Synthetic data
never touches real data, and building it again replaces it whole.
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
    ProgrammeProvider,
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
# County codes of the synthetic regions: 99 downwards, far from the real 01–25.
MAX_REGIONS = 21
REGIONS_PER_PROVIDER = 3
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


def region_spec(number: int) -> dict:
    """The synthetic region `number` (0 is the one of a single-region run)."""
    if number == 0:
        return dict(REGION)
    return {
        "name": f"Syntetisk region {number + 1:02d}",
        "short_name": f"SYN{number + 1:02d}",
        "county": f"Syntetiskt län {number + 1:02d}",
        "county_code": f"{99 - number:02d}",
    }


def delete_synthetic_region() -> None:
    for number in range(MAX_REGIONS):
        region = Region.objects.filter(county_code=region_spec(number)["county_code"]).first()
        if region is not None:
            _delete_region(region)


def _delete_region(region) -> None:
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
    *,
    municipalities: int,
    participants: int,
    seed: int = DEFAULT_SEED,
    batch_size=BATCH_SIZE,
    regions: int = 1,
) -> ScaleSummary:
    if not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValueError(f"municipalities must be between 1 and {MAX_MUNICIPALITIES}.")
    if participants < 1:
        raise ValueError("participants must be at least 1.")
    if not 1 <= regions <= min(MAX_REGIONS, municipalities):
        raise ValueError(
            f"regions must be between 1 and {MAX_REGIONS}, and no more than the municipalities."
        )
    began = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        delete_synthetic_region()
        region_rows = [Region.objects.create(**region_spec(n)) for n in range(regions)]
        # Municipality n belongs to region n mod regions: every region gets its share.
        rows = Municipality.objects.bulk_create(
            [
                Municipality(
                    region=region_rows[(n - 1) % regions],
                    name=f"Syntetisk kommun {n:03d}",
                    code=municipality_code(n),
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

        providers = [
            Provider.objects.get_or_create(name=PROVIDER if k == 0 else f"{PROVIDER} {k + 1}")[0]
            for k in range(max(1, (regions + REGIONS_PER_PROVIDER - 1) // REGIONS_PER_PROVIDER))
        ]
        counts = {"participants": 0, "enrolments": 0, "events": 0, "credit_transfers": 0}
        offerings = []
        # Managers shared out by municipality, then planned region by region.
        in_region = [[m for m in rows if m.region_id == region.pk] for region in region_rows]
        shares = apportion(participants, [len(found) for found in in_region])
        for number, (region, found, share) in enumerate(
            zip(region_rows, in_region, shares, strict=True)
        ):
            made = _build_region(
                rng,
                region=region,
                municipalities=found,
                administrations=by_municipality,
                participants=share,
                providers=providers,
                number=number,
                several=regions > 1,
                batch_size=batch_size,
            )
            offerings += made["offerings"]
            for key in counts:
                counts[key] += made["counts"][key]

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


def _build_region(
    rng,
    *,
    region,
    municipalities,
    administrations,
    participants,
    providers,
    number,
    several,
    batch_size,
) -> dict:
    """One synthetic region's programme, cohorts, managers and offerings."""
    lead = providers[number // REGIONS_PER_PROVIDER % len(providers)]
    shape = ensure_programme(region=region, provider=lead, spec=load_reference()["programme"])
    if several:
        ProgrammeProvider.objects.create(programme=shape.programme, provider=lead)
        second = providers[(number // REGIONS_PER_PROVIDER + 1) % len(providers)]
        if number % 2 and second != lead:
            ProgrammeProvider.objects.create(programme=shape.programme, provider=second)
    cohorts = {}
    for count, index in enumerate(range(FIRST_TERM.index, RUNNING_TERM.index + 1, 2), 1):
        term = Term.from_index(index)
        cohorts[index] = Cohort(
            programme=shape.programme, name=f"Omgång {count} {term}", start_term=str(term)
        )
    Cohort.objects.bulk_create(cohorts.values())
    if participants == 0:
        people = []
    else:
        people = _plan_people(rng, municipalities, administrations, shape, cohorts, participants)
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
    return {"offerings": offerings, "counts": counts}


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
