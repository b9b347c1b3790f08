import django_filters
from django.utils.translation import gettext_lazy as _

from programmes.models import Administration

from .compliance import Status
from .forms_participants import FilterForm
from .models import OperationalArea, Participant

STATUS_CHOICES = [(s, Status.LABELS[s]) for s in Status.ORDER]


class ComplianceFilter(django_filters.FilterSet):
    """Narrows a municipality's compliance list to an administration or an area."""

    administration = django_filters.ModelChoiceFilter(
        label=_("Administration"), queryset=Administration.objects.none(), empty_label=_("All")
    )
    operational_area = django_filters.ChoiceFilter(
        label=_("Operational area"), choices=OperationalArea.choices, empty_label=_("All")
    )

    class Meta:
        model = Participant
        fields = ["administration", "operational_area"]
        form = FilterForm

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["administration"].queryset = municipality.administrations.all()
