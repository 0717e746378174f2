import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from incidents.models import Category, District
from portal import roles
from portal.models import Country, Municipality, PartnerBody, PoliceUnit


def square(x: float, y: float, size: float = 0.1) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


@pytest.fixture
def area(db, make_user):
    """A town served by a police unit, with one district covering its west half and an officer there; the
    east half is served by the unit but lies in no district. A coordinator and a partner body belong to it."""
    town = Municipality.objects.create(
        country=Country.CZ, code="553468", name="Domažlice", boundary=square(12.9, 49.4, 0.2)
    )
    unit = PoliceUnit.objects.create(code="oop-dom", name="OOP Domažlice", country=Country.CZ)
    unit.municipalities.add(town)
    district = District.objects.create(
        code="d-west", name="West", area=square(12.9, 49.4, 0.1), police_unit=unit, municipality=town
    )
    officer = make_user(email="officer@example.org", roles=[roles.OFFICER], police_unit=unit)
    district.officers.add(officer)
    coordinator = make_user(email="coord@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    body = PartnerBody.objects.create(
        code="mp", name="MP Domažlice", kind="municipal_police", municipality=town
    )
    partner = make_user(email="mp@example.org", roles=[roles.PARTNER_BODY], partner_body=body, language="pl")
    dumping = Category.objects.create(
        code="illegal-dumping",
        group="environment",
        name_cs="černé skládky",
        name_pl="dzikie wysypiska śmieci",
        name_en="Illegal rubbish dump",
    )
    return {
        "town": town,
        "unit": unit,
        "district": district,
        "officer": officer,
        "coordinator": coordinator,
        "body": body,
        "partner": partner,
        "category": dumping,
        "in_district": Point(12.95, 49.45, srid=4326),
        "outside_district": Point(13.05, 49.45, srid=4326),
        "outside_area": Point(14.4, 50.1, srid=4326),
    }


# --- Open311 (tests/incidents/test_open311_*.py) ----------------------------------------------------------


@pytest.fixture
def open311_keys(area):
    """A civic app's api key and a staff (back office) one, both without an hourly limit: their secrets."""
    from incidents.open311.services import api_key_create

    civic, civic_secret = api_key_create(name="Civic app", rate_limit_per_hour=0)
    staff, staff_secret = api_key_create(name="Town back office", staff=True, rate_limit_per_hour=0)
    return {"civic": civic_secret, "staff": staff_secret, "civic_key": civic, "staff_key": staff}


@pytest.fixture
def person_category(area):
    """A person-related category: never public."""
    return Category.objects.create(
        code="minors-at-risk",
        group="social",
        name_cs="ohrožené děti",
        name_pl="zagrożeni nieletni",
        name_en="Minors at risk",
        public=False,
    )
