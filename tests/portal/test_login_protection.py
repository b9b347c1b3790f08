"""Log-in that holds: django-axes counts failures in the database per account and
address, on allauth's form and on the admin's, with or without Redis, behind proxies."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests import factories as f
from tests.factories import PASSWORD

HERE = "198.51.100.7"
ELSEWHERE = "192.0.2.44"
ATTEMPTS = 30


def _portal_log_in(client, email, password, **meta):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **meta)


def _admin_log_in(client, email, password, **meta):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": "/admin/"},
        **meta,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff(db):
    return f.UserFactory(email="superuser@hvd.se", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("log_in", [_portal_log_in, _admin_log_in], ids=["portal", "admin"])
def test_thirty_wrong_passwords_lock_the_account_from_that_address_only(client, staff, log_in):
    for _ in range(ATTEMPTS):
        response = log_in(client, staff.email, "fel-lösenord", REMOTE_ADDR=HERE)
        assert response.status_code in (200, 422, 429)
    assert response.status_code == 429

    locked = log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE)
    assert locked.status_code == 429
    assert not _logged_in(client)
    assert "Försök igen klockan" in locked.content.decode()

    from_elsewhere = log_in(client, staff.email, PASSWORD, REMOTE_ADDR=ELSEWHERE)
    assert from_elsewhere.status_code == 302
    assert _logged_in(client)


def test_the_lock_counts_the_account_whatever_its_spelling(client, staff):
    for _ in range(ATTEMPTS):
        _portal_log_in(client, staff.email.upper(), "fel-lösenord", REMOTE_ADDR=HERE)
    assert _portal_log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE).status_code == 429


def test_other_accounts_from_the_same_address_are_not_locked(client, staff, personas):
    for _ in range(ATTEMPTS):
        _portal_log_in(client, staff.email, "fel-lösenord", REMOTE_ADDR=HERE)
    response = _portal_log_in(client, personas.manager.email, PASSWORD, REMOTE_ADDR=HERE)
    assert response.status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, staff):
    for _ in range(9):
        _portal_log_in(client, staff.email, "fel-lösenord", REMOTE_ADDR=HERE)
    assert _portal_log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE).status_code == 302
    client.logout()
    for _ in range(9):
        _portal_log_in(client, staff.email, "fel-lösenord", REMOTE_ADDR=HERE)
    assert _portal_log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE).status_code == 302


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


def test_with_the_cache_unreachable_log_in_works_and_is_still_limited(client, staff, settings):
    settings.CACHES = UNREACHABLE_REDIS
    assert _portal_log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE).status_code == 302
    client.logout()
    for _ in range(ATTEMPTS):
        response = _portal_log_in(client, staff.email, "fel-lösenord", REMOTE_ADDR=HERE)
        assert response.status_code in (422, 429)
    assert _portal_log_in(client, staff.email, PASSWORD, REMOTE_ADDR=HERE).status_code == 429
    assert not _logged_in(client)


def test_behind_two_trusted_proxies_the_client_address_is_read_from_x_forwarded_for(
    client, staff, settings
):
    settings.TRUSTED_PROXY_COUNT = 2

    def through_proxies(client_address, spoofed="203.0.113.66"):
        # The client's own header, then each proxy appends the address it was called from.
        return {
            "REMOTE_ADDR": "10.0.0.3",
            "HTTP_X_FORWARDED_FOR": f"{spoofed}, {client_address}, 10.0.0.2",
        }

    _portal_log_in(client, staff.email, "fel-lösenord", **through_proxies(HERE))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [HERE]

    for _ in range(ATTEMPTS):
        _portal_log_in(client, staff.email, "fel-lösenord", **through_proxies(HERE))
    locked = _portal_log_in(client, staff.email, PASSWORD, **through_proxies(HERE, "192.0.2.1"))
    assert locked.status_code == 429
    colleague = _portal_log_in(client, staff.email, PASSWORD, **through_proxies(ELSEWHERE))
    assert colleague.status_code == 302
