"""The place of a report without a map: coordinates typed with a decimal comma or point, a pasted pair, or a
town (and district) chosen from a list; and the submitted page saying who really takes the report up."""

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import translation

from incidents.forms import PlaceField
from incidents.models import Report
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    OUTSIDE_AREA,
    citizen_fixture,
    form_data,
    post,
)

pytestmark = pytest.mark.django_db


# --- reading what is typed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lat, lon, expected",
    [
        ("49,7380", "13,3776", (49.738, 13.3776)),  # the Czech decimal comma (a number input made it 497380)
        ("49.7380", "13.3776", (49.738, 13.3776)),
        (" 49,7380 ", "13.3776", (49.738, 13.3776)),
        ("49.7475, 13.3776", "", (49.7475, 13.3776)),  # a pair pasted from a map application
        ("49,7475, 13,3776", "", (49.7475, 13.3776)),
        ("49.7475 13.3776", "", (49.7475, 13.3776)),
        ("49.7475047N, 13.3776225E", "", (49.7475047, 13.3776225)),  # as Mapy.cz copies it
        ("N 49.7475, E 13.3776", "", (49.7475, 13.3776)),
        ("13.3776E, 49.7475N", "", (49.7475, 13.3776)),  # the letters say which is which
        ("49.7475, 13.3776", "13.3776", (49.7475, 13.3776)),  # the pair and the same longitude again
        ("", "49.7475, 13.3776", (49.7475, 13.3776)),  # pasted into the longitude
        ("49.7475°", "13.3776°", (49.7475, 13.3776)),
    ],
)
def test_coordinates_are_read_with_a_decimal_comma_or_point_or_as_a_pasted_pair(lat, lon, expected):
    value = PlaceField().clean([lat, lon])
    assert isinstance(value, Point)
    assert (value.y, value.x) == pytest.approx(expected)


