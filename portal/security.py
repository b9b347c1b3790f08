"""Log-in protection (django-axes): who is trying, and what a locked-out person reads."""

from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format


def login_name(request, credentials) -> str:
    """The account a log-in names: the e-mail address of allauth's form or the admin's
    user name field, in one spelling so that `Chef@` and `chef@` count together."""
    credentials = credentials or {}
    name = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    )
    return str(name).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """A page in the person's language saying when they may try again. Every failed try
    during the lock starts the waiting time again, so the time counts from now."""
    cool_off = get_cool_off(request)
    until = timezone.localtime(timezone.now() + cool_off)
    context = {"try_again_at": time_format(until, "H:i"), "minutes": cool_off.seconds // 60}
    return render(request, "account/locked.html", context, status=429)
