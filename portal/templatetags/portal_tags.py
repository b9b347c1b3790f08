from django import template

from portal.disclosure import suppressed

register = template.Library()


@register.filter
def small_group(value):
    """A count standing alone on an aggregate page, as `portal.disclosure` lets it show."""
    return suppressed(value)
