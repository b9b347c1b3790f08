"""Saving a version of a municipality's mandate."""

from django.db import transaction

from ..models import Mandate


def mandate_save(*, form, actor) -> Mandate:
    """Save a validated MandateForm (a new version, or a correction of one)."""
    with transaction.atomic():
        mandate = form.save()
    return mandate
