from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from enrolment.signals import result_changed

        from .services.certificates import certificate_review

        def review(sender, participant, reason, **kwargs):
            certificate_review(participant=participant, reason=reason)

        result_changed.connect(review, weak=False, dispatch_uid="reporting.certificate_review")

        from portal.daycache import figures_committed

        from .tasks import warm_later

        figures_committed.connect(warm_later, dispatch_uid="reporting.followup.warm_later")
