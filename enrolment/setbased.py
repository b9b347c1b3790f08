"""Where each manager stands on a day, set-based: progress and compliance in one query.

The Python forms are `enrolment.progress._progress` with `programme_status` (progress)
and `enrolment.compliance.judge` (compliance); this module says the same in PostgreSQL,
so that a list can filter, sort, page and count by them, and a start page or the
regional page can count them, over tens of thousands of managers without reading a model
instance. The enrolment facts are `enrolment.facts`'s own `Q` forms (the two aggregates
over enrolments and decisions are built from them by the ORM); the per-slot rules, the
deadlines and the statuses are written below beside the Python rule they mirror.
`tests/enrolment/test_setbased_properties.py` generates histories and days and shows that
both forms agree.

One row per manager, in one pass over their enrolments: each slot of the programme is a
bit (its place in the programme's order), and each aggregate is taken per bit. The
estimate of when the missing slots can be done (`compliance.scheduled_finish`) is the
same for every manager with the same missing slots and busy terms; it is computed in
Python once per combination and passed as an array that the query indexes.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django_cte import CTE, with_cte
from django_cte.raw import raw_cte_sql

from programmes.models import Programme, ProgrammeSlot, Region
from programmes.selectors import region_programmes

from . import facts
from .models import CreditTransfer, DeadlineDecisionKind, Enrolment, EnrolmentState, Participant

# Beyond this many combinations of missing slots and busy terms the at-risk table would
# cost more than it saves; the horizon of busy terms is shortened to fit (never the case
# with four slots and a few years of offerings planned).
MAX_TABLE = 1 << 16
EPOCH = date(2000, 1, 1)


def is_supported() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class _Shape:
    programme_id: int
    region_id: int
    slot_ids: tuple[int, ...]
    credits: tuple[Decimal, ...]


def _shapes() -> list[_Shape]:
    """Each region's programme (`region_programmes`) with its slots in order, in one
    query."""
    order = ("slots__position", "slots__id")
    has_slot = Q(slots__isnull=False)
    programmes = region_programmes(
        queryset=Programme.objects.annotate(
            slot_ids=ArrayAgg("slots__id", order_by=order, filter=has_slot),
            slot_credits=ArrayAgg("slots__credits", order_by=order, filter=has_slot),
        ).values("id", "region_id", "slot_ids", "slot_credits")
    )
    national = programmes.pop(None, None)
    if national is not None:
        # The national programme, for every region without one of its own (read only
        # when there is a national programme).
        for region_id in Region.objects.filter(programmes__isnull=True).values_list(
            "pk", flat=True
        ):
            programmes[region_id] = national
    return [
        _Shape(row["id"], region_id, tuple(row["slot_ids"] or ()), tuple(row["slot_credits"] or ()))
        for region_id, row in programmes.items()
    ]


def _compile(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


class _Array(Func):
    template = "ARRAY[%(expressions)s]"
    output_field = ArrayField(IntegerField())


def _slot_bits(shapes) -> list[list[int]]:
    """The slot ids of each bit, over every programme."""
    width = max((len(s.slot_ids) for s in shapes), default=0)
    return [[s.slot_ids[k] for s in shapes if k < len(s.slot_ids)] for k in range(width)]


# An enrolment as one sortable number, so that "the first by term" is a plain MIN:
# term index, id, and a 16-bit payload (hp × 10, or NONE; or the end as days after EPOCH).
TERM_SHIFT, ID_SHIFT, PAYLOAD = 50, 16, 0xFFFF
NO_HP = PAYLOAD


def _enrolment_rows(queryset, slot: str, bits, on: date):
    """One row per enrolment: the programme and slot bit it counts in (through `slot`,
    a lookup to a ProgrammeSlot) and the facts of `enrolment.facts` about it."""
    bit = Case(
        *(When(**{f"{slot}_id__in": slot_ids}, then=Value(k)) for k, slot_ids in enumerate(bits)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    return queryset.order_by().values(
        "participant_id",
        "result_date",
        for_programme=F(f"{slot}__programme_id"),
        bit=bit,
        is_passed=ExpressionWrapper(facts.passed_q(on=on), output_field=BooleanField()),
        is_under_way=ExpressionWrapper(facts.under_way_q(on=on), output_field=BooleanField()),
        is_begun=ExpressionWrapper(facts.begins_q(on=on), output_field=BooleanField()),
        is_seat=ExpressionWrapper(facts.seat_q(), output_field=BooleanField()),
        key=RawSQL(
            f'("programmes_courseoffering"."term_index"::bigint << {TERM_SHIFT}) '
            f'| ("enrolment_enrolment"."id" << {ID_SHIFT})',
            (),
        ),
        hp_tenths=Coalesce(Cast(F("credits") * 10, IntegerField()), Value(NO_HP)),
        end_days=Func(
            F("offering__end_date"),
            template=f"(%(expressions)s - DATE '{EPOCH.isoformat()}')",
            output_field=IntegerField(),
        ),
    )


def _enrolments_sql(people, bits, on: date):
    """Per manager and programme, from the enrolments that count, per slot bit k:
    `pass_k`, the first pass by term, `result_k` the earliest result of a pass, and
    `current_k`, the first enrolment under way (each as a key, see TERM_SHIFT); and
    `begun` for any slot. The facts are `enrolment.facts`'s, read once per enrolment."""
    own = _enrolment_rows(
        Enrolment.objects.filter(
            participant_id__in=RawSQL(*people), state__in=facts.COUNTING_STATES
        ),
        "slot",
        bits,
        on,
    )
    # A course passed under another programme counts in the slot the receiving
    # programme's equivalence table gives (`facts.counting_slot`), as a pass only.
    moved = _enrolment_rows(
        Enrolment.objects.filter(
            facts.passed_q(on=on),
            participant_id__in=RawSQL(*people),
            offering__course__equivalences__isnull=False,
        ),
        "offering__course__equivalences__slot",
        bits,
        on,
    )
    sql, params = _compile(own)
    moved_sql, moved_params = _compile(moved)
    sql, params = f"{sql} UNION ALL {moved_sql}", [*params, *moved_params]
    columns = ["BOOL_OR(r.is_begun) AS begun"]
    for k in range(len(bits)):
        columns += [
            f"MIN(r.key | r.hp_tenths) FILTER (WHERE r.bit = {k} AND r.is_passed) AS pass_{k}",
            f"MIN(r.result_date) FILTER (WHERE r.bit = {k} AND r.is_passed) AS result_{k}",
            f"MIN(r.key | r.end_days) FILTER (WHERE r.bit = {k} AND r.is_under_way) AS current_{k}",
            f"MIN(r.key) FILTER (WHERE r.bit = {k} AND r.is_under_way AND r.is_seat) AS seat_{k}",
        ]
    return (
        f"SELECT r.participant_id, r.for_programme, {', '.join(columns)} "
        f"FROM ({sql}) AS r GROUP BY r.participant_id, r.for_programme",
        params,
    )


