"""The demo holds two regions: Dalarna as before, and Gävleborg from gavleborg.json with
its own log-ins, two providers, an equivalence table, and a national administrator."""

from django.urls import reverse

from portal.accounts.models import Role, User
from portal.accounts.scope import reach
from programmes.models import CourseEquivalence, Programme, Region
from programmes.selectors import offerings_for_municipality, region_programme
from web.demo.dalarna import build_demo
from web.demo.gavleborg import PROGRAMME, build_gavleborg


def test_seed_demo_loads_gavleborg_beside_dalarna_the_same_each_time(client, db):
    build_demo()
    first = build_gavleborg()
    again = build_gavleborg()
    assert first == again
    dalarna, gavleborg = Region.objects.get(county_code="20"), Region.objects.get(county_code="21")
    assert gavleborg.municipalities.count() == first.municipalities == 10
    programme = region_programme(gavleborg)
    assert programme.title == PROGRAMME["title"]
    assert region_programme(dalarna) != programme
    assert set(programme.programme_providers.values_list("provider__name", flat=True)) == {
        "Högskolan i Gävle",
        "Högskolan Dalarna",
    }
    table = CourseEquivalence.objects.filter(programme=programme)
    assert table.count() == 4
    assert {e.course.slot.programme for e in table} == {region_programme(dalarna)}
    # Högskolan Dalarna's offering is for Ovanåker and Ljusdal, not for Gävle.
    by_provider = {
        name: {
            o.provider.name
            for o in offerings_for_municipality(gavleborg.municipalities.get(name=name))
        }
        for name in ("Ljusdal", "Gävle")
    }
    assert by_provider == {
        "Ljusdal": {"Högskolan i Gävle", "Högskolan Dalarna"},
        "Gävle": {"Högskolan i Gävle"},
    }
    assert Programme.objects.filter(region=gavleborg).count() == 1


def test_the_demo_log_ins_of_gavleborg_and_the_nation(client, db):
    build_demo()
    build_gavleborg()

    admin = User.objects.get(email="programadmin@demo.vg.se")
    gavleborg = Region.objects.get(county_code="21")
    assert reach(admin).region_ids == {gavleborg.pk}
    national = User.objects.get(email="nationell@demo.ledarskap.se")
    assert national.role_assignments.get().role == Role.NATIONAL_ADMIN
    client.force_login(national)
    page = client.get(reverse("portal:national"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hälsa och välfärd i Dalarna" in html and "Välfärdsutveckling Gävleborg" in html
    rows = {g.name: g.participants_text for g in page.context["national"].regions}
    assert rows["Hälsa och välfärd i Dalarna"] not in ("<5", "x", "0")
