"""Language is not geography, and content keeps its language (issue 11, item 6).

Content kept per language (``name_cs``, ``theme_en``, …) shows in the visitor's language, else English, else
Czech, else any translation; text shown in another language than the page's is marked with ``lang`` so screen
readers pronounce it right. The report maps open on the deployment's whole area in every language."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone, translation

from incidents.models import Category
from portal.i18n import localized_with_language
from portal.models import Country, Municipality, PoliceUnit
from tests.incidents.citizen_helpers import forget_served_extent
from workshops.models import Initiative, Workshop


def _texts(**fields):
    return SimpleNamespace(**{f"name_{code}": "" for code in ("cs", "pl", "en", "nb")} | fields)


@pytest.mark.parametrize(
    ("fields", "language", "expected"),
    [
        ({"name_pl": "Wandalizm", "name_en": "Vandalism", "name_cs": "Vandal"}, "pl", ("Wandalizm", "pl")),
        ({"name_en": "Vandalism", "name_cs": "Vandalismus"}, "pl", ("Vandalism", "en")),
        ({"name_cs": "Vandalismus", "name_nb": "Hærverk"}, "pl", ("Vandalismus", "cs")),
        ({"name_nb": "Hærverk"}, "cs", ("Hærverk", "nb")),
        ({"name_pl": "Wandalizm"}, "nb", ("Wandalizm", "pl")),
        ({}, "pl", ("", "pl")),
    ],
)
def test_fallback_chain_is_own_language_then_english_then_czech_then_any(fields, language, expected):
    assert localized_with_language(_texts(**fields), "name", language) == expected


def test_fallback_follows_the_active_language():
    with translation.override("en"):
        assert localized_with_language(_texts(name_cs="Vandalismus", name_en="Vandalism"), "name") == (
            "Vandalism",
            "en",
        )


@pytest.fixture
def czech_only_workshop(db):
    initiative = Initiative.objects.create(code="pdp4", name_cs="Prevence kriminality PDP4", language="cs")
    return Workshop.objects.create(
        initiative=initiative,
        number=3,
        theme_cs="Bezpečné veřejné prostory",
        held_on=timezone.localdate() + timedelta(days=20),
        venue="Plzeň, krajský úřad",
        languages="čeština",
        description="Program začíná v 9.30.",
    )


def _page(client, url, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_polish_page_marks_czech_only_workshop_texts_as_czech(client, czech_only_workshop):
    html = _page(client, f"/workshops/{czech_only_workshop.pk}/", "pl")
    assert '<html lang="pl"' in html
    assert '<span lang="cs">Bezpečné veřejné prostory</span>' in html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert '<span lang="cs">Prevence kriminality PDP4</span>' in html  # the breadcrumb
    assert '<span lang="cs">Plzeň, krajský úřad</span>' in html  # the venue
    assert '<span lang="cs">čeština</span>' in html
    assert '<div lang="cs"><p>Program začíná v 9.30.</p></div>' in html


def test_workshop_list_marks_czech_only_titles_on_a_polish_page(client, czech_only_workshop):
    html = _page(client, "/workshops/", "pl")
    assert '<span lang="cs">Bezpečné veřejné prostory</span>' in html
    assert '<span lang="cs">Prevence kriminality PDP4</span>' in html


def test_workshop_in_the_page_language_has_no_lang_wrapper(client, czech_only_workshop):
    html = _page(client, f"/workshops/{czech_only_workshop.pk}/", "cs")
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "Bezpečné veřejné prostory" in heading and "lang=" not in heading
    assert "Plzeň, krajský úřad" in html and '<span lang="cs">' not in html and '<div lang="cs">' not in html


def test_polish_page_prefers_the_english_title_to_the_czech_one(client, czech_only_workshop):
    czech_only_workshop.theme_en = "Safe public spaces"
    czech_only_workshop.save()
    html = _page(client, f"/workshops/{czech_only_workshop.pk}/", "pl")
    assert '<span lang="en">Safe public spaces</span>' in html.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.django_db
def test_category_with_a_polish_name_shows_it_without_wrapper(client):
    Category.objects.create(
        code="vandalism",
        group="public_order",
        name_cs="Vandalismus",
        name_pl="Wandalizm",
        name_en="Vandalism",
    )
    html = _page(client, "/reports/", "pl")
    assert "<li>Wandalizm" in html and "Vandalismus" not in html
    html = _page(client, "/reports/", "nb")  # no Norwegian name: the English one, marked as English
    assert '<li><span lang="en">Vandalism</span>' in html


def _square(x):
    return MultiPolygon(Polygon(((x, 49), (x + 0.1, 49), (x + 0.1, 49.1), (x, 49.1), (x, 49))), srid=4326)


@pytest.fixture
def two_countries(db):
    towns = ((Country.CZ, "554791", "Plzeň", 13.3), (Country.PL, "0264011", "Wrocław", 17))
    for country, code, name, west in towns:
        town = Municipality.objects.create(country=country, code=code, name=name, boundary=_square(west))
        PoliceUnit.objects.create(code=f"unit-{code}", name=name, country=country).municipalities.add(town)
    forget_served_extent()
    yield
    forget_served_extent()


def _attribute(html, name):
    return html.split(f'{name}="', 1)[1].split('"', 1)[0]


MAPS = [("/reports/new/", ["data-bounds", "data-center", "data-zoom"]), ("/reports/map/", ["data-extent"])]


@pytest.mark.parametrize(("url", "attributes"), MAPS)
def test_report_maps_open_on_the_whole_area_in_every_language(client, two_countries, url, attributes):
    views = {}
    for language in ("pl", "cs", "en", "nb"):
        html = _page(client, url, language)
        views[language] = [_attribute(html, name) for name in attributes]
    assert views["pl"] == views["cs"] == views["en"] == views["nb"], views
    west, south, east, north = (float(v) for v in views["pl"][0].split(","))
    assert west <= 13.3 and east >= 17.1  # both Plzeň and Wrocław


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ({"cs": "Jak se cítíte?", "pl": "Jak się czujesz?"}, "Jak się czujesz?"),
        ({"cs": "Jak se cítíte?", "en": "How do you feel?"}, '<span lang="en">How do you feel?</span>'),
        ({"cs": "Jak se <cítíte>?"}, '<span lang="cs">Jak se &lt;cítíte&gt;?</span>'),
        ({}, ""),
    ],
)
def test_survey_texts_kept_as_a_dict_are_marked_the_same_way(texts, expected):
    """Questionnaires keep {language: text} dicts; the same tag and chain serve them."""
    from django.template import Context, Template

    with translation.override("pl"):
        rendered = Template("{% load okrsek %}{% localized texts %}").render(Context({"texts": texts}))
    assert rendered == expected


def test_survey_texts_follow_the_same_fallback_chain():
    from audits.models import in_language

    texts = {"nb": "Hvordan føler du deg?", "cs": "Jak se cítíte?"}
    assert in_language(texts, "pl") == "Jak se cítíte?"  # Czech before any other language
    assert in_language({**texts, "en": "How do you feel?"}, "pl") == "How do you feel?"