def _transfers_sql(people, bits, on: date):
    """Per manager and programme: the whole-programme decision known on the day
    (`facts.whole_programme_decided`) and, per slot bit k, the slot decision."""
    aggregates = {"whole": Min("decided_on", filter=Q(slot__isnull=True))}
    for k, slot_ids in enumerate(bits):
        aggregates[f"credited_{k}"] = Min("decided_on", filter=Q(slot_id__in=slot_ids))
    queryset = (
        CreditTransfer.objects.filter(facts.decided_q(on=on), participant_id__in=RawSQL(*people))
        .order_by()
        .values("participant_id", for_programme=Coalesce("slot__programme_id", "programme_id"))
        .annotate(**aggregates)
    )
    return _compile(queryset)


def _taking_part_sql(people, on: date):
    """Per manager, what the council's figures count of their courses: `post`, the
    municipality of the post held on the day (`facts.placed_municipality`); `took`, from
    the enrolments in which they took a course by the day (`facts.took_part_q`), the start of
    the first and, per course taken in a term, in order of term and course, the term's
    index, the course, its passes (`facts.passed_q`), its fails with a known result and
    the hp of its passes."""

    post = (
        Participant.objects.filter(pk__in=RawSQL(*people))
        .order_by()
        .values("id", place=facts.placed_municipality(on=on))
    )
    passed = facts.passed_q(on=on)
    per_term = (
        Enrolment.objects.filter(facts.took_part_q(on=on), participant_id__in=RawSQL(*people))
        .order_by()
        .values("participant_id", term=F("offering__term_index"), course=F("offering__course_id"))
        .annotate(
            passes=Count("pk", filter=passed),
            fails=Count("pk", filter=Q(state=EnrolmentState.FAILED) & facts.result_known_q(on=on)),
            hp=Coalesce(Sum(facts.HP_OF_PASS, filter=passed), Value(Decimal(0))),
            first_start=Min("offering__start_date"),
        )
    )
    sql, params = _compile(per_term)
    order = "ORDER BY t.term, t.course"
    took = (
        "SELECT t.participant_id, MIN(t.first_start) AS first_course_start,"
        f" ARRAY_AGG(t.term {order}) AS course_terms,"
        f" ARRAY_AGG(t.course {order}) AS term_courses,"
        f" ARRAY_AGG(t.passes {order}) AS term_passes,"
        f" ARRAY_AGG(t.fails {order}) AS term_fails,"
        f" ARRAY_AGG(t.hp {order}) AS term_hp,"
        # The same five arrays as one text: a kind of manager that counts alike, which
        # a hash groups faster than the arrays themselves.
        " CONCAT_WS('|',"
        + ", ".join(
            f"ARRAY_AGG(t.{column} {order})::text"
            for column in ("term", "course", "passes", "fails", "hp")
        )
        + ") AS taking_part_key"
        f" FROM ({sql}) AS t GROUP BY t.participant_id"
    )
    return _compile(post), (took, params)


def _risk_table(shapes, on: date):
    """Per programme, where its part of one array of finishing days starts, how many bits
    its missing slots take, and how many terms of busy bits follow. The finishing day of
    a manager is at index start + missing bits + (busy bits << slots)."""
    from .compliance import _offerings_by_slot, first_free_term, scheduled_finish

    first = first_free_term(on)
    programme_ids = [s.programme_id for s in shapes]
    offerings = _offerings_by_slot(programme_ids, on)
    last_terms = dict(
        ProgrammeSlot.objects.filter(programme_id__in=programme_ids)
        .order_by()
        .values_list("programme_id")
        .annotate(last=Max("courses__offerings__term_index"))
    )
    table: list[date | None] = []
    rows = []
    for shape in shapes:
        slots = len(shape.slot_ids)
        horizon = min(30, max(0, (last_terms.get(shape.programme_id) or 0) - first + 1))
        while (1 << (slots + horizon)) > MAX_TABLE and horizon:
            horizon -= 1
        part: list[date | None] = [None] * (1 << (slots + horizon))
        for key in range(len(part)):
            mask, busy_bits = key & ((1 << slots) - 1), key >> slots
            missing = [shape.slot_ids[i] for i in range(slots) if mask >> i & 1]
            # A slot is missing or under way, so the busy terms are at most the others.
            if bin(busy_bits).count("1") > slots - len(missing):
                continue
            busy = {first + i for i in range(horizon) if busy_bits >> i & 1}
            part[key] = scheduled_finish(missing, busy, on, offerings)
        rows.append((shape.programme_id, len(table), slots, horizon))
        table += part
    return first, rows, table


