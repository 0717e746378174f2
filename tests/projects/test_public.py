"""Public pages: the programme with its members on a map, districts, calls, supported projects and CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from incidents.models import District
from portal.models import Country, Municipality, PoliceUnit
from projects.models import FinalReport, Membership, RegionalProject
from projects.workflow import Status

from .factories import approve, make_call, make_member, make_proposal

SQUARE = MultiPolygon(Polygon(((13, 49), (13.1, 49), (13.1, 49.1), (13, 49.1), (13, 49))), srid=4326)


@pytest.fixture
def public_world(programme, town, other_town, make_user):
    Municipality.objects.filter(pk__in=[town.pk, other_town.pk]).update(boundary=SQUARE)
    Membership.objects.filter(municipality=other_town).update(joined_on=date(2010, 12, 1))
    late = Municipality.objects.create(country=Country.CZ, code="556297", name="Stod", boundary=SQUARE)
    Membership.objects.create(programme=programme, municipality=late, status=Membership.Status.PREPARING)
    RegionalProject.objects.create(
        programme=programme, slug="ebezpecnost", name="eBezpečnost", summary="Internet"
    )
    unit = PoliceUnit.objects.create(code="krpp", name="KŘP", country=Country.CZ)
    officer = make_user(
        email="okrskar@policie.cz", roles=["officer"], police_unit=unit, full_name="Jan Okrskář"
    )
    district = District.objects.create(
        code="d-dom", name="Domažlice – střed", area=SQUARE, police_unit=unit, municipality=town
    )
    district.officers.add(officer)
    for year, count in ((2010, 2), (2011, 3)):
        call = make_call(programme, year=year, budget=Decimal("1000000"))
        for index in range(count):
            approve(
                make_proposal(call, town, title=f"Projekt {year}-{index}"),
                Decimal("50000"),
                status=Status.COMPLETED,
            )
    call = make_call(programme, year=2012, budget=Decimal("1000000"))
    make_proposal(call, other_town, title="Zamítnutý", status=Status.REJECTED)
    running = make_proposal(call, other_town, title="=cmd|' /C calc'!A0")
    approve(running, Decimal("70000"), status=Status.IN_PROGRESS)
    done = approve(make_proposal(call, town, title="Hotový"), Decimal("30000"), status=Status.COMPLETED)
    FinalReport.objects.create(proposal=done.proposal, summary="ok", spent_amount=Decimal("29000"))
    return programme


@pytest.mark.django_db
def test_programme_page_shows_waves_districts_budget_and_regional_projects(
    client, public_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(f"/grants/programme/{public_world.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    # English dates are en-GB style (portal/formats), no longer US "July 1, 2010"
    assert html.index("1 July 2010") < html.index("Rokycany") and "Stod" in html
    assert "Domažlice – střed" in html and "Jan Okrskář" in html
    assert "eBezpečnost" in html
    assert "3\u00a0000\u00a0000" not in html  # the total budget is the programme's (1 000 000)
    assert "1,000,000\u00a0CZK" in html or "1\u00a0000\u00a0000\u00a0CZK" in html
    assert "29,000\u00a0CZK" in html  # spent: accepted final reports only
    assert 'id="members-map"' in html and "js/projects-map.js" in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline script (CSP)


@pytest.mark.django_db
def test_members_geojson_has_waves_for_the_timeline(client, public_world):
    data = client.get(f"/grants/programme/{public_world.slug}/members.geojson").json()
    properties = {f["properties"]["name"]: f["properties"] for f in data["features"]}
    assert properties["Domažlice"]["wave"] == 1 and properties["Domažlice"]["joined_on"] == "2010-07-01"
    assert properties["Rokycany"]["wave"] == 2
    assert properties["Stod"]["wave"] is None and properties["Stod"]["status"] == "preparing"
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.django_db
def test_supported_list_by_year_town_and_amount(client, public_world, django_assert_max_num_queries):
    url = f"/grants/programme/{public_world.slug}/supported/"
    with django_assert_max_num_queries(6):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<tr data-year="2010">' in html
    assert html.count("data-proposal=") == 7  # 2 + 3 + 2 supported; the rejected one is not listed
    assert "Zamítnutý" not in html
    filtered = client.get(url, {"year": 2011}).content.decode()
    assert filtered.count("data-proposal=") == 3
    bad = client.get(url, {"year": "x", "town": "<script>"})
    assert bad.status_code == 200 and bad.content.decode().count("data-proposal=") == 7


@pytest.mark.django_db
def test_supported_csv(client, public_world):
    response = client.get(
        f"/grants/programme/{public_world.slug}/supported.csv", {"year": 2012}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Year", "Reference", "Town", "Project", "Approved amount"]
    by_title = {row[3]: row for row in rows[1:]}
    assert set(by_title) == {"Hotový", "'=cmd|' /C calc'!A0"}  # formula neutralised
    assert by_title["Hotový"][4] == "30000.00"


@pytest.mark.django_db
def test_index_and_call_pages(client, public_world, staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/grants/").status_code == 200
    call = make_call(public_world, year=2026)
    page = client.get(f"/grants/calls/{call.pk}/").content.decode()
    assert "Relevance" in page and 'name="title"' not in page  # anonymous: no proposal form
    client.force_login(staff)
    page = client.get(f"/grants/calls/{call.pk}/").content.decode()
    assert f'action="/grants/calls/{call.pk}/propose/"' in page
    response = client.post(f"/grants/calls/{call.pk}/propose/", {"title": "Nový projekt"})
    assert response.status_code == 302 and "/edit/" in response["Location"]
    assert client.get("/grants/my/").status_code == 200


@pytest.mark.django_db
def test_manager_pages(client, public_world, manager, staff, django_assert_max_num_queries):
    call = public_world.calls.get(year=2012)
    client.force_login(staff)
    for url in ("/grants/manage/", f"/grants/manage/calls/{call.pk}/"):
        assert client.get(url).status_code == 403
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get("/grants/manage/").status_code == 200
    with django_assert_max_num_queries(14):
        page = client.get(f"/grants/manage/calls/{call.pk}/").content.decode()
    assert "Hotový" in page


@pytest.mark.django_db
def test_manager_creates_a_call_within_the_programmes_budget(client, programme, manager):
    client.force_login(manager)
    data = {
        "year": "2027",
        "title": "Výzva 2027",
        "budget": "2000000",
        "opens_at": "2027-02-01T08:00",
        "closes_at": "2027-03-31T23:00",
        "max_per_proposal": "300000",
        "min_cofinancing_percent": "10",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "Potřeba",
        "criteria-0-weight": "2",
        "costs-TOTAL_FORMS": "1",
        "costs-INITIAL_FORMS": "0",
        "costs-0-name": "Vybavení",
    }
    response = client.post(f"/grants/manage/programme/{programme.slug}/calls/new/", data)
    assert response.status_code == 400 and "left for calls" in response.content.decode()  # 2 M > 1 M total
    data["budget"] = "400000"
    response = client.post(f"/grants/manage/programme/{programme.slug}/calls/new/", data)
    assert response.status_code == 302
    call = programme.calls.get(year=2027)
    assert [c.name for c in call.criteria.all()] == ["Potřeba"] and call.eligible_costs.count() == 1


@pytest.mark.django_db
def test_a_town_not_in_the_programme_sees_no_proposal_form(client, programme, make_user):
    stranger = Municipality.objects.create(country=Country.CZ, code="999", name="Jinde")
    user = make_user(email="jinde@obec.cz", roles=["municipal_staff"], municipality=stranger)
    call = make_call(programme, year=2026)
    client.force_login(user)
    page = client.get(f"/grants/calls/{call.pk}/").content.decode()
    assert f'action="/grants/calls/{call.pk}/propose/"' not in page
    make_member(programme, stranger)
    assert (
        f'action="/grants/calls/{call.pk}/propose/"'
        in client.get(f"/grants/calls/{call.pk}/").content.decode()
    )
