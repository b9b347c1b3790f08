"""seed_scale makes N synthetic regions sharing the municipalities, each with its own
programme, and several providers; one region stays the default for the benches."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enrolment.models import Participant
from programmes.models import Programme, ProgrammeProvider, Region
from programmes.selectors import region_programme
from web.demo.scale import region_spec

pytestmark = pytest.mark.django_db


def _synthetic():
    codes = [region_spec(n)["county_code"] for n in range(21)]
    return Region.objects.filter(county_code__in=codes).order_by("-county_code")


def test_seed_scale_makes_several_regions_with_their_own_programmes_and_providers():
    out = StringIO()
    call_command(
        "seed_scale",
        "--regions",
        "4",
        "--municipalities",
        "10",
        "--participants",
        "120",
        stdout=out,
    )
    assert "4 synthetic regions" in out.getvalue()
    regions = list(_synthetic())
    assert [r.county_code for r in regions] == ["99", "98", "97", "96"]
    assert sum(r.municipalities.count() for r in regions) == 10
    assert all(r.municipalities.exists() for r in regions)
    assert Participant.objects.filter(municipality__region__in=regions).count() == 120
    programmes = {region_programme(r) for r in regions}
    assert len(programmes) == 4 and None not in programmes
    providers = set(
        ProgrammeProvider.objects.filter(programme__in=programmes).values_list(
            "provider", flat=True
        )
    )
    assert len(providers) >= 2
    # Again with the default: one synthetic region, the others gone.
    call_command("seed_scale", "--municipalities", "3", "--participants", "20", stdout=StringIO())
    assert [r.county_code for r in _synthetic()] == ["99"]
    assert Programme.objects.filter(region__county_code__in=["98", "97", "96"]).count() == 0


def test_seed_scale_refuses_more_regions_than_municipalities():
    with pytest.raises(CommandError):
        call_command(
            "seed_scale", "--regions", "5", "--municipalities", "3", "--participants", "10"
        )