class _Params:
    """Values bound in the order their placeholders end up in the query, whatever the
    order the pieces of the query are written in."""

    def __init__(self):
        self.values: list = []

    def __call__(self, value) -> str:
        self.values.append(value)
        return f"\x00{len(self.values) - 1}\x00"

    def embed(self, sql: str, params) -> str:
        parts = sql.split("%s")
        assert len(parts) == len(params) + 1, "a compiled query with a literal %s"
        return parts[0] + "".join(self(v) + part for v, part in zip(params, parts[1:], strict=True))

    def bind(self, sql: str) -> tuple[str, list]:
        params = []

        def placeholder(match):
            params.append(self.values[int(match[1])])
            return "%s"

        return re.sub("\x00(\\d+)\x00", placeholder, sql), params


def standing_sql(
    people_sql: str,
    people_params,
    on: date,
    *,
    compliance: bool = False,
    municipality_ids=None,
    taking_part: bool = False,
) -> tuple[str, list]:
    """The SQL of one row per manager of `people_sql` (a query of participant ids) on the
    day: `participant_id`, `slot_count`, `slots_filled`, `hp`, `programme_exempt`,
    `programme_complete`, `programme_status`, `begun`, `completed_on`. With
    `compliance` also `municipality_id` (where placed on the day), `compliance_status`
    (NULL: no mandate in force applies to them, or not in post), `compliance_deadline`,
    `start_by`, `complete_by` and `estimated_finish`; `municipality_ids` limits the
    mandates to those municipalities'. With `taking_part` also the columns of
    `TAKING_PART_FIELDS` (`_taking_part_sql`)."""
    from .compliance import Status
    from .progress import ProgrammeStatus

    shapes = _shapes()
    bits = _slot_bits(shapes)
    p = _Params()
    people = (people_sql, list(people_params))
    first_term, risk_rows, risk_table = _risk_table(shapes, on) if compliance else (0, [], [])

    def on_():
        return p(on)

    def each(template, joiner):
        return joiner.join(template.format(k=k) for k in range(len(bits))) if bits else None

    people_cte = f"""
    people AS (
        SELECT pa.id, pa.municipality_id, pa.administration_id, pa.position,
               pa.operational_area, pa.appointed_on, pa.left_on, pa.in_municipality_since,
               rp.programme_id
        FROM enrolment_participant pa
        JOIN programmes_municipality mu ON mu.id = pa.municipality_id
        LEFT JOIN unnest({p([s.region_id for s in shapes])}::bigint[],
                         {p([s.programme_id for s in shapes])}::bigint[])
            AS rp(region_id, programme_id) ON rp.region_id = mu.region_id
        WHERE pa.id IN ({p.embed(*people)})
    )"""
    enr = f"enr AS ({p.embed(*_enrolments_sql(people, bits, on))})"
    tr = f"tr AS ({p.embed(*_transfers_sql(people, bits, on))})"
    credit_columns = "".join(
        f", {p([s.credits[k] if k < len(s.credits) else None for s in shapes])}::numeric[]"
        for k in range(len(bits))
    )
    prog = f"""
    prog AS (
        SELECT * FROM unnest({p([s.programme_id for s in shapes])}::bigint[],
                             {p([len(s.slot_ids) for s in shapes])}::int[],
                             {p([sum(s.credits, Decimal(0)) for s in shapes])}::numeric[]
                             {credit_columns})
            AS pg(programme_id, slot_count, credits{"".join(f", c_{k}" for k in range(len(bits)))})
    )"""
    # Per slot (`progress._progress`): a pass fills it with the first pass's hp, capped,
    # dated by the earliest result or decision; a slot decision fills it otherwise; the
    # first enrolment under way is its current one only while it is not filled.
    per_slot = "".join(
        f"""
               en.pass_{k} IS NOT NULL AS passed_{k},
               LEAST(COALESCE(NULLIF(en.pass_{k} & {PAYLOAD}, {NO_HP}) / 10.0, pg.c_{k}),
                     pg.c_{k}) AS hp_{k},
               tr.credited_{k},
               CASE WHEN en.pass_{k} IS NOT NULL
                    THEN LEAST(en.result_{k}, tr.credited_{k}) ELSE tr.credited_{k} END
                   AS date_{k},
               CASE WHEN en.pass_{k} IS NOT NULL OR tr.credited_{k} IS NOT NULL
                    THEN NULL ELSE (en.current_{k} >> {TERM_SHIFT})::int END AS term_{k},
               CASE WHEN en.pass_{k} IS NOT NULL OR tr.credited_{k} IS NOT NULL
                    THEN NULL ELSE (en.current_{k} & {PAYLOAD})::int END AS end_{k},
               CASE WHEN en.pass_{k} IS NOT NULL OR tr.credited_{k} IS NOT NULL THEN FALSE
                    ELSE COALESCE((en.seat_{k} >> {ID_SHIFT}) = (en.current_{k} >> {ID_SHIFT}),
                                  FALSE) END AS seat_{k},
               pg.c_{k},"""
        for k in range(len(bits))
    )
    slots = f"""
    slots AS (
        SELECT pe.*, {per_slot}
               COALESCE(pg.slot_count, 0) AS slot_count, pg.credits AS programme_credits,
               COALESCE(en.begun, FALSE) AS begun, tr.whole
        FROM people pe
        LEFT JOIN prog pg ON pg.programme_id = pe.programme_id
        LEFT JOIN enr en ON en.participant_id = pe.id AND en.for_programme = pe.programme_id
        LEFT JOIN tr ON tr.participant_id = pe.id AND tr.for_programme = pe.programme_id
    )"""
    filled = "(passed_{k} OR credited_{k} IS NOT NULL)"
    if bits:
        sums = f"""
               {each(f"{filled}::int", " + ")} AS filled,
               {
            each(
                "CASE WHEN passed_{k} THEN hp_{k} WHEN credited_{k} IS NOT NULL "
                "THEN c_{k} ELSE 0 END",
                " + ",
            )
        } AS earned_hp,
               {each("COALESCE(CASE WHEN passed_{k} THEN hp_{k} ELSE c_{k} END, 0)", " + ")}
                   AS exempt_hp,
               GREATEST({each("date_{k}", ", ")}) AS filled_last,
               ({each("term_{k} IS NOT NULL", " OR ")}) AS under_way,
               (whole IS NULL AND ({each("seat_{k}", " OR ")})) AS holds_seat,
               ((1 << slot_count) - 1) & ~({
            each(f"CASE WHEN {filled} OR term_{{k}} IS NOT NULL THEN 1 << {{k}} ELSE 0 END", " | ")
        }) AS missing_mask,
               ({
            each(
                f"CASE WHEN term_{{k}} >= {p(first_term)} "
                f"AND term_{{k}} < {p(first_term)} + 30 "
                f"THEN 1 << (term_{{k}} - {p(first_term)}) ELSE 0 END",
                " | ",
            )
        }) AS busy_bits,
               GREATEST({each(f"{p(EPOCH)}::date + end_{{k}}", ", ")})
                   AS current_end"""
    else:
        sums = """
               0 AS filled, 0 AS earned_hp, 0 AS exempt_hp, NULL::date AS filled_last,
               FALSE AS under_way, FALSE AS holds_seat, 0 AS missing_mask, 0 AS busy_bits,
               NULL::date AS current_end"""
    totals = f"""
    totals AS (
        SELECT slots.*, {sums}
        FROM slots
    )"""
    # `progress.programme_status` and the Progress properties it reads.
    progress = """
    progress AS (
        SELECT t.*,
               (t.slot_count > 0 AND t.filled = t.slot_count) AS by_slots,
               (t.whole IS NOT NULL AND NOT (t.slot_count > 0 AND t.filled = t.slot_count))
                   AS exempt
        FROM totals t
    )"""
    progress_columns = f"""
        pr.id AS participant_id, pr.municipality_id AS current_municipality_id, pr.slot_count,
        CASE WHEN pr.whole IS NOT NULL THEN pr.slot_count ELSE pr.filled END AS slots_filled,
        CASE WHEN pr.whole IS NOT NULL THEN pr.exempt_hp ELSE pr.earned_hp END::numeric(5, 1)
            AS hp,
        pr.exempt AS programme_exempt,
        (pr.by_slots OR (pr.whole IS NOT NULL AND pr.slot_count > 0)) AS programme_complete,
        pr.begun, pr.holds_seat,
        CASE WHEN pr.by_slots THEN pr.filled_last
             WHEN pr.whole IS NOT NULL AND pr.slot_count > 0
             THEN GREATEST(pr.filled_last, pr.whole) END AS completed_on,
        CASE WHEN pr.exempt THEN {p(ProgrammeStatus.EXEMPT.value)}
             WHEN pr.by_slots OR pr.whole IS NOT NULL THEN {p(ProgrammeStatus.COMPLETED.value)}
             WHEN pr.left_on <= {on_()} THEN {p(ProgrammeStatus.LEFT.value)}
             WHEN pr.filled > 0 OR pr.under_way THEN {p(ProgrammeStatus.IN_PROGRESS.value)}
             ELSE {p(ProgrammeStatus.NOT_STARTED.value)} END AS programme_status"""
    ctes = [people_cte, enr, tr, prog, slots, totals, progress]
    took_columns, took_joins = "", ""
    if taking_part:
        post_sql, took_sql = _taking_part_sql(people, on)
        ctes += [f"post AS ({p.embed(*post_sql)})", f"took AS ({p.embed(*took_sql)})"]
        took_columns = ", " + ", ".join(
            "post.place AS placed_municipality_id"
            if name == "placed_municipality_id"
            else f"took.{name}"
            for name in TAKING_PART_FIELDS
        )
        took_joins = (
            " LEFT JOIN post ON post.id = pr.id LEFT JOIN took ON took.participant_id = pr.id"
        )
    if not compliance:
        return p.bind(
            "WITH "
            + ", ".join(ctes)
            + f" SELECT {progress_columns}{took_columns} FROM progress pr{took_joins}"
        )

    # The post held on the day (`facts.placement`): the current one from its first day,
    # before that the previous post that covers the day, the earliest ending first.
    moved = f"""
    moved AS (
        SELECT DISTINCT ON (pv.participant_id) pv.participant_id, pv.municipality_id,
               pv.administration_id, pv.position, pv.valid_from
        FROM enrolment_previouspost pv JOIN people pe ON pe.id = pv.participant_id
        WHERE pe.in_municipality_since > {on_()}
          AND (pv.valid_from IS NULL OR pv.valid_from <= {on_()}) AND {on_()} < pv.valid_to
        ORDER BY pv.participant_id, pv.valid_to, pv.id
    )"""
    current = f"(pe.in_municipality_since IS NULL OR pe.in_municipality_since <= {on_()})"
    placed = f"""
    placed AS (
        SELECT pe.id, pe.operational_area,
               CASE WHEN {current} THEN pe.municipality_id ELSE mv.municipality_id END
                   AS municipality_id,
               CASE WHEN {current} THEN pe.administration_id ELSE mv.administration_id END
                   AS administration_id,
               CASE WHEN {current} THEN pe.position ELSE mv.position END AS position,
               CASE WHEN {current} THEN pe.in_municipality_since ELSE mv.valid_from END
                   AS arrived_on,
               pe.appointed_on
        FROM people pe LEFT JOIN moved mv ON mv.participant_id = pe.id
        WHERE (pe.appointed_on IS NULL OR pe.appointed_on <= {on_()})
          AND NOT (pe.left_on IS NOT NULL AND pe.left_on <= {on_()})
    )"""
    # The version in force in each municipality, and the day its obligation began
    # (`mandates.mandate_in_force`, `mandates.obligation_start`).
    only = (
        f"AND m.municipality_id = ANY({p(list(municipality_ids))}::bigint[])"
        if municipality_ids is not None
        else ""
    )
    md = f"""
    md AS (
        SELECT DISTINCT ON (m.municipality_id) m.id, m.municipality_id, m.positions,
               m.operational_areas, m.start_within_months, m.complete_within_months,
               m.fixed_completion_date, m.clock_restarts_on_arrival,
               MIN(m.effective_from) OVER (PARTITION BY m.municipality_id) AS obligation_from,
               EXISTS (SELECT 1 FROM enrolment_mandate_administrations ma
                       WHERE ma.mandate_id = m.id) AS has_administrations
        FROM enrolment_mandate m
        WHERE m.effective_from <= {on_()} {only}
        ORDER BY m.municipality_id, m.effective_from DESC
    )"""
    # The managers a mandate applies to (`mandates.applies_to`), and the day their clock
    # runs from (`mandates.deadlines_for`).
    scope = """
    scope AS (
        SELECT pl.id, pl.municipality_id, md.start_within_months, md.complete_within_months,
               CASE WHEN md.fixed_completion_date IS NOT NULL
                     AND COALESCE(pl.appointed_on, md.obligation_from) < md.obligation_from
                     AND (NOT md.clock_restarts_on_arrival OR pl.arrived_on IS NULL
                          OR pl.arrived_on < md.obligation_from)
                    THEN md.fixed_completion_date END AS fixed_completion_date,
               GREATEST(COALESCE(pl.appointed_on, md.obligation_from), md.obligation_from,
                        CASE WHEN md.clock_restarts_on_arrival THEN pl.arrived_on END)
                   AS runs_from
        FROM placed pl JOIN md ON md.municipality_id = pl.municipality_id
        WHERE (jsonb_array_length(md.positions) = 0 OR md.positions ? pl.position)
          AND (jsonb_array_length(md.operational_areas) = 0
               OR md.operational_areas ? pl.operational_area)
          AND (NOT md.has_administrations OR EXISTS (
                SELECT 1 FROM enrolment_mandate_administrations ma
                WHERE ma.mandate_id = md.id AND ma.administration_id = pl.administration_id))
    )"""
    # Deadline decisions known on the day: the latest extension of each deadline, and a
    # pause covering the day (`mandates.decided_deadline`, `facts.is_paused`).
    dec = f"""
    dec AS (
        SELECT d.participant_id,
               (ARRAY_AGG(d.new_start_by ORDER BY d.decided_on DESC, d.id DESC)
                    FILTER (WHERE d.new_start_by IS NOT NULL))[1] AS start_by,
               (ARRAY_AGG(d.decided_on ORDER BY d.decided_on DESC, d.id DESC)
                    FILTER (WHERE d.new_start_by IS NOT NULL))[1] AS start_decided,
               (ARRAY_AGG(d.new_complete_by ORDER BY d.decided_on DESC, d.id DESC)
                    FILTER (WHERE d.new_complete_by IS NOT NULL))[1] AS complete_by,
               (ARRAY_AGG(d.decided_on ORDER BY d.decided_on DESC, d.id DESC)
                    FILTER (WHERE d.new_complete_by IS NOT NULL))[1] AS complete_decided,
               BOOL_OR(d.kind = {p(DeadlineDecisionKind.PAUSE.value)}
                       AND d.paused_from <= {on_()} AND {on_()} <= d.paused_to) AS paused
        FROM enrolment_deadlinedecision d JOIN scope sc ON sc.id = d.participant_id
        WHERE d.decided_on <= {on_()}
        GROUP BY d.participant_id
    )"""
    base = """
    base AS (
        SELECT sc.id, sc.municipality_id, dec.participant_id IS NOT NULL AS decided,
               COALESCE(dec.paused, FALSE) AS paused,
               COALESCE(dec.start_by,
                        (sc.runs_from + make_interval(months => sc.start_within_months))::date)
                   AS start_by,
               COALESCE(dec.start_decided, sc.runs_from - 1) AS start_after,
               COALESCE(dec.complete_by, sc.fixed_completion_date,
                        (sc.runs_from + make_interval(months => sc.complete_within_months))::date)
                   AS complete_by,
               COALESCE(dec.complete_decided, sc.runs_from - 1) AS complete_after
        FROM scope sc LEFT JOIN dec ON dec.participant_id = sc.id
    )"""

    def paused_days(after):
        # `facts.paused_days`: the days of the known pauses after `after` and by the day,
        # each day once.
        return f"""(SELECT COALESCE(SUM(UPPER(r) - LOWER(r)), 0)::int FROM unnest((
            SELECT range_agg(daterange(GREATEST(d.paused_from, {after} + 1),
                                       LEAST(d.paused_to, {on_()}), '[]'))
            FROM enrolment_deadlinedecision d
            WHERE d.participant_id = b.id AND d.kind = {p(DeadlineDecisionKind.PAUSE.value)}
              AND d.decided_on <= {on_()}
              AND GREATEST(d.paused_from, {after} + 1) <= LEAST(d.paused_to, {on_()})
        )) AS r)"""

    deadlines = f"""
    deadlines AS (
        SELECT b.id, b.municipality_id, b.paused,
               b.start_by + CASE WHEN b.decided AND b.start_by IS NOT NULL
                                 THEN {paused_days("b.start_after")} ELSE 0 END AS start_by,
               b.complete_by + CASE WHEN b.decided AND b.complete_by IS NOT NULL
                                    THEN {paused_days("b.complete_after")} ELSE 0 END
                   AS complete_by
        FROM base b
    )"""
    risk = f"""
    risk AS (
        SELECT * FROM unnest({p([r[0] for r in risk_rows])}::bigint[],
                             {p([r[1] for r in risk_rows])}::int[],
                             {p([r[2] for r in risk_rows])}::int[],
                             {p([r[3] for r in risk_rows])}::int[])
            AS rk(programme_id, start, slots, horizon)
    )"""
    table = p(risk_table)
    estimate = f"""GREATEST({on_()}, pr.current_end, CASE WHEN pr.busy_bits < (1 << rk.horizon)
        THEN ({table}::date[])[rk.start + pr.missing_mask + (pr.busy_bits << rk.slots) + 1]
        END)"""
    S = Status
    exempt = "pr.exempt"
    complete = "(pr.by_slots OR (pr.whole IS NOT NULL AND pr.slot_count > 0))"
    begun = "pr.begun"
    # `compliance.judge`, in its order.
    status = f"""CASE
        WHEN dl.id IS NULL THEN NULL
        WHEN {exempt} THEN {p(S.EXEMPT)}
        WHEN {complete} THEN {p(S.COMPLETED)}
        WHEN dl.paused THEN {p(S.PAUSED)}
        WHEN dl.complete_by < {on_()} THEN {p(S.OVERDUE)}
        WHEN NOT {begun} AND dl.start_by < {on_()} THEN {p(S.OVERDUE)}
        WHEN dl.complete_by < {estimate} THEN {p(S.AT_RISK)}
        WHEN NOT {begun} THEN {p(S.NOT_STARTED)}
        ELSE {p(S.ON_TRACK)} END AS compliance_status"""
    deadline = f"""CASE
        WHEN dl.id IS NULL OR {exempt} THEN NULL
        WHEN {complete} OR dl.paused OR dl.complete_by < {on_()} THEN dl.complete_by
        WHEN NOT {begun} AND dl.start_by < {on_()} THEN dl.start_by
        WHEN dl.complete_by < {estimate} THEN dl.complete_by
        WHEN NOT {begun} THEN COALESCE(dl.start_by, dl.complete_by)
        ELSE dl.complete_by END AS compliance_deadline"""
    est = f"{estimate} AS estimated_finish"
    ctes += [moved, placed, md, scope, dec, base, deadlines, risk]
    body = f"""
    SELECT {progress_columns}, dl.municipality_id, {status}, {deadline},
           dl.start_by, dl.complete_by, {est}{took_columns}
    FROM progress pr
    LEFT JOIN deadlines dl ON dl.id = pr.id
    LEFT JOIN risk rk ON rk.programme_id = pr.programme_id{took_joins}"""
    return p.bind("WITH " + ", ".join(ctes) + body)


