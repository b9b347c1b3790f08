"""Building blocks shared by the two seed commands: the Dalarna demo and synthetic data.

Everything here is deterministic: randomness comes from a `random.Random` the caller
seeds, and dates are fixed around `TODAY`, so that a seed gives the same data on any day.
Planning (who takes which course when, with which result) is pure Python; only the
`ensure_*`, `write_people` and `delete_people` functions touch the database.
"""

import json
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test.utils import override_settings

from enrolment.models import (
    CreditTransfer,
    CreditTransferKind,
    DeadlineDecision,
    Enrolment,
    EnrolmentEvent,
    EnrolmentState,
    Grade,
    OperationalArea,
    Participant,
    Position,
)
from portal.accounts.models import User
from programmes.models import (
    Administration,
    Course,
    CourseOffering,
    Municipality,
    OfferingMode,
    OfferingState,
    Programme,
    ProgrammeSlot,
)
from programmes.terms import Term

# The demo's fixed "today": HT2026 is running and VT2027 is open for nomination.
TODAY = date(2026, 11, 22)
FIRST_TERM = Term.parse("HT2022")
RUNNING_TERM = Term.of(TODAY)
OPEN_TERM = RUNNING_TERM.shift(1)
LAST_TERM = OPEN_TERM
TIME_ZONE = ZoneInfo("Europe/Stockholm")

BATCH_SIZE = 2000

REFERENCE_FILE = Path(__file__).with_name("dalarna.json")

ADMINISTRATIONS = ("Socialförvaltningen", "Vård- och omsorgsförvaltningen")


def ensure_places(region, listed) -> tuple[list, dict]:
    """A demo region's municipalities from its reference list, each with the two
    administrations; again on a second load without duplicates."""
    municipalities = [
        Municipality.objects.update_or_create(
            code=m["code"], defaults={"region": region, "name": m["name"]}
        )[0]
        for m in listed
    ]
    administrations = {
        m.pk: [
            Administration.objects.get_or_create(municipality=m, name=name)[0]
            for name in ADMINISTRATIONS
        ]
        for m in municipalities
    }
    return municipalities, administrations


# Which operational areas each of the two administrations usually runs, with weights.
AREAS_BY_ADMINISTRATION = (
    (
        (OperationalArea.INDIVIDUAL_AND_FAMILY, 50),
        (OperationalArea.SOCIAL_PSYCHIATRY, 20),
        (OperationalArea.LSS, 20),
        (OperationalArea.OTHER, 10),
    ),
    (
        (OperationalArea.ELDERLY_CARE, 60),
        (OperationalArea.HEALTH_CARE, 20),
        (OperationalArea.LSS, 20),
    ),
)
POSITIONS = (
    (Position.UNIT_MANAGER, 80),
    (Position.DEPUTY_UNIT_MANAGER, 12),
    (Position.OTHER, 8),
)

FIRST_NAMES = (
    "Anna", "Maria", "Karin", "Sara", "Lena", "Kristina", "Emma", "Johanna", "Elin",
    "Linnéa", "Åsa", "Märta", "Sofia", "Ingrid", "Malin", "Jenny", "Helena", "Camilla",
    "Therese", "Ulrika", "Annika", "Frida", "Ida", "Hanna", "Maja", "Agneta", "Birgitta",
    "Eva", "Cecilia", "Lovisa", "Matilda", "Anna-Karin", "Ylva", "Tove", "Signe", "Britt",
    "Erik", "Lars", "Anders", "Johan", "Per", "Karl", "Mikael", "Jonas", "Fredrik",
    "Magnus", "Mats", "Henrik", "Björn", "Göran", "Håkan", "Jörgen", "Stefan", "Niklas",
    "Mattias", "Olof", "Pär", "Ulf", "Daniel", "Emil", "Oskar", "Gustav", "Åke", "Sören",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Ström", "Sjöberg",
    "Forsberg", "Åberg", "Hedlund", "Dahlberg", "Ekström", "Holmberg", "Nyström", "Öberg",
    "Söderberg", "Björk", "Wallin", "Engström", "Hägglund", "Sjögren", "Östlund",
    "Håkansson", "Ståhl", "Mårtensson", "Näslund", "Bäckström", "Öhman", "Grönlund",
    "Brännström", "Halvarsson", "Mases", "Hedman", "Ersson", "Back", "Skoglund",
)  # fmt: skip


