"""Fixtures and helpers shared by the tests of the staff pages (tests/incidents/test_staff_*.py).

They build on the ``area`` fixture of tests/incidents/conftest.py: a town served by a police unit, a West
district with its officer, an east half in no district, a coordinator and a partner body."""

import io
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents import services
from incidents.models import Category, District
from portal import roles
from portal.models import Country, PoliceUnit
from tests.conftest import PASSWORD

NORTH_POINT = Point(12.95, 49.55, srid=4326)


def square(x: float, y: float, size: float = 0.1) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


@pytest.fixture(name="staff")
def staff_fixture(area, make_user, settings):
    """``area`` plus a North district with its own officer, a second category, a coordinator of another
    unit, and a user with no police role. The per-client daily limit is off: tests file many reports."""
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    north = District.objects.create(
        code="d-north",
        name="North",
        area=square(12.9, 49.5),
        police_unit=area["unit"],
        municipality=area["town"],
    )
    officer2 = make_user(email="officer2@example.org", roles=[roles.OFFICER], police_unit=area["unit"])
    north.officers.add(officer2)
    other_unit = PoliceUnit.objects.create(code="oop-other", name="OOP Other", country=Country.CZ)
    other_coordinator = make_user(
        email="coord-other@example.org", roles=[roles.COORDINATOR], police_unit=other_unit
    )
    nobody = make_user(email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=area["town"])
    potholes = Category.objects.create(
        code="potholes", group="road", name_cs="výtluky", name_pl="dziury", name_en="Potholes"
    )
    return {
        **area,
        "north": north,
        "officer2": officer2,
        "other_coordinator": other_coordinator,
        "nobody": nobody,
        "potholes": potholes,
        "north_point": NORTH_POINT,
    }


_counter = {"ip": 0}


def submit(staff, *, point=None, category=None, now: datetime | None = None, **kwargs):
    """A citizen's report through the real service (routing, deadlines, timeline)."""
    _counter["ip"] += 1
    report, _token = services.report_submit(
        category=category or staff["category"],
        point=point or staff["in_district"],
        ip=f"192.0.2.{_counter['ip'] % 250}",
        now=now,
        **kwargs,
    )
    return report


def act(report, action: str, actor, **kwargs):
    report.refresh_from_db()
    return services.report_transition(report=report, action=action, actor=actor, **kwargs)


def login(client, user, language: str = "en"):
    """Log in and read the pages in ``language`` (English: the assertions read the source strings)."""
    assert client.login(email=user.email, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 50, 50)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf"
    )


HOUR = timedelta(hours=1)
