"""Settings for Celery workers that a test starts on a broker namespace of its own: the
portal's settings, with broker transport options added from the environment (a key
prefix that keeps the test's messages apart, a short visibility timeout)."""

import json
import os

from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    **json.loads(os.environ.get("TEST_BROKER_TRANSPORT_OPTIONS", "{}")),
}

# A worker started with an embedded beat (-B) runs only the periodic tasks named here.
if os.environ.get("TEST_BEAT_ONLY"):
    from portal.settings import CELERY_BEAT_SCHEDULE

    CELERY_BEAT_SCHEDULE = {
        name: entry
        for name, entry in CELERY_BEAT_SCHEDULE.items()
        if name in os.environ["TEST_BEAT_ONLY"].split(",")
    }
