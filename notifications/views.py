"""Preferences, the one-click unsubscribe, the calendar feed and the failed messages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from enrolment.selectors import participant_for_user
from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role

from . import ics, selectors, services
from .kinds import Kind, is_mandatory
from .models import CalendarFeed

RECEIVING_ROLES = (Role.MANAGER, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION)


@require_form_methods
@role_required(*RECEIVING_ROLES)
def preferences(request):
    offered = selectors.kinds_offered_to(request.user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("kinds")) & set(offered)
        services.kinds_set(
            emails=selectors.own_addresses(request.user), kinds_on=chosen, offered=offered
        )
        messages.success(request, _("Your choices have been saved."))
        return redirect("notifications:preferences")
    turned_off = selectors.kinds_turned_off(request.user)
    participant = participant_for_user(request.user)
    kinds = [
        {
            "value": k,
            "label": Kind(k).label,
            "on": k not in turned_off,
            "mandatory": is_mandatory(k),
        }
        for k in offered
    ]
    feed = services.feed_of(participant) if participant is not None else None
    return render(request, "notifications/preferences.html", {"kinds": kinds, "feed": feed})


@require_POST
@role_required(Role.MANAGER)
def feed_reset(request):
    participant = participant_for_user(request.user)
    if participant is None:
        raise Http404
    services.feed_reset(participant=participant)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("notifications:preferences")


@require_safe
@never_cache
def feed(request, token: str):
    """Public by its secret: calendar clients fetch it without logging in."""
    found = CalendarFeed.objects.select_related("participant__municipality").filter(token=token)
    feed = found.first()
    if feed is None:
        raise Http404
    body = ics.feed_ics(feed.participant, on=timezone.localdate())
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One click, without logging in (RFC 8058: mail clients POST to it). A GET only
    asks, so that a link scanner opening the link turns nothing off."""
    try:
        email, kind = services.unsubscribe_read(token)
    except ValidationError as exc:
        return render(
            request, "notifications/unsubscribe.html", {"error": exc.messages[0]}, status=400
        )
    done = request.method == "POST"
    if done:
        services.kind_turn_off(email=email, kind=kind)
    context = {"email": email, "kind_label": Kind(kind).label, "done": done}
    return render(request, "notifications/unsubscribe.html", context)


@require_safe
@role_required(Role.PROGRAMME_ADMIN)
def failed_list(request):
    failed = selectors.failed_messages_for(request.user)[:200]
    return render(request, "notifications/failed_list.html", {"failed": failed})
