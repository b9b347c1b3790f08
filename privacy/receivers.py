from django.db.models.signals import post_delete
from django.dispatch import receiver

from enrolment.models import Participant
from portal.accounts.access import records_opened

from .services import access_log_write, history_erase


@receiver(records_opened)
def _log_access(sender, *, user, participants, what, regions=None, **kwargs):
    access_log_write(user=user, participant_ids=participants, kind=what, regions=regions)


@receiver(post_delete, sender=Participant)
def _erase_history(sender, instance, **kwargs):
    # A deleted manager's earlier versions go too: their name and e-mail are in them.
    history_erase(participant_ids=[instance.pk])
