import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from incidents.models import Category
from portal import roles
from portal.models import ActivityLog, Country, Municipality
from projects.models import Membership
from workshops.models import Workshop


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_loads_the_seeds_and_is_idempotent(client):
    first = _seed()
    assert Municipality.objects.filter(country=Country.CZ).count() == 501
    plzen = Municipality.objects.get(name="Plzeň")
    assert plzen.code == "554791" and plzen.boundary.valid and plzen.boundary.srid == 4326
    assert Municipality.objects.get(country=Country.PL, name="Wrocław").boundary.contains(
        plzen.boundary.centroid.__class__(17.0385, 51.1079, srid=4326)
    )
    members = {
        m.municipality.name: m.joined_on.isoformat()
        for m in Membership.objects.select_related("municipality")
    }
    assert len(members) == 15
    assert members["Domažlice"] == "2010-07-01" and members["Železná Ruda"] == "2010-12-01"
    assert members["Merklín"] == "2011-06-01"
    assert Membership.objects.get(municipality__name="Merklín").municipality.district_name == "Plzeň-jih"
    bi_workshops = Workshop.objects.filter(initiative__code="bi-norway")  # seed 001; PDP4 is dated from today
    assert [w.held_on.isoformat() for w in bi_workshops.order_by("number")] == [
        "2020-11-06",
        "2021-02-19",
        "2021-04-30",
        "2021-06-25",
    ]
    assert set(bi_workshops.values_list("capacity", "partner_seats")) == {(35, 2)}
    assert Category.objects.count() == 26
    assert Category.objects.get(code="dangerous-entertainment").description_required
    assert not Category.objects.get(code="homeless-person").public
    users = get_user_model().objects.all()
    assert {r for u in users for r in u.groups.values_list("name", flat=True)} == set(roles.ROLES)
    assert "okrsek-demo" in first and "officer@demo.okrsek.cz" in first

    counts = (
        Municipality.objects.count(),
        users.count(),
        Membership.objects.count(),
        ActivityLog.objects.count(),
    )
    second = _seed()
    assert "nothing new" in second
    assert counts == (
        Municipality.objects.count(),
        users.count(),
        Membership.objects.count(),
        ActivityLog.objects.count(),
    )

    response = client.post("/accounts/login/", {"login": "officer@demo.okrsek.cz", "password": "okrsek-demo"})
    assert response.status_code == 302 and client.session.get("_auth_user_id")