@pytest.mark.parametrize(
    "lat, lon, message",
    [
        ("abc", "13.3", "Enter the latitude and the longitude as numbers, for example 49,7475"),
        ("49°44'30\"", "13.3", "Enter the latitude and the longitude as numbers"),
        ("49.1, 13.2, 7", "", "Enter the latitude and the longitude as numbers"),
        ("49N, 13N", "", "Enter the latitude and the longitude as numbers"),
        ("49.7", "", "Enter the longitude too"),
        ("49.7475, 13.3776", "14.1", "The latitude holds both numbers and the longitude another one"),
        ("497380", "13,3776", "These coordinates are not a place on Earth."),
    ],
)
def test_anything_else_is_refused_with_a_message_that_says_what_to_type(lat, lon, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            PlaceField().clean([lat, lon])
        assert message in " ".join(refused.value.messages)


def test_a_comma_typed_place_is_sent_and_routed(client, citizen):
    response = post(client, form_data(client, place=None, place_lat="49,45", place_lon="12,95"))
    assert response.status_code == 302, response.context["form"].errors
    report = Report.objects.get()
    assert (report.point.y, report.point.x) == pytest.approx((49.45, 12.95))
    assert report.district == citizen["district"] and report.assignee == citizen["officer"]
    assert not report.events.get(action="submitted").data  # a real point: not approximate


def test_a_pasted_pair_is_sent(client, citizen):
    response = post(client, form_data(client, place=None, place_lat="49.45, 13.05", place_lon=""))
    assert response.status_code == 302, response.context["form"].errors
    report = Report.objects.get()
    assert (report.point.y, report.point.x) == pytest.approx((49.45, 13.05))
    assert report.district is None  # the east half: the coordinators'


def test_a_pasted_pair_outside_the_served_area_is_refused_and_kept(client, citizen):
    pasted = f"{OUTSIDE_AREA[0]}, {OUTSIDE_AREA[1]}".replace(".", ",").replace(", ", "; ")
    response = post(client, form_data(client, place=None, place_lat=pasted, place_lon=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "This place is outside the area Okrsek serves." in " ".join(errors["place"])
    assert f'value="{pasted}"' in response.content.decode()  # what was pasted comes back as it was
    assert not Report.objects.exists()


def test_garbage_in_the_coordinates_saves_nothing(client, citizen):
    response = post(client, form_data(client, place=None, place_lat="u kostela", place_lon=""))
    errors = response.context["form"].errors
    assert "Enter the latitude and the longitude as numbers" in " ".join(errors["place"])
    assert not Report.objects.exists()


# --- a town or a district chosen from the list ----------------------------------------------------------


def test_the_form_lists_served_towns_and_their_districts_without_javascript(client, citizen):
    html = client.get("/reports/new/").content.decode()
    assert '<select name="place_area"' in html
    assert '<optgroup label="Domažlice">' in html
    assert f'value="m{citizen["town"].pk}">Domažlice – the whole town, I do not know the district' in html
    assert f'value="d{citizen["district"].pk}">Domažlice West</option>' in html


def test_a_district_chosen_without_map_lands_in_its_officers_queue_marked_approximate(client, citizen):
    data = form_data(client, place=None, place_area=f"d{citizen['district'].pk}")
    response = post(client, data)
    assert response.status_code == 302, response.context["form"].errors
    report = Report.objects.get()
    assert report.district == citizen["district"] and report.assignee == citizen["officer"]
    assert citizen["district"].area.intersects(report.point)
    assert report.events.get(action="submitted").data == {"place": "approximate"}
    client.force_login(citizen["officer"])
    queue = client.get("/reports/staff/").content.decode()
    assert report.reference in queue
    detail = client.get(f"/reports/staff/{report.pk}/").content.decode()
    assert "Approximate place: the citizen chose the town or the district" in detail


def test_the_whole_town_goes_to_the_coordinators_even_where_its_middle_is_in_a_district(client, citizen):
    response = post(client, form_data(client, place=None, place_area=f"m{citizen['town'].pk}"))
    assert response.status_code == 302, response.context["form"].errors
    report = Report.objects.get()
    assert report.district is None and report.assignee is None
    assert report.police_unit == citizen["unit"] and report.municipality == citizen["town"]
    assert citizen["town"].boundary.intersects(report.point)


def test_typed_coordinates_win_over_a_chosen_town(client, citizen):
    data = form_data(client, place=None, place_lat="49,45", place_lon="13,05")
    data["place_area"] = f"d{citizen['district'].pk}"
    post(client, data)
    report = Report.objects.get()
    assert report.district is None and not report.events.get(action="submitted").data


@pytest.mark.parametrize("value", ["d999999", "x1", "m"])
def test_an_unknown_town_is_refused(client, citizen, value):
    response = post(client, form_data(client, place=None, place_area=value))
    assert "place_area" in response.context["form"].errors
    assert not Report.objects.exists()


def test_neither_coordinates_nor_a_town_asks_for_one_of_them(client, citizen):
    response = post(client, form_data(client, place=None))
    assert "or choose the town below" in " ".join(response.context["form"].errors["place"])


# --- who takes it up: the form's promise and the submitted page -----------------------------------------


def test_the_form_promises_nothing_it_cannot_keep(client, citizen):
    html = client.get("/reports/new/").content.decode()
    assert "The community officer of the district takes your report up" not in html
    assert "community officer, or the coordinators of the police unit where no district is set up" in html


@pytest.mark.parametrize(
    "place, expected",
    [
        ((49.45, 12.95), "The community officer of district Domažlice West takes it up."),
        ((49.45, 13.05), "There is no district here: the coordinators of OOP Domažlice take it up."),
    ],
)
def test_the_submitted_page_names_who_takes_the_report_up(client, citizen, place, expected):
    post(client, form_data(client, place=place))
    html = client.get("/reports/submitted/").content.decode()
    assert expected in html


def test_a_district_without_officer_says_the_coordinators_take_it_up(client, citizen):
    citizen["district"].officers.clear()
    post(client, form_data(client, place=(49.45, 12.95)))
    html = client.get("/reports/submitted/").content.decode()
    assert "District Domažlice West has no officer at the moment: the coordinators of OOP Domažlice" in html
