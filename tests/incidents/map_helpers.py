"""Fixtures and helpers of the public map and statistics tests (tests/incidents/test_public_map.py,
tests/incidents/test_stats.py). They build on the ``area`` fixture of tests/incidents/conftest.py."""

import secrets
from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.cache import cache
from django.utils import timezone

from incidents.models import Attachment, Category, District, Report
from incidents.workflow import Status
from portal.models import Country, Municipality

SECRET_DESCRIPTION = "Secret-description-visible-to-police-only"
SECRET_EMAIL = "whistleblower@example.org"
SECRET_FILE = "secret-photo-of-the-neighbour.jpg"


def square(x: float, y: float, size: float = 0.1) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


def make_report(
    *,
    category: Category,
    point: Point,
    status: str = Status.NEW,
    age: timedelta = timedelta(hours=1),
    district: District | None = None,
    municipality: Municipality | None = None,
    taken_up_after: timedelta | None = None,
    verified_after: timedelta | None = None,
    **fields,
) -> Report:
    """A report straight in the database (no routing): submitted ``age`` ago, taken up ``taken_up_after``
    the submission, verified ``verified_after`` the take-up."""
    created = timezone.now() - age
    taken = created + taken_up_after if taken_up_after is not None else None
    verified = taken + verified_after if taken is not None and verified_after is not None else None
    fields.setdefault("description", SECRET_DESCRIPTION)
    fields.setdefault("reporter_email", SECRET_EMAIL)
    return Report.objects.create(
        token_hash=secrets.token_hex(32),
        category=category,
        point=point,
        status=status,
        district=district,
        municipality=municipality,
        created_at=created,
        updated_at=created,
        take_up_due_at=created + timedelta(hours=48),
        taken_up_at=taken,
        verified_at=verified,
        ip_hash="0" * 64,
        **fields,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The statistics are cached for minutes: every test counts its own reports."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public_area(area):
    """``area`` (town Domažlice, district West) plus: a second served town (Rokycany) with its own district,
    a road category, a person-related (never public) category, and one report of that category with a
    public answer and an attachment."""
    rokycany = Municipality.objects.create(
        country=Country.CZ, code="559717", name="Rokycany", boundary=square(13.5, 49.7)
    )
    area["unit"].municipalities.add(rokycany)
    east = District.objects.create(
        code="d-rok",
        name="Rokycany-centre",
        area=square(13.5, 49.7),
        police_unit=area["unit"],
        municipality=rokycany,
    )
    potholes = Category.objects.create(
        code="potholes", group="road", name_cs="výtluky", name_pl="dziury", name_en="Potholes"
    )
    person = Category.objects.create(
        code="minors-at-risk",
        group="social",
        name_cs="ohrožené děti",
        name_pl="zagrożeni nieletni",
        name_en="Minors at risk",
        public=False,
    )
    hidden = make_report(
        category=person,
        point=Point(12.95, 49.45, srid=4326),
        status=Status.CONFIRMED,
        district=area["district"],
        municipality=area["town"],
        public_answer="Person-answer-never-public",
        taken_up_after=timedelta(hours=1),
        verified_after=timedelta(hours=1),
    )
    Attachment.objects.create(
        report=hidden, file="reports/x.jpg", content_type="image/jpeg", size=10, original_name=SECRET_FILE
    )
    return {
        **area,
        "rokycany": rokycany,
        "east": east,
        "potholes": potholes,
        "person": person,
        "hidden": hidden,
        "west_point": Point(12.95, 49.45, srid=4326),
        "rokycany_point": Point(13.55, 49.75, srid=4326),
    }
