"""Home page, navigation by role, language switch, the shared pages' query budgets."""

import pytest
from django.urls import reverse

from portal import roles
from portal.models import Country, Municipality, Profile
from tests.conftest import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "pl", "en", "nb"])
def test_home_page_in_each_language_links_three_areas(client, language):
    client.cookies["django_language"] = language
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    for url in ("/reports/", "/workshops/", "/grants/"):
        assert f'href="{url}"' in html
    assert 'name="language"' in html and "csrfmiddlewaretoken" in html  # the switcher, CSRF-protected
    assert "ČÚZK" in html  # data credits


@pytest.mark.django_db
def test_navigation_follows_roles(client, make_user):
    assert 'href="/my/"' not in client.get("/").content.decode()
    make_user(email="plain@example.org")
    client.login(email="plain@example.org", password=PASSWORD)
    assert 'href="/my/"' not in client.get("/").content.decode()
    assert client.get("/my/").status_code == 403

    make_user(email="officer@example.org", roles=[roles.OFFICER])
    client.login(email="officer@example.org", password=PASSWORD)
    assert 'href="/my/"' in client.get("/").content.decode()
    page = client.get("/my/").content.decode()
    assert 'data-role="officer"' in page


@pytest.mark.django_db
def test_dashboard_needs_login(client):
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_language_switch_sets_cookie_and_remembers_for_emails(client, make_user):
    user = make_user(language="cs")
    client.login(email=user.email, password=PASSWORD)
    response = client.post(reverse("portal:set_language"), {"language": "pl", "next": "/workshops/"})
    assert response.status_code == 302 and response["Location"] == "/workshops/"
    assert response.cookies["django_language"].value == "pl"
    assert Profile.objects.get(user=user).language == "pl"
    assert '<html lang="pl">' in client.get("/workshops/").content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirect_and_get(client):
    response = client.post(
        reverse("portal:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert client.get(reverse("portal:set_language")).status_code == 405


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_municipalities_geojson(client):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    square = MultiPolygon(Polygon(((13, 49), (13.1, 49), (13.1, 49.1), (13, 49.1), (13, 49))), srid=4326)
    Municipality.objects.create(country=Country.CZ, code="1", name="A", boundary=square)
    Municipality.objects.create(country=Country.CZ, code="2", name="No boundary")
    data = client.get("/map/municipalities.geojson").json()
    assert [f["properties"]["name"] for f in data["features"]] == ["A"]
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.django_db
def test_area_pages_render_demo_data_with_constant_queries(client, django_assert_max_num_queries):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for url in ("/", "/reports/", "/workshops/", "/grants/"):
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200
    grants = client.get("/grants/").content.decode()
    assert "Plzeňský kraj – bezpečný kraj" in grants and "Merklín" in grants
    workshops = client.get("/workshops/", HTTP_ACCEPT_LANGUAGE="cs").content.decode()
    assert "Děti, mladiství a zvlášť zranitelné osoby" in workshops


@pytest.mark.django_db
def test_municipalities_geojson_by_country(client):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    square = MultiPolygon(Polygon(((13, 49), (13.1, 49), (13.1, 49.1), (13, 49.1), (13, 49))), srid=4326)
    Municipality.objects.create(country=Country.CZ, code="1", name="Czech", boundary=square)
    Municipality.objects.create(country=Country.PL, code="2", name="Polish", boundary=square)
    features = client.get("/map/municipalities.geojson?country=PL").json()["features"]
    names = [f["properties"]["name"] for f in features]
    assert names == ["Polish"]
    assert client.get("/map/municipalities.geojson?country=XX").status_code == 400
    # The home map no longer follows the language (issue 11 point 6): test_home_map_shows_the_whole_area.