# --- Using it -------------------------------------------------------------------------

STANDING_FIELDS = {
    "current_municipality_id": IntegerField(),
    "slot_count": IntegerField(),
    "slots_filled": IntegerField(),
    "hp": DecimalField(max_digits=5, decimal_places=1),
    "programme_exempt": BooleanField(),
    "programme_complete": BooleanField(),
    "programme_status": CharField(),
    "begun": BooleanField(),
    "holds_seat": BooleanField(),
    "completed_on": DateField(),
}
# What the council's figures count of each manager's courses (`_taking_part_sql`).
TAKING_PART_FIELDS = {
    "placed_municipality_id": IntegerField(),
    "first_course_start": DateField(),
    "course_terms": ArrayField(IntegerField()),
    "term_courses": ArrayField(IntegerField()),
    "term_passes": ArrayField(IntegerField()),
    "term_fails": ArrayField(IntegerField()),
    "term_hp": ArrayField(DecimalField(max_digits=6, decimal_places=1)),
    "taking_part_key": CharField(),
}
COMPLIANCE_FIELDS = {
    "compliance_status": CharField(),
    "compliance_deadline": DateField(),
    "start_by": DateField(),
    "complete_by": DateField(),
    "estimated_finish": DateField(),
}


def _people(queryset) -> tuple[str, list]:
    return _compile(queryset.order_by().values("pk"))


