"""What the enrolment app tells the apps above it, without importing them."""

from django.dispatch import Signal

# Sent inside the transaction after a result behind a manager's progress changed, with
# `participant` and `reason` (in words, for whoever reads the consequence).
result_changed = Signal()
