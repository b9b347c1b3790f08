"""A real SMTP server (aiosmtpd) for the tests, Django's SMTP backend pointed at it, and
a small Borlänge with a mandate, a manager, HR and a head of administration."""

import socket
import threading
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from portal.accounts.models import Role
from portal.celery import app as celery_app
from tests import factories as f


class Inbox:
    """What the SMTP server received, parsed as a mail client would."""

    def __init__(self):
        self.received = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append((tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.received if address in rcpt]

    def one(self, address: str, kind_subject: str):
        found = [m for m in self.to(address) if kind_subject in m["Subject"]]
        assert len(found) == 1, [m["Subject"] for m in self.to(address)]
        return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "https://ledarskap.example.se"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def eager():
    """Tasks queued after commit run in the test's process (the path is the same); a
    retry runs again at once instead of raising to the caller."""
    conf = celery_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, False
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = before


@dataclass
class Town:
    manager: object
    participant: object
    hr: object
    head: object
    mandate: object


@pytest.fixture
def town(world):
    """Borlänge's mandate (start within 12, complete within 36 months from appointment),
    a manager appointed 2026-01-15 with an account, HR and a head of administration."""
    mandate = f.MandateFactory(
        municipality=world.borlange, effective_from=date(2025, 7, 1), decided_on=date(2025, 6, 1)
    )
    manager = f.UserFactory(email="lisa.berg@borlange.se", first_name="Lisa", last_name="Berg")
    f.RoleAssignmentFactory(user=manager, role=Role.MANAGER)
    participant = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        first_name="Lisa",
        last_name="Berg",
        email="lisa.berg@borlange.se",
        appointed_on=date(2026, 1, 15),
        user=manager,
    )
    hr = f.UserFactory(email="personal@borlange.se")
    f.RoleAssignmentFactory(user=hr, role=Role.HR_ADMIN, municipality=world.borlange)
    head = f.UserFactory(email="fc@borlange.se")
    f.RoleAssignmentFactory(
        user=head, role=Role.HEAD_OF_ADMINISTRATION, municipality=world.borlange
    )
    return Town(manager=manager, participant=participant, hr=hr, head=head, mandate=mandate)
