"""Where each role starts: its dashboard, in the order a person with several roles lands."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from .accounts.models import Role
from .accounts.scope import roles_of


@dataclass(frozen=True)
class Dashboard:
    role: str
    url_name: str

    @property
    def label(self) -> Promise:
        return Role(self.role).label

    @property
    def url(self) -> str:
        return reverse(self.url_name)


DASHBOARDS = (
    Dashboard(Role.PROGRAMME_ADMIN, "portal:programme_admin"),
    Dashboard(Role.HR_ADMIN, "portal:hr_admin"),
    Dashboard(Role.HEAD_OF_ADMINISTRATION, "portal:head_of_administration"),
    Dashboard(Role.COUNCIL, "portal:council"),
    Dashboard(Role.NATIONAL_ADMIN, "portal:national"),
    Dashboard(Role.MANAGER, "enrolment:my_programme"),
)


def dashboards_for(user) -> list[Dashboard]:
    held = roles_of(user)
    return [d for d in DASHBOARDS if d.role in held]