def _source(
    people, on: date, *, compliance: bool, municipality_ids=None, taking_part: bool = False
) -> tuple[str, list]:
    """`standing_sql`'s rows: read from where they are stored when they are stored for the
    day (today, `enrolment.projection`), computed otherwise."""
    from . import projection  # stores what this module computes

    options = {
        "compliance": compliance,
        "municipality_ids": municipality_ids,
        "taking_part": taking_part,
    }
    if projection.serves(on):
        return projection.stored_sql(*people, **options)
    return standing_sql(*people, on, **options)


def taking_part_sql(municipalities, on: date) -> tuple[str, list]:
    """The SQL of the managers placed on the day in one of the municipalities (a
    queryset), a row each with their progress and the columns of `TAKING_PART_FIELDS`, for
    the council's counts to aggregate: read from the stored rows today (by their stored
    placement, without a pass over the managers), computed for another day."""
    from . import projection  # stores what this module computes

    if projection.serves(on):
        return projection.stored_sql(
            *_compile(municipalities.order_by().values("pk")), placed=True, taking_part=True
        )
    people = Participant.objects.filter(facts.placed_q(on=on, municipality_ids=municipalities))
    return standing_sql(*_people(people), on, taking_part=True)


# The managers of `s` who took a course, counted per municipality, programme status and
# kind (`taking_part_key`: what is counted of them; far fewer kinds than managers), and
# each kind's courses taken in a term, a row each (`term`, `course`, `passes`, `fails`,
# `hp`), read back from the key's five arrays.
TAKING_PART_KINDS = """
    k AS (SELECT s.placed_municipality_id AS place, s.programme_status,
                 s.taking_part_key AS key, COUNT(*)::int AS n
          FROM s WHERE s.taking_part_key IS NOT NULL GROUP BY 1, 2, 3),
    c AS (SELECT d.key, u.term, u.course, u.passes, u.fails, u.hp
          FROM (SELECT DISTINCT key FROM k) AS d CROSS JOIN LATERAL unnest(
              split_part(d.key, '|', 1)::int[], split_part(d.key, '|', 2)::int[],
              split_part(d.key, '|', 3)::int[], split_part(d.key, '|', 4)::int[],
              split_part(d.key, '|', 5)::numeric[]) AS u(term, course, passes, fails, hp))"""

