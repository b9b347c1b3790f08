"""The rows of managers the busiest pages list (the managers list, a municipality's
compliance), each written by one tag: fifty rows of eleven cells as template nodes were a
third of the list's time (a node per cell, a context per row)."""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
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
    slots filled, hp, status, compliance and deadline."""
    p, standing = row["participant"], row["standing"]
    checkbox = ""
    if can_nominate:
        box = row["checkbox"]
        checkbox = format_html(
            "<td>{}</td>",
            format_html(
                '{}<label class="visually-hidden" for="{}">{}</label>',
                box.tag(),
                box.id_for_label,
                _("Select %(name)s") % {"name": p.full_name},
            )
            if box
            else "",
        )
    compliance = (
        format_html(
            '<span class="badge text-bg-light border compliance-{}">{}</span>',
            standing.compliance_status,
            row["compliance"],
        )
        if standing.compliance_status
        else NONE
    )
    deadline = standing.compliance_deadline
    return format_html(
        "<tr>{}"
        '<th scope="row"><a href="{}">{}, {}</a></th>'
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        '<td class="text-end">{}/{}</td>'
        '<td class="text-end">{}</td>'
        '<td><span class="badge text-bg-light border status-{}">{}</span></td>'
        "<td>{}</td>"
        '<td class="text-nowrap">{}</td></tr>',
        mark_safe(checkbox),  # noqa: S308 (made by format_html above)
        row["url"],
        p.last_name,
        p.first_name,
        p.municipality.name,
        _or_none(p.administration.name if p.administration else ""),
        _or_none(p.get_position_display()),
        _or_none(p.appointed_on.isoformat() if p.appointed_on else ""),
        standing.slots_filled,
        standing.slot_count,
        floatformat(standing.hp, "-1"),
        standing.programme_status,
        row["status"],
        compliance,
        deadline.isoformat() if deadline else NONE,
    )


@register.simple_tag
def compliance_row(row, checkbox, bulk_form):
    """One manager's row of a compliance table, the same HTML the template wrote: the
    checkbox (when the page nominates), name, administration, status, deadline, reason and
    the link to nominate."""
    p = row.participant
    url = reverse("enrolment:participant_detail", args=[p.pk])
    select = nominate = ""
    if bulk_form:
        select = format_html("<td>{}</td>", _select(checkbox, p.full_name) if checkbox else "")
        nominate = format_html(
            "<td>{}</td>",
            format_html(
                '<a class="btn btn-outline-primary btn-sm" href="{}#nominate">{}'
                '<span class="visually-hidden"> {}</span></a>',
                url,
                _("Nominate"),
                p.full_name,
            )
            if checkbox
            else "",
        )
    return format_html(
        '<tr data-participant="{}">{}'
        '<th scope="row" class="fw-normal"><a href="{}">{}</a></th>'
        "<td>{}</td><td>{}</td>"
        '<td class="text-nowrap">{}</td>'
        "<td>{}</td>{}</tr>",
        p.pk,
        select,
        url,
        p.full_name,
        _or_none(p.administration.name if p.administration else ""),
        row.status_label,
        row.deadline.isoformat() if row.deadline else NONE,
        row.reason,
        nominate,
    )
