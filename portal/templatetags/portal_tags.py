from django import template

from portal.privacy import HIDDEN, MIN_GROUP, suppressed

register = template.Library()


@register.filter
def small_group(value):
    """A count for aggregate pages: groups under five people show as "<5"."""
    return suppressed(value)


@register.filter
def share(part, whole):
    """A percentage of a group, hidden when the group is under five people."""
    if not whole or whole < MIN_GROUP:
        return "–"
    return f"{round(100 * part / whole)} %"


@register.simple_tag
def status_share(counts, status, total):
    """A status's share of a group: "<5" when the status or the group has 1–4 people."""
    count = counts.get(status, 0)
    if 0 < count < MIN_GROUP or 0 < total < MIN_GROUP:
        return HIDDEN
    if not total:
        return "–"
    return f"{round(100 * count / total)} %"
