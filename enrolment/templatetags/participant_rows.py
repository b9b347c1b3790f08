"""The rows of managers the busiest pages list (the managers list, a municipality's
compliance), each written by one tag: fifty rows of eleven cells as template nodes were a
third of the list's time (a node per cell, a context per row)."""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

NONE = "–"


def _or_none(value) -> str:
    return value if value else NONE


def _select(checkbox, name: str):
    """A row's checkbox with its label, for the bulk nomination."""
    return format_html(
        '{}<label class="visually-hidden" for="{}">{}</label>',
        checkbox.tag(),
        checkbox.id_for_label,
        _("Select %(name)s") % {"name": name},
    )


@register.simple_tag
def participant_row(row, can_nominate: bool):
    """One manager's row of the list, the same HTML the template wrote: the checkbox to
    nominate (when the page may), name, municipality, administration, position, appointed,
    slots filled, hp, status, compliance and deadline. Written with the standard library's
    escape (what Django's does) in one string: fifty rows a page."""
    p, standing = row["participant"], row["standing"]
    checkbox = ""
    if can_nominate:
        box = row["checkbox"]
        checkbox = f"<td>{_select(box, p.full_name) if box else ''}</td>"
    status = standing.compliance_status
    compliance = (
        f'<span class="badge text-bg-light border compliance-{escape(str(status))}">'
        f"{escape(str(row['compliance']))}</span>"
        if status
        else NONE
    )
    deadline = standing.compliance_deadline
    programme_status = standing.programme_status
    administration = p.administration.name if p.administration else ""
    appointed = p.appointed_on.isoformat() if p.appointed_on else ""
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<tr>{checkbox}<th scope="row"><a href="{escape(row["url"])}">'
        f"{escape(p.last_name)}, {escape(p.first_name)}</a></th>"
        f"<td>{escape(p.municipality.name)}</td>"
        f"<td>{escape(_or_none(administration))}</td>"
        f"<td>{escape(str(_or_none(p.get_position_display())))}</td>"
        f"<td>{_or_none(appointed)}</td>"
        f'<td class="text-end">{standing.slots_filled}/{standing.slot_count}</td>'
        f'<td class="text-end">{floatformat(standing.hp, "-1")}</td>'
        f'<td><span class="badge text-bg-light border status-{escape(str(programme_status))}">'
        f"{escape(str(row['status']))}</span></td>"
        f"<td>{compliance}</td>"
        f'<td class="text-nowrap">{deadline.isoformat() if deadline else NONE}</td></tr>'
    )


@register.simple_tag
def compliance_row(row, checkbox, bulk_form):
    """One manager's row of a compliance table, the same HTML the template wrote: the
    checkbox (when the page nominates), name, administration, status, deadline, reason and
    the link to nominate."""
    p = row.participant
    url = escape(reverse("enrolment:participant_detail", args=[p.pk]))
    name = escape(p.full_name)
    select = nominate = ""
    if bulk_form:
        select = f"<td>{_select(checkbox, p.full_name) if checkbox else ''}</td>"
        link = (
            f'<a class="btn btn-outline-primary btn-sm" href="{url}#nominate">'
            f'{escape(_("Nominate"))}<span class="visually-hidden"> {name}</span></a>'
        )
        nominate = f"<td>{link if checkbox else ''}</td>"
    administration = p.administration.name if p.administration else ""
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<tr data-participant="{p.pk}">{select}'
        f'<th scope="row" class="fw-normal"><a href="{url}">{name}</a></th>'
        f"<td>{escape(_or_none(administration))}</td><td>{conditional_escape(row.status_label)}</td>"
        f'<td class="text-nowrap">{row.deadline.isoformat() if row.deadline else NONE}</td>'
        f"<td>{conditional_escape(row.reason)}</td>{nominate}</tr>"
    )
