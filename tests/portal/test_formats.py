"""Dates and numbers follow the language (portal/formats): en-GB style for English (never US month-first
dates or 12-hour times), "3. 12. 2026" for Czech; and the home map shows the whole area in every language."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.template import Context, Template
from django.utils import translation

from portal.models import Country, Municipality

MOMENT = dt.datetime(2026, 12, 3, 14, 5, tzinfo=ZoneInfo("Europe/Prague"))
TEMPLATE = Template(
    "{% load humanize %}{{ moment|date:'SHORT_DATE_FORMAT' }}|{{ moment|date:'DATE_FORMAT' }}|"
    "{{ moment|date:'SHORT_DATETIME_FORMAT' }}|{{ moment|date:'DATETIME_FORMAT' }}|"
    "{{ moment|time:'TIME_FORMAT' }}|{{ amount|intcomma }}|{{ share }}"
)
NBSP = "\xa0"
EXPECTED = {
    "en": ["03/12/2026", "3 December 2026", "03/12/2026 14:05", "3 December 2026, 14:05", "14:05",
           "1,234,567", "12.5"],
    "cs": ["3. 12. 2026", "3. prosince 2026", "3. 12. 2026 14:05", "3. prosince 2026 14:05", "14:05",
           f"1{NBSP}234{NBSP}567", "12,5"],
    "pl": ["03.12.2026", "3 grudnia 2026", "03.12.2026 14:05", "3 grudnia 2026 14:05", "14:05",
           f"1{NBSP}234{NBSP}567", "12,5"],
    "nb": ["03.12.2026", "3. desember 2026", "03.12.2026 14:05", "3. desember 2026 14:05", "14:05",
           f"1{NBSP}234{NBSP}567", "12,5"],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_dates_and_numbers_follow_the_language(language, settings):
    settings.TIME_ZONE = "Europe/Prague"
    with translation.override(language):
        rendered = TEMPLATE.render(Context({"moment": MOMENT, "amount": 1234567, "share": 12.5})).split("|")
    assert rendered == EXPECTED[language]


def test_english_is_never_us_style():
    with translation.override("en"):
        rendered = TEMPLATE.render(Context({"moment": MOMENT, "amount": 1, "share": 1}))
    assert "12/03/2026" not in rendered and "p.m." not in rendered and "Dec. 3" not in rendered


@pytest.mark.parametrize("language", ["en", "cs"])
def test_date_inputs_show_and_accept_the_local_format(language):
    """A form shows and accepts dates in the language's short format."""
    from django import forms

    class DateForm(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = DateForm(initial={"day": dt.date(2026, 12, 3)})
        html = str(form["day"])
        parsed = DateForm({"day": EXPECTED[language][0]})
        assert parsed.is_valid(), parsed.errors
    assert EXPECTED[language][0] in html
    assert parsed.cleaned_data["day"] == dt.date(2026, 12, 3)


def _square(x):
    return MultiPolygon(Polygon(((x, 49), (x + 0.1, 49), (x + 0.1, 49.1), (x, 49.1), (x, 49))), srid=4326)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "pl", "en", "nb"])
def test_home_map_shows_the_whole_area_in_every_language(client, language):
    Municipality.objects.create(country=Country.CZ, code="554791", name="Plzeň", boundary=_square(13.3))
    Municipality.objects.create(country=Country.CZ, code="559717", name="Rokycany", boundary=_square(13.6))
    Municipality.objects.create(country=Country.PL, code="0264011", name="Wrocław", boundary=_square(17))
    Municipality.objects.create(country=Country.CZ, code="1", name="No boundary")
    client.cookies["django_language"] = language
    html = client.get("/").content.decode()
    url = html.split('data-geojson-url="', 1)[1].split('"', 1)[0]
    assert "country=" not in url
    names = {feature["properties"]["name"] for feature in client.get(url).json()["features"]}
    assert names == {"Plzeň", "Rokycany", "Wrocław"}
    hint = html.split('class="hint">', 1)[1].split("</p>", 1)[0]
    assert re.search(r"\b3\b", hint), hint  # "3 municipalities are served", in any language