def demo_user(email, first_name, last_name, password, *, staff=False, superuser=False):
    """A demo log-in, written again on every load with its roles cleared (the loader
    gives them afresh); `password` is one hash for all, hashing being the slow part."""
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "password": password,
            "is_active": True,
            "is_staff": staff,
            "is_superuser": superuser,
        },
    )
    user.role_assignments.all().delete()
    return user


def load_reference() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def ascii_fold(text: str) -> str:
    """`Malung-Sälen` -> `malung-salen`: what Swedish e-mail addresses and domains use."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.replace(" ", "-")


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights`, each share at least `minimum`.

    Largest remainders, so the shares always add up to exactly `total`.
    """
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError("The total is smaller than the minimum shares.")
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    shares = [int(x) for x in exact]
    left = rest - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return [b + s for b, s in zip(base, shares, strict=True)]


def aware(day: date, rng) -> datetime:
    """A moment in office hours on `day`, Swedish time."""
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=TIME_ZONE)


def random_day(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


# --- The programme and its offerings -------------------------------------------------


@dataclass
class ProgrammeShape:
    programme: Programme
    slots: dict[int, ProgrammeSlot]
    courses: dict[int, list[Course]]

    @property
    def alternatives(self) -> dict[int, int]:
        return {position: len(courses) for position, courses in self.courses.items()}


def ensure_programme(*, region, provider, spec: dict) -> ProgrammeShape:
    """The programme, its slots and courses as `spec` (the JSON's "programme") has them."""
    programme, _ = Programme.objects.update_or_create(
        region=region,
        title=spec["title"],
        defaults={
            "provider": provider,
            "credits": Decimal(str(spec["credits_hp"])),
            "pace_percent": spec["study_pace_percent"],
            "normal_duration_years": spec["normal_duration_years"],
            "first_term": spec["first_term"],
        },
    )
    slots, courses = {}, {}
    for slot_spec in spec["slots"]:
        position = slot_spec["position"]
        credits = Decimal(str(slot_spec["credits_hp"]))
        slot, _ = ProgrammeSlot.objects.update_or_create(
            programme=programme, position=position, defaults={"credits": credits}
        )
        slots[position] = slot
        # The code is left alone: the programme administrator fills it in from Ladok.
        courses[position] = []
        for title in slot_spec["courses"]:
            course, _ = Course.objects.update_or_create(
                slot=slot, title=title, defaults={"credits": credits}
            )
            courses[position].append(course)
    return ProgrammeShape(programme=programme, slots=slots, courses=courses)


def offering_dates(term: Term) -> tuple[date, date, date]:
    """Start, end and nomination deadline of an offering in `term`."""
    deadline = date(term.year, 5, 15) if term.autumn else date(term.year - 1, 12, 15)
    return term.start, term.end, deadline


def offering_state(term: Term) -> str:
    if term < RUNNING_TERM:
        return OfferingState.FINISHED
    if term == RUNNING_TERM:
        return OfferingState.RUNNING
    if term == OPEN_TERM:
        return OfferingState.OPEN
    return OfferingState.PLANNED


def offered_terms(position: int) -> list[Term]:
    """The terms a slot is given in: cohorts start every autumn with slot 1 and take one
    slot a term, so slot n runs in the (n-1)th term after each autumn since FIRST_TERM."""
    terms = []
    for index in range(FIRST_TERM.index, LAST_TERM.index + 1):
        cohort_start = Term.from_index(index - (position - 1))
        if cohort_start.autumn and cohort_start >= FIRST_TERM:
            terms.append(Term.from_index(index))
    return terms


def offering_keys(shape: ProgrammeShape) -> list[tuple[int, int, int]]:
    """(slot position, course index within the slot, term index) of every offering."""
    return [
        (position, course, term.index)
        for position in sorted(shape.courses)
        for course in range(len(shape.courses[position]))
        for term in offered_terms(position)
    ]


def new_offering(shape: ProgrammeShape, key: tuple[int, int, int], seats: int) -> CourseOffering:
    position, course, term_index = key
    term = Term.from_index(term_index)
    start, end, deadline = offering_dates(term)
    return CourseOffering(
        course=shape.courses[position][course],
        term=str(term),
        term_index=term.index,
        start_date=start,
        end_date=end,
        pace_percent=shape.programme.pace_percent,
        mode=OfferingMode.BLENDED,
        seats=seats,
        application_deadline=deadline,
        state=offering_state(term),
    )


# --- Histories ------------------------------------------------------------------------


@dataclass(frozen=True)
class Odds:
    """How courses in finished terms end, and what people do next."""

    passed: float = 0.88
    failed: float = 0.05
    withdrawn: float = 0.04
    deferred: float = 0.03
    distinction: float = 0.12  # share of passes graded VG
    retake: float = 0.6  # retake a failed course a year later
    switch_alternative: float = 0.3  # retake slot 1 with the other course
    resume: float = 0.35  # come back a year after withdrawing
    not_yet_nominated: float = 0.12  # for the open term
    admitted_early: float = 0.3  # for the open term


ODDS = Odds()

# The path each final state is reached by.
_PATHS = {
    EnrolmentState.NOMINATED: (EnrolmentState.NOMINATED,),
    EnrolmentState.ADMITTED: (EnrolmentState.NOMINATED, EnrolmentState.ADMITTED),
    EnrolmentState.REGISTERED: (
        EnrolmentState.NOMINATED,
        EnrolmentState.ADMITTED,
        EnrolmentState.REGISTERED,
    ),
    EnrolmentState.DEFERRED: (
        EnrolmentState.NOMINATED,
        EnrolmentState.ADMITTED,
        EnrolmentState.DEFERRED,
    ),
}
for _final in (EnrolmentState.PASSED, EnrolmentState.FAILED, EnrolmentState.WITHDRAWN):
    _PATHS[_final] = (*_PATHS[EnrolmentState.REGISTERED], _final)

_NOTES = {
    EnrolmentState.DEFERRED: "Skjuter upp kursen till nästa kurstillfälle.",
    EnrolmentState.WITHDRAWN: "Avbrott på deltagarens begäran.",
}

# States that take up one of the offering's seats.
SEAT_STATES = frozenset(
    {
        EnrolmentState.ADMITTED,
        EnrolmentState.REGISTERED,
        EnrolmentState.PASSED,
        EnrolmentState.FAILED,
        EnrolmentState.WITHDRAWN,
    }
)


@dataclass
class PlannedEnrolment:
    position: int
    course: int
    term: int
    state: str
    grade: str = ""
    result_date: date | None = None
    # (from_state, to_state, at, note)
    events: list[tuple[str, str, datetime, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.position, self.course, self.term)


@dataclass
class PlannedTransfer:
    position: int | None  # None: the whole programme
    reason: str
    decided_on: date
    kind: str = CreditTransferKind.CREDIT_TRANSFER


@dataclass
class PlannedParticipant:
    participant: Participant
    enrolments: list[PlannedEnrolment] = field(default_factory=list)
    transfers: list[PlannedTransfer] = field(default_factory=list)


def _dated(rng, position: int, course: int, term_index: int, state: str, odds: Odds):
    term = Term.from_index(term_index)
    start, end, deadline = offering_dates(term)
    planned = PlannedEnrolment(position=position, course=course, term=term_index, state=state)
    if state in (EnrolmentState.PASSED, EnrolmentState.FAILED):
        planned.result_date = end + timedelta(days=rng.randint(-4, 14))
        if state == EnrolmentState.FAILED:
            planned.grade = Grade.FAIL
        elif rng.random() < odds.distinction:
            planned.grade = Grade.PASS_WITH_DISTINCTION
        else:
            planned.grade = Grade.PASS

    nominated_on = min(deadline, TODAY) - timedelta(days=rng.randint(3, 40))
    days = {
        EnrolmentState.NOMINATED: nominated_on,
        EnrolmentState.ADMITTED: (
            nominated_on + timedelta(days=rng.randint(1, 2))
            if deadline > TODAY
            else deadline + timedelta(days=rng.randint(2, 10))
        ),
        EnrolmentState.REGISTERED: start + timedelta(days=rng.randint(0, 6)),
        EnrolmentState.DEFERRED: deadline + timedelta(days=rng.randint(12, 30)),
        EnrolmentState.WITHDRAWN: start + timedelta(days=rng.randint(14, 70)),
        EnrolmentState.PASSED: planned.result_date,
        EnrolmentState.FAILED: planned.result_date,
    }
    previous = ""
    for step in _PATHS[state]:
        note = _NOTES.get(step, "")
        if step in (EnrolmentState.PASSED, EnrolmentState.FAILED):
            note = f"Betyg {planned.grade}."
        planned.events.append((previous, step, aware(days[step], rng), note))
        previous = step
    return planned


def _outcome(rng, odds: Odds, *, first: bool) -> str:
    # A person's first course always ends with a grade, so everyone counted as having
    # taken a course in a term did take it, whatever definition a report uses.
    if first:
        return EnrolmentState.PASSED if rng.random() < 0.93 else EnrolmentState.FAILED
    roll = rng.random()
    for state, share in (
        (EnrolmentState.PASSED, odds.passed),
        (EnrolmentState.FAILED, odds.failed),
        (EnrolmentState.WITHDRAWN, odds.withdrawn),
    ):
        if roll < share:
            return state
        roll -= share
    return EnrolmentState.DEFERRED


def plan_history(
    rng,
    *,
    start: Term,
    alternatives: dict[int, int],
    credited=frozenset(),
    odds: Odds = ODDS,
) -> list[PlannedEnrolment]:
    """The enrolments of someone whose cohort starts in `start`, up to the open term.

    One slot a term in order; a failed course may be retaken a year later while the cohort
    goes on; deferring or coming back after withdrawing puts the rest a year later.
    """
    plans: list[PlannedEnrolment] = []
    shift = 0
    for position in sorted(alternatives):
        if position in credited:
            continue
        course = rng.randrange(alternatives[position])
        term = start.index + position - 1 + shift
        retaken = False
        while term <= LAST_TERM.index:
            if term > RUNNING_TERM.index:
                if rng.random() >= odds.not_yet_nominated:
                    state = (
                        EnrolmentState.ADMITTED
                        if rng.random() < odds.admitted_early
                        else EnrolmentState.NOMINATED
                    )
                    plans.append(_dated(rng, position, course, term, state, odds))
                break
            if term == RUNNING_TERM.index:
                plans.append(_dated(rng, position, course, term, EnrolmentState.REGISTERED, odds))
                break
            state = _outcome(rng, odds, first=not plans)
            plans.append(_dated(rng, position, course, term, state, odds))
            if state == EnrolmentState.PASSED:
                break
            if state == EnrolmentState.FAILED:
                if retaken or rng.random() >= odds.retake:
                    break
                retaken = True
                if alternatives[position] > 1 and rng.random() < odds.switch_alternative:
                    course = (course + 1) % alternatives[position]
                term += 2
                continue
            if state == EnrolmentState.WITHDRAWN and rng.random() >= odds.resume:
                return plans
            shift += 2
            term += 2
    return plans


def leave_after(rng, person: PlannedParticipant, term_index: int) -> None:
    """The person left the manager role after `term_index`: later courses never happened."""
    person.enrolments = [e for e in person.enrolments if e.term <= term_index]
    left_on = Term.from_index(term_index).end + timedelta(days=rng.randint(10, 120))
    participant = person.participant
    participant.left_on = min(left_on, TODAY - timedelta(days=1))


def seats_taken(people: list[PlannedParticipant]) -> Counter:
    taken = Counter()
    for person in people:
        for planned in person.enrolments:
            if planned.state in SEAT_STATES:
                taken[planned.key] += 1
    return taken


# --- People ---------------------------------------------------------------------------


class PeopleMaker:
    """Makes managers with believable names, unique e-mail addresses and employee numbers."""

    def __init__(self, rng):
        self.rng = rng
        self._emails = Counter()
        self._employee_numbers = defaultdict(set)

    def _pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def manager(
        self, *, municipality, administrations, domain: str, appointed_on: date, cohort=None
    ) -> Participant:
        rng = self.rng
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{ascii_fold(first_name)}.{ascii_fold(last_name)}"
        self._emails[(local, domain)] += 1
        count = self._emails[(local, domain)]
        if count > 1:
            local = f"{local}{count}"
        numbers = self._employee_numbers[municipality.pk]
        number = rng.randint(10000, 99999)
        while number in numbers:
            number = rng.randint(10000, 99999)
        numbers.add(number)
        which = 0 if rng.random() < 0.45 else 1
        return Participant(
            first_name=first_name,
            last_name=last_name,
            email=f"{local}@{domain}",
            employee_number=str(number),
            municipality=municipality,
            administration=administrations[which],
            operational_area=self._pick(AREAS_BY_ADMINISTRATION[which]),
            position=self._pick(POSITIONS),
            appointed_on=appointed_on,
            cohort=cohort,
        )

    def appointed_before(self, day: date, *, min_days=30, max_days=3650) -> date:
        return day - timedelta(days=self.rng.randint(min_days, max_days))


# --- Writing --------------------------------------------------------------------------


def history_manager(model):
    """The django-simple-history manager of `model`, or None if it keeps no history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


def delete_people(participants) -> None:
    """Delete these participants with everything that hangs on them, history included.

    Rebuilding seed data is no one's change to a manager, so it leaves no trace in the
    managers' history. Children go first in set-based deletes, so that the collector has
    little left to walk for the participants themselves.
    """
    ids = list(participants.values_list("pk", flat=True))
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        EnrolmentEvent.objects.filter(enrolment__participant__in=participants).delete()
        CreditTransfer.objects.filter(participant__in=participants).delete()
        DeadlineDecision.objects.filter(participant__in=participants).delete()
        Enrolment.objects.filter(participant__in=participants).delete()
        participants.delete()
    decisions = history_manager(DeadlineDecision)
    if decisions is not None:
        decisions.filter(participant_id__in=ids).delete()
    history = history_manager(Participant)
    if history is not None:
        for begin in range(0, len(ids), BATCH_SIZE):
            history.filter(id__in=ids[begin : begin + BATCH_SIZE]).delete()


def write_people(
    people: list[PlannedParticipant],
    *,
    shape: ProgrammeShape,
    offerings: dict[tuple[int, int, int], CourseOffering],
    admin=None,
    nominators=None,
    reason: str = "",
    batch_size: int = BATCH_SIZE,
) -> Counter:
    """Insert the planned people in batches; returns how many rows of each kind.

    Admission, registration and results are the programme administrator's decisions;
    nominations are the municipality's (its HR administrator, where there is one).
    `reason` is the change reason of each manager's first history record.
    """
    nominators = {m: user.pk for m, user in (nominators or {}).items()}
    admin_id = admin.pk if admin else None
    offering_ids = {key: offering.pk for key, offering in offerings.items()}
    slots = {position: (slot.pk, slot.credits) for position, slot in shape.slots.items()}
    history = history_manager(Participant)
    counts = Counter()
    # Ids rather than instances: setting a foreign key through its descriptor is the
    # slow part of building a few hundred thousand rows.
    for begin in range(0, len(people), batch_size):
        chunk = people[begin : begin + batch_size]
        created = Participant.objects.bulk_create(
            [p.participant for p in chunk], batch_size=batch_size
        )
        if history is not None:
            # bulk_create sends no post_save, so the first history record is written here.
            history.bulk_history_create(
                created, batch_size=batch_size, default_change_reason=reason
            )
        enrolments, planned_of, transfers = [], [], []
        for person in chunk:
            participant_id = person.participant.pk
            nominator_id = nominators.get(person.participant.municipality_id)
            for planned in person.enrolments:
                slot_id, credits = slots[planned.position]
                enrolments.append(
                    Enrolment(
                        participant_id=participant_id,
                        offering_id=offering_ids[planned.key],
                        slot_id=slot_id,
                        state=planned.state,
                        grade=planned.grade,
                        credits=credits if planned.state == EnrolmentState.PASSED else None,
                        result_date=planned.result_date,
                    )
                )
                planned_of.append((planned, nominator_id))
            transfers.extend(
                CreditTransfer(
                    participant_id=participant_id,
                    programme_id=shape.programme.pk,
                    slot_id=slots[t.position][0] if t.position else None,
                    kind=t.kind,
                    reason=t.reason,
                    decided_on=t.decided_on,
                    approved_by_id=admin_id,
                )
                for t in person.transfers
            )
        Enrolment.objects.bulk_create(enrolments, batch_size=batch_size)
        events = [
            EnrolmentEvent(
                enrolment_id=enrolment.pk,
                from_state=from_state,
                to_state=to_state,
                at=at,
                note=note,
                actor_id=nominator_id if to_state == EnrolmentState.NOMINATED else admin_id,
            )
            for enrolment, (planned, nominator_id) in zip(enrolments, planned_of, strict=True)
            for from_state, to_state, at, note in planned.events
        ]
        EnrolmentEvent.objects.bulk_create(events, batch_size=batch_size)
        CreditTransfer.objects.bulk_create(transfers, batch_size=batch_size)
        counts["participants"] += len(chunk)
        counts["enrolments"] += len(enrolments)
        counts["events"] += len(events)
        counts["credit_transfers"] += len(transfers)
    return counts