# The columns of a row of `taking_part_cells_sql`, as `TakingPartCell` stores them.
CELL_COLUMNS = ("place", "term", "whole", "took", "passes", "hp", "people")


def taking_part_cells_sql(rows_sql: str) -> str:
    """The council's grids counted from `rows_sql` (managers' rows with the columns of
    `TAKING_PART_FIELDS` and `programme_status`), a row (`CELL_COLUMNS`) per municipality
    where they are placed and term: the managers who took a course in it (`took_part_q`),
    their passes (`passed_q`), and the hp and number of those with a pass; and a `whole`
    row per municipality: the passes over all terms, and the hp and number of the managers
    with a pass."""
    return f"""
        WITH s AS ({rows_sql}), {TAKING_PART_KINDS},
        t AS (SELECT key, term, SUM(passes) AS passes, SUM(hp) AS hp
              FROM c GROUP BY key, term),
        whole AS (SELECT key, SUM(passes) AS passes, SUM(hp) AS hp FROM c GROUP BY key)
        SELECT k.place, t.term, FALSE, SUM(k.n), SUM(k.n * t.passes),
               (SUM(k.n * t.hp) FILTER (WHERE t.passes > 0))::numeric(12, 1),
               SUM(k.n) FILTER (WHERE t.passes > 0)
        FROM k JOIN t ON t.key = k.key GROUP BY k.place, t.term
        UNION ALL
        SELECT k.place, NULL, TRUE, NULL, SUM(k.n * w.passes),
               SUM(k.n * w.hp)::numeric(12, 1), SUM(k.n)
        FROM k JOIN whole w ON w.key = k.key WHERE w.passes > 0 GROUP BY k.place"""


