"""Whom a report can be handed over to: the partner bodies that serve its place (its town's municipal police
and departments), the police unit's other towns' bodies only when the town has none of its own. The service
refuses any other body, whatever the form sent."""

import io
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.management import call_command

from incidents import selectors
from incidents.models import Report, Status
from portal.models import Country, Municipality, PartnerBody

from .staff_helpers import act, login, square, staff_fixture, submit  # noqa: F401

ROKYCANY_POINT = Point(13.55, 49.45, srid=4326)


@pytest.fixture
def towns(staff):
    """A second town of the same police unit, Rokycany, with its own municipal police and a town department;
    and a third, Mýto, with no body of its own. Both lie in no district: their reports go to the unit."""
    rokycany = Municipality.objects.create(
        country=Country.CZ, code="559717", name="Rokycany", boundary=square(13.5, 49.4, 0.2)
    )
    myto = Municipality.objects.create(
        country=Country.CZ, code="560219", name="Mýto", boundary=square(13.8, 49.4)
    )
    staff["unit"].municipalities.add(rokycany, myto)
    mp = PartnerBody.objects.create(
        code="mp-ro", name="MP Rokycany", kind="municipal_police", municipality=rokycany
    )
    department = PartnerBody.objects.create(
        code="ro-zp", name="MÚ Rokycany – životní prostředí", kind="town_department", municipality=rokycany
    )
    return {**staff, "rokycany": rokycany, "myto": myto, "mp_rokycany": mp, "department": department}


def confirmed(towns, point):
    report = submit(towns, point=point)
    act(report, "take_up", towns["coordinator"])
    act(report, "confirm", towns["coordinator"])
    report.refresh_from_db()
    return report


def offered(client, report) -> list[str]:
    """The names in the hand-over form's choice of bodies."""
    html = client.get(f"/reports/staff/{report.pk}/").content.decode()
    select = re.search(r'<select name="hand_over-partner_body".*?</select>', html, re.S).group(0)
    return [
        name for value, name in re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select) if value
    ]


@pytest.mark.django_db
def test_a_rokycany_report_is_offered_the_bodies_of_rokycany_only(client, towns):
    report = confirmed(towns, ROKYCANY_POINT)
    assert report.municipality == towns["rokycany"]
    login(client, towns["coordinator"])
    assert offered(client, report) == ["MP Rokycany", "MÚ Rokycany – životní prostředí"]
    page = client.get(f"/reports/staff/{report.pk}/").content.decode()
    assert "No partner body serves" not in page


@pytest.mark.django_db
def test_a_town_without_a_body_is_offered_the_units_bodies_with_a_note(client, towns):
    report = confirmed(towns, Point(13.85, 49.45, srid=4326))
    assert report.municipality == towns["myto"]
    login(client, towns["coordinator"])
    assert offered(client, report) == ["MP Domažlice", "MP Rokycany", "MÚ Rokycany – životní prostředí"]
    page = client.get(f"/reports/staff/{report.pk}/").content.decode()
    assert "No partner body serves Mýto: the bodies of the whole area of the police unit are offered." in page
    assert selectors.hand_over_targets(report=report).fallback


@pytest.mark.django_db
def test_bodies_tied_to_no_town_serve_every_place(client, towns):
    PartnerBody.objects.create(code="kraj", name="Krajský úřad – sociální odbor", kind="other")
    report = confirmed(towns, ROKYCANY_POINT)
    login(client, towns["coordinator"])
    assert offered(client, report) == [
        "Krajský úřad – sociální odbor",
        "MP Rokycany",
        "MÚ Rokycany – životní prostředí",
    ]


@pytest.mark.django_db
def test_the_service_refuses_a_body_that_does_not_serve_the_place(towns):
    report = confirmed(towns, ROKYCANY_POINT)
    with pytest.raises(ValidationError) as refused:
        act(report, "hand_over", towns["coordinator"], partner_body=towns["body"])  # MP Domažlice
    assert refused.value.message_dict["partner_body"] == [
        "MP Domažlice does not serve the place of this report. Choose one of the bodies offered."
    ]
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.partner_body is None
    assert not report.events.filter(action="hand_over").exists()

    act(report, "hand_over", towns["coordinator"], partner_body=towns["mp_rokycany"])
    report.refresh_from_db()
    assert report.status == Status.HANDED_OVER and report.partner_body == towns["mp_rokycany"]


@pytest.mark.django_db
def test_somebody_who_may_not_hand_over_is_told_that_before_anything_about_the_bodies(towns):
    from django.core.exceptions import PermissionDenied

    report = confirmed(towns, ROKYCANY_POINT)
    for outsider in (towns["other_coordinator"], towns["nobody"]):
        for body in (towns["body"], towns["mp_rokycany"]):  # one that does not serve the place, one that does
            with pytest.raises(PermissionDenied):
                act(report, "hand_over", outsider, partner_body=body)
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.partner_body is None


@pytest.mark.django_db
def test_a_forged_form_choice_is_refused_with_the_form_kept(client, towns):
    report = confirmed(towns, ROKYCANY_POINT)
    login(client, towns["coordinator"])
    response = client.post(
        f"/reports/staff/{report.pk}/act/",
        {
            "action": "hand_over",
            "hand_over-version": report.version,
            "hand_over-partner_body": towns["body"].pk,
            "hand_over-internal_note": "Pro MP",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice." in page and "Pro MP" in page
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED


@pytest.mark.django_db
def test_demo_rokycany_reports_are_handed_over_in_rokycany():
    call_command("seed_demo", stdout=io.StringIO())
    report = Report.objects.filter(municipality__name="Rokycany").select_related("municipality").first()
    targets = selectors.hand_over_targets(report=report)
    assert not targets.fallback
    assert {body.code for body in targets.bodies} == {"mp-rokycany", "rokycany-zp"}
    assert all(body.municipality == report.municipality for body in targets.bodies)
