"""Writes to a programme's reference data: its equivalence table."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Course, CourseEquivalence, Programme, ProgrammeSlot
from .selectors import programmes_managed_by


def _ensure_managed(user, programme: Programme) -> None:
    if not programmes_managed_by(user).filter(pk=programme.pk).exists():
        raise Http404


def equivalence_add(
    *, user, programme: Programme, course: Course, slot: ProgrammeSlot
) -> CourseEquivalence:
    """Record that a course of another programme fills a slot of this one."""
    equivalence = CourseEquivalence(programme=programme, course=course, slot=slot)
    equivalence.full_clean(validate_unique=False)
    with transaction.atomic():
        _ensure_managed(user, programme)
        try:
            with transaction.atomic():
                equivalence.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"course": _("The table already says which slot this course fills.")}
            ) from exc
    return equivalence


def equivalence_remove(*, user, programme: Programme, equivalence_id: int) -> None:
    with transaction.atomic():
        _ensure_managed(user, programme)
        deleted, _rows = CourseEquivalence.objects.filter(
            programme=programme, pk=equivalence_id
        ).delete()
        if not deleted:
            raise Http404
