"""Where each manager stands today, stored: `enrolment.setbased.standing_sql`'s rows for
the day, kept in `StoredStanding`, so that the daily pages, the council's figures and the
reports as of today read a row per manager instead of computing it.

How the rows stay true: triggers (migration `enrolment.0009`) note, in the transaction
of the change, each manager whose own rows change (`StaleStanding`), and put every row
out of date when something many managers share changes (a programme, an offering, a
mandate) by clearing `StoredStandingDay`. Before a read, `serves` brings the noted rows up
to date (and every row, once a day or after a shared change), inside the reader's
transaction, by the same SQL that computes them. A reader that finds another transaction
doing that computes its own answer instead of waiting. The stored row is therefore what
the computation says, always; `tests/enrolment/test_projection.py` shows it over random
changes, and `manage.py standing_rebuild` recomputes every row.

The same refresh keeps the council's counts: the grids and cohorts from the rows
(`TakingPartCell`, `TrainedCohort`), counted again for the municipalities where a noted
manager was placed, before and after; and each offering's passes and fails
(`OfferingResults`), counted again for the offerings whose enrolments changed
(`StaleOffering`, noted by triggers); everything when every row is recomputed. Only a
refresh writes the rows, so nothing else can leave the counts behind them.
"""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from . import setbased

TABLE = "enrolment_storedstanding"
# The council's grids and cohorts counted from the stored rows (`TakingPartCell`,
# `TrainedCohort`).
CELLS = "enrolment_takingpartcell"
COHORTS = "enrolment_trainedcohort"
PROGRESS = list(setbased.STANDING_FIELDS)
COMPLIANCE = list(setbased.COMPLIANCE_FIELDS)
TAKING_PART = list(setbased.TAKING_PART_FIELDS)
COLUMNS = PROGRESS + ["municipality_id", *COMPLIANCE, *TAKING_PART]
# The compliance columns that say nothing for a manager outside the municipalities asked
# for (`standing_sql`'s `municipality_ids`); the estimate of when they can finish does.
BY_MANDATE = [
    "municipality_id",
    "compliance_status",
    "compliance_deadline",
    "start_by",
    "complete_by",
]
# One refresher at a time (a number of our own for PostgreSQL's advisory locks).
LOCK = 0x5354414E


def serves(on: date) -> bool:
    """Whether the stored rows answer for the day, brought up to date first. Only today's
    and only on PostgreSQL; False too while another transaction is updating them."""
    if not setbased.is_supported() or on != timezone.localdate():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT day FROM enrolment_storedstandingday ORDER BY id LIMIT 1),"
            " EXISTS (SELECT 1 FROM enrolment_stalestanding)"
            " OR EXISTS (SELECT 1 FROM enrolment_staleoffering)"
        )
        day, stale = cursor.fetchone()
    if day == on and not stale:
        return True
    return refresh(on, every=day != on, wait=False)


