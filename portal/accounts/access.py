"""That someone opened person-level records: said where it happens, logged above."""

from django.dispatch import Signal

# Sent with `user`, `participants` (ids) and `what` (page, export, report).
records_opened = Signal()


def opened(request, *, participants, what: str, regions=None) -> None:
    """Say that the request's user opened these managers' records; `regions`: each one's
    region id by manager id, when the caller has read them already."""
    ids = [getattr(p, "pk", p) for p in participants]
    if ids:
        records_opened.send(
            sender=None, user=request.user, participants=ids, what=what, regions=regions
        )
