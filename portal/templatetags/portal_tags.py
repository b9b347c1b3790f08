from django import template

from portal.privacy import MIN_GROUP, suppressed

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
