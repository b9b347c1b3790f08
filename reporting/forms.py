"""Forms of the reports page: one order form per report, subscriptions, revoking.

Every choice offered comes from the scoped selectors, so a value outside the user's reach
is simply not a valid choice: the form says so and nothing is ordered.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.selectors import region_programmes
from programmes.terms import Term

from .models import ReportKind, ReportScope, ReportSubscription
from .selectors import (
    administrations_orderable_by,
    certificate_participants_for,
    municipalities_orderable_by,
    regions_orderable_by,
)


def scope_choices(user) -> tuple[list, dict]:
    """Municipalities (whole) and administrations the user reaches, grouped by
    municipality, with the scope each choice stands for."""
    municipalities = {m.pk: m for m in municipalities_orderable_by(user).order_by("name")}
    administrations = administrations_orderable_by(user).order_by("municipality__name", "name")
    groups: dict[str, list] = {}
    scopes: dict[str, ReportScope] = {}
    for municipality in municipalities.values():
        value = f"m{municipality.pk}"
        groups.setdefault(municipality.name, []).append(
            (value, _("%(name)s, the whole municipality") % {"name": municipality.name})
        )
        scopes[value] = ReportScope(municipality=municipality)
    for administration in administrations:
        value = f"a{administration.pk}"
        groups.setdefault(administration.municipality.name, []).append(
            (value, f"{administration.name}, {administration.municipality.name}")
        )
        scopes[value] = ReportScope.of_administration(administration)
    return sorted(groups.items()), scopes


def _helper(form_id: str, action: str, label, button_class="btn btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.form_method = "post"
    helper.form_action = action
    button = Submit("submit", label, css_id=f"{form_id}-submit")
    button.field_classes = button_class
    helper.add_input(button)
    return helper


class OrderForm(forms.Form):
    kind: str = ""
    submit_label = _("Order")

    def __init__(self, *args, user, **kwargs):
        # Several forms share a page: ids of their own, so that each label finds its field.
        super().__init__(*args, auto_id=f"id_{self.kind}_%s", **kwargs)
        self.user = user
        self.helper = _helper(
            f"order-{self.kind}",
            reverse("reporting:report_order", args=[self.kind]),
            self.submit_label,
        )

    @property
    def title(self):
        return ReportKind(self.kind).label

    def scope(self) -> ReportScope:
        raise NotImplementedError

    def data_date(self):
        return None

    def period(self) -> tuple[str, str] | None:
        return None


class DatedOrderForm(OrderForm):
    """An order that may be for an earlier day than today."""

    report_date = forms.DateField(
        label=_("Data date"),
        required=False,
        help_text=_("The day the report describes. Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.today = timezone.localdate()
        self.fields["report_date"].initial = self.today
        self.fields["report_date"].widget.attrs["max"] = self.today.isoformat()

    def clean_report_date(self):
        day = self.cleaned_data.get("report_date") or self.today
        if day > self.today:
            raise ValidationError(_("The data date cannot be in the future."), code="future")
        return day

    def data_date(self):
        return self.cleaned_data["report_date"]


class ProgressOrderForm(DatedOrderForm):
    kind = ReportKind.PROGRESS
    submit_label = _("Order progress report")
    scope_choice = forms.ChoiceField(label=_("Municipality or administration"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        choices, self.scopes = scope_choices(user)
        self.fields["scope_choice"].choices = choices

    def scope(self) -> ReportScope:
        return self.scopes[self.cleaned_data["scope_choice"]]


class ComplianceOrderForm(DatedOrderForm):
    kind = ReportKind.COMPLIANCE
    submit_label = _("Order compliance report")
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None, empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["municipality"].queryset = municipalities_orderable_by(user).order_by("name")

    def scope(self) -> ReportScope:
        return ReportScope(municipality=self.cleaned_data["municipality"])


class RegionalOrderForm(DatedOrderForm):
    """The regional follow-up for a period: the terms from–to, both included."""

    kind = ReportKind.REGIONAL
    submit_label = _("Order regional follow-up")
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, empty_label=None)
    period_first = forms.ChoiceField(label=_("From term"))
    period_last = forms.ChoiceField(label=_("To term"))
    field_order = ["region", "period_first", "period_last", "report_date"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        regions = regions_orderable_by(user).order_by("name")
        self.fields["region"].queryset = regions
        firsts = [
            Term.parse(programme.first_term)
            for programme in region_programmes(regions.values("pk")).values()
        ]
        last = Term.of(self.today)
        first = min(firsts, default=last)
        terms = [str(Term.from_index(i)) for i in range(first.index, last.index + 1)]
        self.fields["period_first"].choices = [(t, t) for t in terms]
        self.fields["period_last"].choices = [(t, t) for t in terms]
        self.fields["period_first"].initial = terms[0]
        self.fields["period_last"].initial = terms[-1]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("period_first"), cleaned.get("period_last")
        if not (first and last):
            return cleaned
        if Term.parse(first) > Term.parse(last):
            self.add_error(
                "period_last",
                ValidationError(_("The last term cannot come before the first."), code="order"),
            )
        elif cleaned.get("report_date") and Term.parse(last) > Term.of(cleaned["report_date"]):
            self.add_error(
                "period_last",
                ValidationError(
                    _("The last term cannot come after the data date's term (%(term)s).")
                    % {"term": Term.of(cleaned["report_date"])},
                    code="after_date",
                ),
            )
        return cleaned

    def scope(self) -> ReportScope:
        return ReportScope(region=self.cleaned_data["region"])

    def period(self) -> tuple[str, str]:
        return (self.cleaned_data["period_first"], self.cleaned_data["period_last"])


class CertificateOrderForm(OrderForm):
    """A programme administrator names the manager by their work e-mail address."""

    kind = ReportKind.CERTIFICATE
    submit_label = _("Order certificate")
    email = forms.EmailField(
        label=_("The manager's work e-mail"),
        help_text=_("The certificate is made only for a manager who has completed the programme."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        participant = certificate_participants_for(self.user).filter(email__iexact=email).first()
        if participant is None:
            raise forms.ValidationError(
                _("No manager in your region has this e-mail address."), code="unknown"
            )
        self.participant = participant
        return email

    def scope(self) -> ReportScope:
        return ReportScope(participant=self.participant)


class OwnCertificateForm(OrderForm):
    """A manager orders their own certificate: nothing to choose."""

    kind = ReportKind.CERTIFICATE
    submit_label = _("Order my certificate")

    def __init__(self, *args, user, participant, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.participant = participant

    def scope(self) -> ReportScope:
        return ReportScope(participant=self.participant)


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"), choices=[(k.value, k.label) for k in ReportSubscription.KINDS]
    )
    scope_choice = forms.ChoiceField(label=_("Municipality or administration"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="id_subscribe_%s", **kwargs)
        choices, self.scopes = scope_choices(user)
        self.fields["scope_choice"].choices = choices
        self.helper = _helper("subscribe", reverse("reporting:subscription_create"), _("Subscribe"))

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("scope_choice")
        if (
            cleaned.get("kind") == ReportKind.COMPLIANCE
            and value
            and self.scopes[value].administration is not None
        ):
            self.add_error(
                "scope_choice",
                forms.ValidationError(
                    _("The compliance report is for a whole municipality."), code="whole"
                ),
            )
        return cleaned

    def scope(self) -> ReportScope:
        return self.scopes[self.cleaned_data["scope_choice"]]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("revoke", action, _("Revoke the certificate"), "btn btn-danger")