def taking_part_cells(municipalities, on: date) -> tuple[str, list]:
    """The SQL of `taking_part_cells_sql`'s rows for the managers placed on the day in one
    of the municipalities (a queryset): today read from where the stored rows keep them
    counted (`TakingPartCell`), computed for another day."""
    from . import projection  # stores what this module computes

    if projection.serves(on):
        sql, params = _compile(municipalities.order_by().values("pk"))
        return (
            f"SELECT {', '.join(CELL_COLUMNS)} FROM {projection.CELLS} WHERE place IN ({sql})",
            list(params),
        )
    sql, params = taking_part_sql(municipalities, on)
    return taking_part_cells_sql(sql), params


def with_standing(queryset, on: date, *, compliance: bool = False):
    """Managers annotated with where they stand on the day (the columns of
    `standing_sql`), computed once for the whole queryset in a common table expression
    joined to it, so the list can filter, sort, page and count by them. Elsewhere than
    on PostgreSQL (the SQLite demo), progress by subqueries and compliance from Python."""
    if not is_supported():
        return _with_standing_elsewhere(queryset, on, compliance=compliance)
    sql, params = _source(_people(queryset), on, compliance=compliance)
    fields = STANDING_FIELDS | (COMPLIANCE_FIELDS if compliance else {})
    return _joined(queryset, sql, params, fields)


