from celery import shared_task
from django.utils import timezone

from .pending import pending_release_closed


@shared_task
def release_closed_rounds():
    """The answers still waiting when their round has closed, in one shuffled batch."""
    return pending_release_closed(on=timezone.localdate())