def refresh(on: date | None = None, *, every: bool = True, wait: bool = True) -> bool:
    """Bring the stored rows up to date for the day (today): every row, or those noted as
    out of date. Without `wait`, gives up (False) when another transaction holds the lock.
    In the caller's transaction when there is one (a write and the read after it)."""
    on = on or timezone.localdate()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT TRUE FROM pg_advisory_xact_lock(%s)", [LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            return False
        # The day is written before the rows are computed: a shared change committed
        # meanwhile waits for this row and clears it after, so it is never lost. The day
        # it held comes from a subquery the update joins, which reads the row before the
        # update (a subquery in RETURNING would read the row the update wrote, and every
        # refresh would recompute every row).
        cursor.execute(
            """UPDATE enrolment_storedstandingday d SET day = %s
               FROM (SELECT day FROM enrolment_storedstandingday WHERE id = 1 FOR UPDATE) old
               WHERE d.id = 1 RETURNING old.day""",
            [on],
        )
        old = cursor.fetchone()
        if old is None:  # the first refresh of the database
            cursor.execute(
                """INSERT INTO enrolment_storedstandingday (id, day) VALUES (1, %s)
                   ON CONFLICT (id) DO UPDATE SET day = EXCLUDED.day""",
                [on],
            )
        every = every or old is None or old[0] != on
        # The noted managers are taken off the list by the statement that computes them,
        # for the same reason; a change noted after it is computed by the next reader.
        # The rows of noted managers who no longer exist go in the same statement.
        people = (
            "SELECT id FROM enrolment_participant" if every else "SELECT participant_id FROM noted"
        )
        sql, params = setbased.standing_sql(people, [], on, compliance=True, taking_part=True)
        columns = ", ".join(COLUMNS)
        changed = " OR ".join(f"t.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in COLUMNS)
        # The municipalities where a noted manager was placed, before (a deleted
        # manager's too: read, as every part of the statement reads, as it was before it)
        # and after, are counted again for the council: their cohorts read the manager's
        # leaving day, which the row does not hold, so a noted manager counts even if
        # their row is unchanged. When every row is recomputed, so is every municipality.
        touched = (
            "SELECT NULL::bigint WHERE FALSE"
            if every
            else f"""SELECT place FROM written UNION SELECT placed_municipality_id FROM {TABLE}
                     WHERE participant_id IN (SELECT participant_id FROM noted)"""
        )
        cursor.execute(
            f"""WITH noted AS (DELETE FROM enrolment_stalestanding RETURNING participant_id),
                gone AS (
                    DELETE FROM {TABLE} g USING noted n
                    WHERE g.participant_id = n.participant_id AND NOT EXISTS (
                        SELECT 1 FROM enrolment_participant p WHERE p.id = n.participant_id)),
                written AS (
                    INSERT INTO {TABLE} AS t (participant_id, {columns})
                    SELECT participant_id, {columns} FROM ({sql}) AS s
                    ON CONFLICT (participant_id) DO UPDATE
                    SET {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)}
                    WHERE {changed}
                    RETURNING t.placed_municipality_id AS place)
                {touched}""",
            params,
        )
        places = [place for (place,) in cursor.fetchall() if place is not None]
        _count_for_council(cursor, on, None if every else places)
    return True


def _count_for_council(cursor, on: date, places) -> None:
    """Count again, in one statement (the old rows go and the new come, both from the
    snapshot before it): the council's grids (`TakingPartCell`) and cohorts
    (`TrainedCohort`) from the stored rows of the managers placed in `places`
    (municipality ids), and the results of the offerings noted (`OfferingResults`); with
    `places` None, every municipality's and every offering's."""
    from . import cohorts, results  # count what this module stores

    if places is None:
        where, where_params = "", []
        places_sql, places_params = "SELECT id FROM programmes_municipality", []
        offerings = "SELECT id FROM programmes_courseoffering"
        gone_results = ""
    else:
        where, where_params = "WHERE place = ANY(%s::bigint[])", [places]
        places_sql, places_params = "SELECT unnest(%s::bigint[])", [places]
        offerings = "SELECT offering_id FROM noted_offerings"
        gone_results = f"WHERE offering_id IN ({offerings})"
    rows = (
        f"SELECT placed_municipality_id, programme_status, taking_part_key FROM {TABLE}"
        f" WHERE placed_municipality_id IN ({places_sql})"
    )
    trained, trained_params = cohorts.stored_counted_sql(places_sql, places_params, on)
    counted, counted_params = results.counted_sql(offerings, on)
    cells = ", ".join(setbased.CELL_COLUMNS)
    cursor.execute(
        f"""WITH noted_offerings AS (DELETE FROM {results.NOTED} RETURNING offering_id),
            gone_results AS (DELETE FROM {results.TABLE} {gone_results}),
            new_results AS (
                INSERT INTO {results.TABLE} (offering_id, passed, failed) {counted}),
            gone_cells AS (DELETE FROM {CELLS} {where}),
            gone_cohorts AS (DELETE FROM {COHORTS} {where}),
            new_cells AS (
                INSERT INTO {CELLS} ({cells})
                SELECT * FROM ({setbased.taking_part_cells_sql(rows)}) AS counted)
            INSERT INTO {COHORTS} ({", ".join(cohorts.COLUMNS)})
            SELECT * FROM ({trained}) AS trained""",
        [*counted_params, *where_params, *where_params, *places_params, *trained_params],
    )


def stored_sql(
    people_sql: str,
    people_params,
    *,
    compliance: bool = False,
    municipality_ids=None,
    taking_part: bool = False,
    placed: bool = False,
) -> tuple[str, list]:
    """`standing_sql`'s query, answered from the stored rows (call `serves` first). With
    `placed`, `people_sql` is a query of municipality ids instead, and the rows are those
    of the managers placed in them today."""
    selected, params = ["participant_id", *PROGRESS], []
    if compliance:
        for column in ["municipality_id", *COMPLIANCE]:
            if municipality_ids is not None and column in BY_MANDATE:
                selected.append(
                    f"CASE WHEN municipality_id = ANY(%s::bigint[]) THEN {column} END AS {column}"
                )
                params.append(list(municipality_ids))
            else:
                selected.append(column)
    if taking_part:
        selected += TAKING_PART
    column = "placed_municipality_id" if placed else "participant_id"
    return (
        f"SELECT {', '.join(selected)} FROM {TABLE} WHERE {column} IN ({people_sql})",
        [*params, *people_params],
    )