def with_taking_part(municipalities, on: date):
    """The managers placed on the day in one of the municipalities (a queryset),
    annotated as `with_standing` does and with the columns of `TAKING_PART_FIELDS`
    (`taking_part_sql`). PostgreSQL only."""
    sql, params = taking_part_sql(municipalities, on)
    return _joined(Participant.objects.all(), sql, params, STANDING_FIELDS | TAKING_PART_FIELDS)


def _joined(queryset, sql, params, fields):
    cte = CTE(
        raw_cte_sql(sql, params, {"participant_id": IntegerField(), **fields}), name="standing"
    )
    joined = cte.join(queryset, pk=cte.col.participant_id)
    # `completed_on` as `progress.with_completion_date` says it: only for a manager who
    # completed (an exempt one has none); the other columns as they are.
    from .progress import ProgrammeStatus

    annotations = {name: getattr(cte.col, name) for name in fields if name != "completed_on"}
    annotations["completed_on"] = Case(
        When(programme_status=ProgrammeStatus.COMPLETED, then=cte.col.completed_on),
        default=Value(None),
        output_field=DateField(null=True),
    )
    return with_cte(cte, select=joined).annotate(**annotations)


@dataclass(frozen=True)
class Standing:
    participant_id: int
    current_municipality_id: int
    slot_count: int
    slots_filled: int
    hp: Decimal
    programme_exempt: bool
    programme_complete: bool
    programme_status: str
    begun: bool
    holds_seat: bool
    completed_on: date | None
    municipality_id: int | None = None
    compliance_status: str | None = None
    compliance_deadline: date | None = None
    start_by: date | None = None
    complete_by: date | None = None
    estimated_finish: date | None = None
    placed_municipality_id: int | None = None
    first_course_start: date | None = None
    course_terms: list | None = None
    term_courses: list | None = None
    term_passes: list | None = None
    term_fails: list | None = None
    term_hp: list | None = None
    taking_part_key: str | None = None


def standing_rows(
    queryset, on: date, *, compliance: bool = False, municipality_ids=None, taking_part=False
):
    """Where each manager of the queryset stands on the day, as plain rows (no model
    instances), read in one query."""
    sql, params = _source(
        _people(queryset),
        on,
        compliance=compliance,
        municipality_ids=municipality_ids,
        taking_part=taking_part,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        for row in cursor.fetchall():
            yield Standing(**dict(zip(names, row, strict=True)))


def standing_values(
    queryset,
    on: date,
    columns,
    *,
    compliance: bool = False,
    municipality_ids=None,
    where=None,
    counted: bool = False,
) -> list[tuple]:
    """`standing_rows`' `columns` alone, as tuples in that order, for the managers whose
    compliance status is not NULL when `where` is "mandated": for work over every
    manager of a region, where a row object each would cost more than the query. With
    `counted`, each distinct tuple once, followed by how many managers have it."""
    allowed = {"participant_id", "municipality_id", *STANDING_FIELDS, *COMPLIANCE_FIELDS}
    assert set(columns) <= allowed, "an unknown column"
    sql, params = _source(
        _people(queryset), on, compliance=compliance, municipality_ids=municipality_ids
    )
    condition = "s.compliance_status IS NOT NULL" if where == "mandated" else "TRUE"
    selected = ", ".join(f"s.{c}" for c in columns)
    grouped = f", COUNT(*) FROM ({sql}) AS s WHERE {condition} GROUP BY {selected}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {selected}"
            + (grouped if counted else f" FROM ({sql}) AS s WHERE {condition}"),
            params,
        )
        return cursor.fetchall()


def standing_counts(
    queryset,
    on: date,
    *,
    group_by: str,
    compliance: bool = False,
    municipality_ids=None,
    where: str = "TRUE",
):
    """Counts of the managers of the queryset by `group_by` and their programme status
    (or, with `compliance`, their compliance status, for those a mandate applies to), and
    their hp, summed in the database: {(group, status): (count, hp)}."""
    sql, params = _source(
        _people(queryset), on, compliance=compliance, municipality_ids=municipality_ids
    )
    status = "compliance_status" if compliance else "programme_status"
    counted = f"""
        SELECT s.{group_by}, s.{status}, COUNT(*), COALESCE(SUM(s.hp), 0)
        FROM ({sql}) AS s WHERE s.{status} IS NOT NULL AND {where}
        GROUP BY 1, 2"""
    with connection.cursor() as cursor:
        cursor.execute(counted, params)
        return {(group, state): (n, hp) for group, state, n, hp in cursor.fetchall()}


def _with_standing_elsewhere(queryset, on: date, *, compliance: bool):
    from programmes.models import Municipality

    from .compliance import compute_compliance
    from .progress import with_programme_status

    queryset = with_programme_status(queryset, on)
    if not compliance:
        return queryset
    rows = [
        row
        for result in compute_compliance(
            Municipality.objects.order_by("pk"), on, Q(pk__in=queryset.values("pk"))
        )
        for row in result.rows
    ]
    return queryset.annotate(
        compliance_status=Case(
            *(When(pk=row.participant.pk, then=Value(row.status)) for row in rows),
            default=Value(None),
            output_field=CharField(null=True),
        ),
        compliance_deadline=Case(
            *(When(pk=row.participant.pk, then=Value(row.deadline)) for row in rows),
            default=Value(None),
            output_field=DateField(null=True),
        ),
    )
