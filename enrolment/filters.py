"""Filters for the managers list and its export, and the programme status they filter on.

The status, slots filled and hp are computed in the database (`with_programme_status`) so
that filtering, sorting and pagination stay correct and cost the same whatever the
number of managers. They follow the same rules as `enrolment.progress._progress`: the
region's first programme; a slot is filled by a pass (hp of the first pass, capped at the
slot's hp) or a slot credit transfer; a whole-programme transfer fills every slot.
"""

import django_filters
from django.db.models import (
    F,
    Q,
    Value,
)
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from programmes.models import Administration, Municipality
from programmes.selectors import administrations_visible_to, municipalities_visible_to

from .forms_participants import ParticipantFilterForm
from .models import (
    OperationalArea,
    Participant,
    Position,
)
from .progress import ProgrammeStatus


class ParticipantOrderingFilter(django_filters.OrderingFilter):
    """Sorting by whole names, with empty values last and a stable order for paging."""

    EXPANSIONS = {"name": ("last_name", "first_name")}
    # Our own msgid, so that the descending options are translated ("Namn (fallande)").
    descending_fmt = _("%s (descending)")
    TIEBREAK = ("last_name", "first_name", "pk")

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if param in django_filters.constants.EMPTY_VALUES:
                continue
            descending = param.startswith("-")
            name = param.lstrip("-")
            fields = self.EXPANSIONS.get(name, (self.param_map.get(name, name),))
            for field in fields:
                expression = F(field)
                ordering.append(
                    expression.desc(nulls_last=True)
                    if descending
                    else expression.asc(nulls_last=True)
                )
        return qs.order_by(*ordering, *self.TIEBREAK)


class ParticipantFilter(django_filters.FilterSet):
    """The managers list: search, filters and sorting, limited to what the user reaches.

    Give it a queryset from `participants_visible_to` passed through
    `with_programme_status`; the choices offered come from the same reach.
    """

    q = django_filters.CharFilter(label=_("Search"), method="search")
    # The querysets are set per user in __init__.
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=_("All")
    )
    administration = django_filters.ModelChoiceFilter(
        label=_("Administration"), queryset=Administration.objects.none(), empty_label=_("All")
    )
    operational_area = django_filters.ChoiceFilter(
        label=_("Operational area"), choices=OperationalArea.choices, empty_label=_("All")
    )
    position = django_filters.ChoiceFilter(
        label=_("Position"), choices=Position.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Programme status"),
        choices=ProgrammeStatus.choices,
        field_name="programme_status",
        empty_label=_("All"),
    )
    ordering = ParticipantOrderingFilter(
        label=_("Sort by"),
        # Without a choice the list is in name order, the first option.
        empty_label=None,
        fields=(
            ("last_name", "name"),
            ("municipality__name", "municipality"),
            ("appointed_on", "appointed"),
            ("hp", "hp"),
        ),
        field_labels={
            "last_name": _("Name"),
            "municipality__name": _("Municipality"),
            "appointed_on": _("Appointed as manager"),
            "hp": _("hp"),
        },
    )

    class Meta:
        model = Participant
        fields = []
        form = ParticipantFilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        municipalities = municipalities_visible_to(user).order_by("name")
        if municipalities.count() > 1:
            self.filters["municipality"].queryset = municipalities
        else:
            del self.filters["municipality"]
        self.filters["administration"].queryset = administrations_visible_to(user).select_related(
            "municipality"
        )

    def search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        # "First Last" holds each name on its own as well as the two together.
        phrase = " ".join(words)
        return queryset.alias(searchable_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(searchable_name__icontains=phrase) | Q(email__icontains=phrase)
        )
