"""The Dalarna demo: Hälsa och välfärd i Dalarna as it stands on the demo's fixed day.

Four cohorts (HT2022–HT2025) make up the 143 managers who have taken a course so far;
a fifth started in HT2026; VT2027 is open for nomination; Borlänge has made the programme
mandatory. Building it again gives the same data: the region's people are deleted and
made anew from the same seed inside one transaction.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max

from enrolment.facts import TOOK_COURSE_STATES
from enrolment.models import (
    Cohort,
    CreditTransferKind,
    DeadlineDecision,
    DeadlineDecisionKind,
    DeadlineDecisionReason,
    Enrolment,
    EnrolmentState,
    Mandate,
    NominationRequest,
    Participant,
    Position,
)
from enrolment.progress import progress_of
from enrolment.selectors import offerings_open_to
from enrolment.services.requests import nomination_request_create
from portal.accounts.models import Role, RoleAssignment, User
from programmes.models import (
    Administration,
    CourseOffering,
    Provider,
    Region,
)
from programmes.terms import Term
from reporting.builders.certificate import completion_problem
from reporting.evaluations.models import (
    EvaluationRound,
    PendingResponse,
    QuestionKind,
    Questionnaire,
    Respondent,
    Response,
)
from reporting.evaluations.pending import pending_release
from reporting.evaluations.services import response_submit
from reporting.models import Certificate
from reporting.services.certificates import CODE_ALPHABET, CODE_LENGTH

from . import (
    FIRST_TERM,
    RUNNING_TERM,
    TODAY,
    PeopleMaker,
    PlannedParticipant,
    PlannedTransfer,
    apportion,
    ascii_fold,
    delete_people,
    demo_user,
    ensure_places,
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

SEED = 20220829
HISTORY_REASON = "Demo data (seed_demo)"

DEMO_PASSWORD = "demo-ledare-2026"
DEMO_USERS = [
    (Role.PROGRAMME_ADMIN, "programadmin@demo.hvd.se"),
    (Role.HR_ADMIN, "hr.borlange@demo.hvd.se"),
    (Role.HR_ADMIN, "hr.falun@demo.hvd.se"),
    (Role.HEAD_OF_ADMINISTRATION, "forvaltningschef.borlange@demo.hvd.se"),
    (Role.COUNCIL, "rad@demo.hvd.se"),
    (Role.MANAGER, "chef@demo.hvd.se"),
    (Role.MANAGER, "chef.klar@demo.hvd.se"),
    (Role.MANAGER, "chef.ny@demo.hvd.se"),
]
MANAGER_EMAIL = "chef@demo.hvd.se"
# A Borlänge manager who has completed the programme and holds its certificate.
COMPLETED_MANAGER_EMAIL = "chef.klar@demo.hvd.se"
# A Borlänge manager between courses, who may ask to be nominated to the next one.
NEW_MANAGER_EMAIL = "chef.ny@demo.hvd.se"
MANAGER_EMAILS = (MANAGER_EMAIL, COMPLETED_MANAGER_EMAIL, NEW_MANAGER_EMAIL)

# email: (first name, last name, municipality of the role's scope or None for the region)
_STAFF = {
    "programadmin@demo.hvd.se": ("Karin", "Dahlström", None),
    "hr.borlange@demo.hvd.se": ("Sofia", "Hedlund", "Borlänge"),
    "hr.falun@demo.hvd.se": ("Johan", "Ekman", "Falun"),
    "forvaltningschef.borlange@demo.hvd.se": ("Per", "Wikström", "Borlänge"),
    "rad@demo.hvd.se": ("Margareta", "Svärd", None),
}

# Cohorts 1–4 together are the 143 managers who took a course from HT2022 to HT2025.
HISTORIC_COHORT_SIZES = (34, 36, 37, 36)
CURRENT_COHORT_SIZE = 33
HISTORIC_PARTICIPANTS = sum(HISTORIC_COHORT_SIZES)
LAST_HISTORIC_TERM = Term.parse("HT2025")
COHORT_COUNT = len(HISTORIC_COHORT_SIZES) + 1

# Relative number of first-line managers in social services, roughly by population.
_SIZE = {
    "Borlänge": 12, "Falun": 12, "Ludvika": 7, "Mora": 6, "Avesta": 6, "Hedemora": 5,
    "Leksand": 5, "Smedjebacken": 4, "Gagnef": 4, "Rättvik": 4, "Säter": 4,
    "Malung-Sälen": 3, "Orsa": 3, "Älvdalen": 3, "Vansbro": 2,
}  # fmt: skip
BORLANGE_NOT_STARTED = 15
MANDATE_DECIDED_ON = date(2025, 6, 10)

BORLANGE_MANDATE = {
    "decided_on": MANDATE_DECIDED_ON,
    "decision_body": "Kommunstyrelsen",
    "reference": "KS 2025/123",
    "effective_from": date(2025, 7, 1),
    "positions": [Position.UNIT_MANAGER, Position.DEPUTY_UNIT_MANAGER, Position.OTHER],
    "operational_areas": [],
    "start_within_months": 12,
    "complete_within_months": 36,
    "fixed_completion_date": date(2028, 1, 31),
    "notes": (
        "Chefer inom socialtjänstens, omsorgens och den kommunala hälso- och sjukvårdens "
        "verksamheter ska genomgå ledarskapsutbildningen."
    ),
}

_TRANSFERS = (
    # (cohort number, slot position, decision date, reason)
    (
        2,
        2,
        date(2023, 12, 5),
        "Tillgodoräknande av kursen Offentlig styrning och ledning, 7,5 hp, "
        "Mittuniversitetet (2019). Motsvarar kursens lärandemål.",
    ),
    (
        3,
        3,
        date(2025, 6, 2),
        "Tillgodoräknande av kursen Förvaltningsrätt för chefer i socialtjänsten, 7,5 hp, "
        "Uppsala universitet (2021).",
    ),
)
_EXEMPTION_REASON = (
    "Har genomgått motsvarande ledarutbildning: Chefsutbildning i socialtjänst och omsorg, "
    "30 hp, Linnéuniversitetet (2018)."
)
LEAVERS = 5


@dataclass
class DemoSummary:
    municipalities: int
    administrations: int
    offerings: int
    participants: int
    historic_participants: int
    current_participants: int
    not_started: int
    enrolments: int
    events: int
    credit_transfers: int
    mandates: int
    certificates: int = 0
    nomination_requests: int = 0
    evaluation_answers: int = 0


def cohort_name(number: int, term: Term) -> str:
    return f"Omgång {number} {term}"


def municipality_domain(name: str) -> str:
    return f"{ascii_fold(name)}.se"


def build_demo() -> DemoSummary:
    rng = random.Random(SEED)
    data = load_reference()
    with transaction.atomic():
        region, _ = Region.objects.update_or_create(
            county_code=data["region"]["county_code"],
            defaults={
                "name": data["region"]["name"],
                "short_name": data["region"]["short_name"],
                "county": data["region"]["county"],
            },
        )
        municipalities, administrations = ensure_places(region, data["municipalities"])
        by_name = {m.name: m for m in municipalities}
        provider, _ = Provider.objects.get_or_create(name=data["provider"]["name"])
        shape = ensure_programme(region=region, provider=provider, spec=data["programme"])

        _delete_evaluations(shape)
        delete_people(Participant.objects.filter(municipality__region=region))
        Mandate.objects.filter(municipality__region=region).delete()
        Cohort.objects.filter(programme=shape.programme).delete()
        cohorts = [
            Cohort.objects.create(
                programme=shape.programme,
                name=cohort_name(number, FIRST_TERM.shift(2 * (number - 1))),
                start_term=str(FIRST_TERM.shift(2 * (number - 1))),
            )
            for number in range(1, COHORT_COUNT + 1)
        ]

        maker = PeopleMaker(rng)
        people = _plan_people(rng, maker, municipalities, administrations, shape, cohorts)
        chef = _pick_manager(people, by_name["Borlänge"], cohorts[-2])

        users = _ensure_users(region, by_name, chef.participant)
        admin = users["programadmin@demo.hvd.se"]
        offerings = _ensure_offerings(rng, shape, seats_taken(people))
        nominators = {
            by_name["Borlänge"].pk: users["hr.borlange@demo.hvd.se"],
            by_name["Falun"].pk: users["hr.falun@demo.hvd.se"],
        }
        chef.participant.user = users[MANAGER_EMAIL]
        counts = write_people(
            people,
            shape=shape,
            offerings=offerings,
            admin=admin,
            nominators=nominators,
            reason=HISTORY_REASON,
        )

        Mandate.objects.create(municipality=by_name["Borlänge"], **BORLANGE_MANDATE)
        _pause_one(by_name["Borlänge"], users["hr.borlange@demo.hvd.se"])
        _issue_certificates(rng, region)
        _link_manager(users[COMPLETED_MANAGER_EMAIL], _completed_manager(by_name["Borlänge"]))
        newcomer = _new_manager(by_name["Borlänge"])
        _link_manager(users[NEW_MANAGER_EMAIL], newcomer)
        _ask_to_be_nominated([by_name["Borlänge"], by_name["Falun"]], newcomer)
        _evaluate(rng, shape)

        historic = (
            Enrolment.objects.filter(
                participant__municipality__region=region,
                offering__term_index__gte=FIRST_TERM.index,
                offering__term_index__lte=LAST_HISTORIC_TERM.index,
            )
            .values("participant")
            .distinct()
            .count()
        )
        current = sum(1 for p in people if p.participant.cohort_id == cohorts[-1].pk)
        return DemoSummary(
            municipalities=len(municipalities),
            administrations=Administration.objects.filter(municipality__region=region).count(),
            offerings=len(offerings),
            participants=counts["participants"],
            historic_participants=historic,
            current_participants=current,
            not_started=sum(1 for p in people if not p.enrolments),
            enrolments=counts["enrolments"],
            events=counts["events"],
            credit_transfers=counts["credit_transfers"],
            mandates=Mandate.objects.filter(municipality__region=region).count(),
            certificates=Certificate.objects.filter(
                participant__municipality__region=region
            ).count(),
            nomination_requests=NominationRequest.objects.filter(
                participant__municipality__region=region
            ).count(),
            evaluation_answers=Respondent.objects.filter(
                round__offering__course__slot__programme=shape.programme
            ).count(),
        )


def _pause_one(municipality, hr_user) -> None:
    """One manager not yet started on parental leave: the clock stands still for them."""
    on_leave = (
        Participant.objects.filter(municipality=municipality, enrolments__isnull=True)
        .exclude(user__isnull=False)
        .order_by("last_name", "pk")
        .first()
    )
    if on_leave is not None:
        DeadlineDecision.objects.create(
            participant=on_leave,
            kind=DeadlineDecisionKind.PAUSE,
            reason=DeadlineDecisionReason.PARENTAL_LEAVE,
            paused_from=TODAY - timedelta(days=120),
            paused_to=TODAY + timedelta(days=180),
            decided_on=TODAY - timedelta(days=130),
            decided_by=hr_user,
        )


# --- Daily work: certificates, requests to be nominated, a course evaluation -----------

REQUEST_MESSAGES = (
    "Jag vill gärna börja i vår, om det finns plats.",
    "Min chef har sagt att jag ska gå utbildningen. Går det att börja nu?",
    "",
)
EVALUATION_COMMENTS = (
    "Bra blandning av teori och egna fall.",
    "Handledningen i gruppen var det bästa.",
    "Svårt att få tid till studierna i vardagen.",
    "",
)
EVALUATION_RESPONDENTS = 12


def _issue_certificates(rng, region) -> None:
    """Every manager who has completed the programme holds its certificate, dated on
    their last result; the codes come from the seed, so that a re-run gives the same."""
    completed = (
        Participant.objects.filter(
            municipality__region=region, enrolments__state=EnrolmentState.PASSED
        )
        .annotate(last_result=Max("enrolments__result_date"))
        .order_by("last_name", "first_name", "email")
        .distinct()
    )
    certificates = []
    for participant in completed:
        progress = progress_of(participant, on=TODAY)
        if not progress.is_complete or completion_problem(participant, progress):
            continue
        certificates.append(
            Certificate(
                participant=participant,
                programme=progress.programme,
                code="".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
                issued_on=participant.last_result or TODAY,
            )
        )
    # In bulk: certificates issued long ago announce nothing by e-mail today.
    Certificate.objects.bulk_create(certificates)


def _completed_manager(municipality) -> Participant:
    return (
        Participant.objects.filter(
            municipality=municipality,
            user__isnull=True,
            left_on__isnull=True,
            certificates__revoked_at__isnull=True,
            certificates__isnull=False,
        )
        .order_by("last_name", "first_name", "email")
        .first()
    )


ACTIVE_STATES = (
    EnrolmentState.NOMINATED,
    EnrolmentState.ADMITTED,
    EnrolmentState.REGISTERED,
    EnrolmentState.WAITLISTED,
)


def _may_ask(municipality, *, exclude=(), count: int):
    """Managers in post with a course behind them and none under way, to whom an open
    offering is offered (the portal's own rule, `offerings_open_to`): each with it."""
    candidates = (
        Participant.objects.filter(
            municipality=municipality,
            user__isnull=True,
            left_on__isnull=True,
            enrolments__state=EnrolmentState.PASSED,
        )
        .exclude(enrolments__state__in=ACTIVE_STATES)
        .exclude(pk__in=[p.pk for p in exclude])
        .exclude(certificates__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    found = []
    for participant in candidates:
        offering = offerings_open_to(participant, progress_of(participant, on=TODAY)).first()
        if offering is not None:
            found.append((participant, offering))
        if len(found) == count:
            break
    return found


def _new_manager(municipality) -> Participant:
    """A manager between courses, who may ask to be nominated to the next one."""
    return _may_ask(municipality, count=1)[0][0]


def _link_manager(user, participant) -> None:
    """The log-in of a demo manager is their own record's; a set-based update, since
    linking a demo account is no one's change to the manager."""
    Participant.objects.filter(pk=participant.pk).update(user=user)
    User.objects.filter(pk=user.pk).update(
        first_name=participant.first_name, last_name=participant.last_name
    )


def _ask_to_be_nominated(municipalities, newcomer) -> None:
    """Two managers of each municipality ask HR to be nominated to their next course."""
    for municipality in municipalities:
        for number, (participant, offering) in enumerate(
            _may_ask(municipality, exclude=[newcomer], count=2)
        ):
            nomination_request_create(
                participant=participant,
                offering=offering,
                message=REQUEST_MESSAGES[number % len(REQUEST_MESSAGES)],
            )


def _delete_evaluations(shape) -> None:
    rounds = EvaluationRound.objects.filter(offering__course__slot__programme=shape.programme)
    Response.objects.filter(round__in=rounds).delete()
    PendingResponse.objects.filter(round__in=rounds).delete()
    Respondent.objects.filter(round__in=rounds).delete()
    rounds.delete()


def _evaluate(rng, shape) -> None:
    """The first course of HT2025 was evaluated: a closed round with a dozen answers,
    released into the results as the portal releases them."""
    offering = (
        CourseOffering.objects.filter(
            course__slot__programme=shape.programme, course__slot__position=1, term="HT2025"
        )
        .order_by("course__pk")
        .first()
    )
    questionnaire = (
        Questionnaire.objects.filter(region=shape.programme.region).order_by("pk").first()
        or Questionnaire.objects.filter(region__isnull=True).order_by("pk").first()
    )
    if offering is None or questionnaire is None:
        return
    opens_on = offering.end_date + timedelta(days=1)
    evaluation = EvaluationRound.objects.create(
        offering=offering,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=27),
    )
    questions = list(questionnaire.questions.order_by("position"))
    respondents = list(
        Participant.objects.filter(
            enrolments__offering=offering, enrolments__state__in=TOOK_COURSE_STATES
        )
        .order_by("last_name", "first_name", "email")
        .distinct()
    )
    for day, participant in enumerate(
        rng.sample(respondents, min(EVALUATION_RESPONDENTS, len(respondents)))
    ):
        answers = {
            q.pk: (
                rng.choice((3, 4, 4, 5, 5, 2))
                if q.kind == QuestionKind.LIKERT
                else rng.choice(EVALUATION_COMMENTS)
            )
            for q in questions
        }
        response_submit(
            evaluation_round=evaluation,
            participant=participant,
            answers=answers,
            on=opens_on + timedelta(days=day % 20),
        )
    pending_release(evaluation_round=evaluation, closing=True)


def _plan_people(rng, maker, municipalities, administrations, shape, cohorts):
    weights = [_SIZE.get(m.name, 3) for m in municipalities]

    def manager(municipality, **kwargs):
        return maker.manager(
            municipality=municipality,
            administrations=administrations[municipality.pk],
            domain=municipality_domain(municipality.name),
            **kwargs,
        )

    # Every municipality has sent someone; the cohorts are cut from one shuffled list.
    seats = [
        m
        for m, share in zip(
            municipalities,
            apportion(HISTORIC_PARTICIPANTS, weights, minimum=2),
            strict=True,
        )
        for _ in range(share)
    ]
    rng.shuffle(seats)
    people = []
    historic = {}
    begin = 0
    for number, size in enumerate(HISTORIC_COHORT_SIZES, start=1):
        cohort = cohorts[number - 1]
        start = Term.parse(cohort.start_term)
        historic[number] = []
        for municipality in seats[begin : begin + size]:
            participant = manager(
                municipality, appointed_on=maker.appointed_before(start.start), cohort=cohort
            )
            person = PlannedParticipant(participant=participant)
            historic[number].append((person, start))
            people.append(person)
        begin += size

    for cohort_number, position, decided_on, reason in _TRANSFERS:
        person, _ = rng.choice(historic[cohort_number])
        person.transfers.append(PlannedTransfer(position, reason, decided_on))
    for group in historic.values():
        for person, start in group:
            credited = {t.position for t in person.transfers}
            person.enrolments = plan_history(
                rng, start=start, alternatives=shape.alternatives, credited=credited
            )

    leavers = [p for group in historic.values() for p, _ in group if not p.transfers]
    for person in rng.sample(leavers, LEAVERS):
        first = person.enrolments[0].term
        leave_after(rng, person, rng.randint(first, RUNNING_TERM.index - 1))

    current_weights = [
        w * (2 if m.name == "Borlänge" else 1) for m, w in zip(municipalities, weights, strict=True)
    ]
    cohort = cohorts[-1]
    start = Term.parse(cohort.start_term)
    for municipality, share in zip(
        municipalities, apportion(CURRENT_COHORT_SIZE, current_weights, minimum=1), strict=True
    ):
        for _ in range(share):
            participant = manager(
                municipality, appointed_on=maker.appointed_before(start.start), cohort=cohort
            )
            person = PlannedParticipant(participant=participant)
            person.enrolments = plan_history(rng, start=start, alternatives=shape.alternatives)
            people.append(person)

    for municipality in municipalities:
        if municipality.name == "Borlänge":
            # On both sides of the mandate, so that its two deadline rules both apply.
            before = [
                random_day(rng, date(2014, 1, 1), date(2025, 5, 31))
                for _ in range(BORLANGE_NOT_STARTED // 2 + 1)
            ]
            after = [
                random_day(rng, date(2025, 7, 1), date(2026, 10, 31))
                for _ in range(BORLANGE_NOT_STARTED - len(before))
            ]
            days = before + after
        else:
            days = [
                random_day(rng, date(2012, 1, 1), date(2026, 10, 31))
                for _ in range(rng.randint(2, 5))
            ]
        for day in days:
            people.append(PlannedParticipant(participant=manager(municipality, appointed_on=day)))

    exempt = next(
        p
        for p in people
        if p.participant.municipality.name == "Borlänge"
        and not p.enrolments
        and p.participant.appointed_on < MANDATE_DECIDED_ON
    )
    exempt.transfers.append(
        PlannedTransfer(
            None,
            _EXEMPTION_REASON,
            date(2025, 9, 15),
            kind=CreditTransferKind.EXEMPTION,
        )
    )
    return people


def _pick_manager(people, borlange, cohort) -> PlannedParticipant:
    """A Borlänge manager of the cohort half-way through: two passes, one course running."""
    candidates = [
        p
        for p in people
        if p.participant.municipality == borlange
        and p.participant.cohort == cohort
        and p.participant.left_on is None
        and not p.transfers
    ]
    for person in candidates:
        states = [e.state for e in person.enrolments]
        if states[:3] == ["passed", "passed", "registered"]:
            return person
    return candidates[0]


def _ensure_users(region, municipalities_by_name, chef) -> dict[str, User]:
    # One hash for all: the same password, and hashing is the slow part of a re-run.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for role, email in DEMO_USERS:
        if email in users:
            continue
        if email == MANAGER_EMAIL:
            first_name, last_name = chef.first_name, chef.last_name
        elif email in MANAGER_EMAILS:
            # Named after their own record once it is written (`_link_manager`).
            first_name, last_name = "", ""
        else:
            first_name, last_name, _scope = _STAFF[email]
        is_admin = role == Role.PROGRAMME_ADMIN
        users[email] = demo_user(
            email, first_name, last_name, password, staff=is_admin, superuser=is_admin
        )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=users[email],
            role=role,
            region=region if role in (Role.PROGRAMME_ADMIN, Role.COUNCIL) else None,
            municipality=(
                municipalities_by_name[_STAFF[email][2]]
                if role in (Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION)
                else None
            ),
        )
        for role, email in DEMO_USERS
    )
    return users


def _ensure_offerings(rng, shape, taken) -> dict[tuple[int, int, int], CourseOffering]:
    offerings = {}
    for key in offering_keys(shape):
        seats = max(rng.randint(30, 40), taken[key])
        planned = new_offering(shape, key, seats)
        offering, _ = CourseOffering.objects.update_or_create(
            course=planned.course,
            term=planned.term,
            defaults={
                field: getattr(planned, field)
                for field in (
                    "start_date",
                    "end_date",
                    "pace_percent",
                    "mode",
                    "seats",
                    "application_deadline",
                    "state",
                )
            },
        )
        offerings[key] = offering
    # Offerings added by hand since the last run would make the demo differ between runs.
    CourseOffering.objects.filter(course__slot__programme=shape.programme).exclude(
        pk__in=[o.pk for o in offerings.values()]
    ).delete()
    return offerings
