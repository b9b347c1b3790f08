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
