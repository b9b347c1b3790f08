import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _settle(**kwargs):
    """A worker process has loaded the portal: collect garbage as the web workers do
    (`portal.processes`); its figures and reports make as many short-lived objects."""
    from portal.processes import settle

    settle(views=False)
