"""Query budgets shared by the query-count tests.

The first read of where managers stand after a write brings the stored standing up to
date (`enrolment.projection.refresh`): the lock, the day (and, the first time a database
is refreshed, its row), the programmes' shapes, the offerings and terms the at-risk
estimate needs, one statement that computes and stores the rows, and one that counts the
council's grids, cohorts and pass rates again for what was noted. The same number of
queries whatever the number of managers; a read with nothing to bring up to date costs
one (the check) instead of the shapes.
"""

STANDING_REFRESH = 8
