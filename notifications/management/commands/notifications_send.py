from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...models import MessageState
from ...reminders import due_unsent, reminders_queue
from ...services import message_deliver


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Send the reminders due on a day (and the HR digest and the heads' summary on their "
        "days), each once; with --dry-run, print them and send nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day")
        parser.add_argument("--dry-run", action="store_true", help="print, send nothing")

    def handle(self, *args, date, dry_run, **options):
        on = parse_day(date)
        if dry_run:
            due = due_unsent(on)
            for planned in due:
                about = planned.participant.full_name if planned.participant else "–"
                self.stdout.write(
                    "\t".join(
                        [
                            planned.kind,
                            (planned.deadline or on).isoformat(),
                            str(planned.lead_days),
                            planned.recipient.email,
                            str(planned.participant.pk if planned.participant else "-"),
                            about,
                        ]
                    )
                )
            self.stdout.write(
                _("%(count)s messages due on %(date)s.") % {"count": len(due), "date": on}
            )
            return
        written = reminders_queue(on=on, dispatch=False)
        states = [message_deliver(message_id=m.pk) for m in written]
        sent = sum(1 for m in states if m is not None and m.state == MessageState.SENT)
        self.stdout.write(
            _("%(sent)s of %(count)s messages due on %(date)s sent.")
            % {"sent": sent, "count": len(written), "date": on}
        )
