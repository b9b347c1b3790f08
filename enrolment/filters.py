"""Filters for the managers list and its export, and the programme status they filter on.

The status, slots filled and hp are computed in the database (`with_programme_status`) so
that filtering, sorting and pagination stay correct and cost the same whatever the
number of managers. They follow the same rules as `enrolment.progress._progress`: the
region's first programme; a slot is filled by a pass (hp of the first pass, capped at the
slot's hp) or a slot credit transfer; a whole-programme transfer fills every slot.
"""

import django_filters
from django.db.models import (
    Case,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.scope import PEOPLE_ROLES
from portal.daycache import kept
from portal.widgets import listed_options, options_read
from programmes.models import Administration, Municipality
from programmes.selectors import administrations_visible_to, municipalities_visible_to, reach_key

from . import setbased
from .compliance import Status
from .forms_participants import FilterForm
from .models import (
    OperationalArea,
    Participant,
    Position,
)
from .progress import ProgrammeStatus

COMPLIANCE_CHOICES = [(s, Status.LABELS[s]) for s in Status.ORDER]
# Sorting by compliance puts the most urgent first: the order of the compliance page.
COMPLIANCE_RANK = Case(
    *(When(compliance_status=s, then=Value(i)) for i, s in enumerate(Status.ORDER)),
    default=Value(len(Status.ORDER)),
    output_field=IntegerField(),
)


class ParticipantOrderingFilter(django_filters.OrderingFilter):
    """Sorting by whole names, with empty values last and a stable order for paging."""

    EXPANSIONS = {"name": ("last_name", "first_name")}
    # Our own msgid, so that the descending options are translated ("Namn (fallande)").
    descending_fmt = _("%s (descending)")
    EXPRESSIONS = {"compliance": COMPLIANCE_RANK}
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
                expression = self.EXPRESSIONS.get(field) or F(field)
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
    compliance = django_filters.ChoiceFilter(
        label=_("Compliance"),
        choices=COMPLIANCE_CHOICES,
        field_name="compliance_status",
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
            ("compliance", "compliance"),
            ("compliance_deadline", "deadline"),
        ),
        field_labels={
            "last_name": _("Name"),
            "municipality__name": _("Municipality"),
            "appointed_on": _("Appointed as manager"),
            "hp": _("hp"),
            "compliance": _("Compliance"),
            "compliance_deadline": _("Deadline"),
        },
    )
    # What needs where each manager stands (`enrolment.setbased`) for all of them rather
    # than for the page shown: these filters and sorts.
    STANDING_FILTERS = {"status": False, "compliance": True}
    STANDING_SORTS = {"hp": False, "compliance": True, "deadline": True}

    class Meta:
        model = Participant
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.joined = False
        municipalities = municipalities_visible_to(user).order_by("name")
        administrations = administrations_visible_to(user).select_related("municipality")
        # The options, read once and kept until a write for every user of the same reach;
        # a chosen value is still checked against the querysets.
        key = (reach_key(user, PEOPLE_ROLES),)
        self.listed = {
            "municipality": kept(
                "filter-municipality-options", key, lambda: listed_options(municipalities)
            ),
            "administration": kept(
                "filter-administration-options", key, lambda: listed_options(administrations)
            ),
        }
        if len(self.listed["municipality"]) > 1:
            self.filters["municipality"].queryset = municipalities
        else:
            del self.filters["municipality"]
        self.filters["administration"].queryset = administrations

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, listed in self.listed.items():
                if name in form.fields:
                    options_read(form.fields[name], listed)
        return self._form

    def _standing_needed(self) -> tuple[bool, bool, bool]:
        """Whether the filters need where each manager stands, whether the sort does, and
        whether either needs compliance."""
        if not self.is_bound:
            return False, False, False
        self.errors  # noqa: B018 (cleans the form)
        data = self.form.cleaned_data
        filters = [c for n, c in self.STANDING_FILTERS.items() if data.get(n)]
        sorts = [
            c
            for key in (data.get("ordering") or ())
            if (c := self.STANDING_SORTS.get((key or "").lstrip("-"))) is not None
        ]
        return bool(filters), bool(sorts), any(filters) or any(sorts)

    def filter_queryset(self, queryset):
        """Filters and sorts. Where each manager stands is joined only when a filter or
        the sort needs it, and after the other filters, so it is computed for the managers
        they leave; otherwise the page shown is annotated afterwards
        (`selectors.page_standing`)."""
        by_filter, by_sort, compliance = self._standing_needed()
        data = self.form.cleaned_data
        later = {*self.STANDING_FILTERS, "ordering"}
        for name, value in data.items():
            if name not in later:
                queryset = self.filters[name].filter(queryset, value)
        if by_filter or by_sort:
            queryset = setbased.with_standing(queryset, timezone.localdate(), compliance=compliance)
            self.joined = True
        for name, value in data.items():
            if name in later:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def annotated(self):
        """The managers that match, each annotated with where they stand (the export)."""
        queryset = self.qs
        return queryset if self.joined else setbased.with_standing(queryset, timezone.localdate())

    def count(self) -> int:
        """How many managers match: without joining where they stand unless a filter
        needs it (sorting never changes the count)."""
        by_filter, _by_sort, _compliance = self._standing_needed()
        if by_filter or not self.is_bound:
            return self.qs.count()
        queryset = self.queryset.all()
        for name, value in getattr(self.form, "cleaned_data", {}).items():
            if name != "ordering":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.count()

    def search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        # "First Last" holds each name on its own as well as the two together.
        phrase = " ".join(words)
        return queryset.alias(searchable_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(searchable_name__icontains=phrase) | Q(email__icontains=phrase)
        )
