"""Fixtures and helpers of the citizen's pages' tests (tests/incidents/test_report_form.py, test_tracking.py).

A town served by a police unit with one district (and its officer) covering the town's west half, and the
whole KMZB catalogue as ``seed_demo`` loads it. The pages are read in English: these tests check messages."""

import io

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents import services
from incidents.catalogue import KMZB_CATEGORIES
from incidents.models import Category, District
from portal import roles
from portal.models import Country, Municipality, PoliceUnit

IP = "198.51.100.7"
IN_DISTRICT = (49.45, 12.95)  # (lat, lon)
OUTSIDE_DISTRICT = (49.45, 13.05)  # in the town, in no district: the unit's coordinators' queue
OUTSIDE_AREA = (50.08, 14.42)  # Prague: not served


def square(x: float, y: float, size: float) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


@pytest.fixture(name="citizen")
def citizen_fixture(db, make_user, client):
    town = Municipality.objects.create(
        country=Country.CZ, code="553468", name="Domažlice", boundary=square(12.9, 49.4, 0.2)
    )
    unit = PoliceUnit.objects.create(code="oop-dom", name="OOP Domažlice", country=Country.CZ)
    unit.municipalities.add(town)
    district = District.objects.create(
        code="dom-west",
        name="Domažlice West",
        area=square(12.9, 49.4, 0.1),
        police_unit=unit,
        municipality=town,
    )
    officer = make_user(
        email="okrskar@example.org", roles=[roles.OFFICER], police_unit=unit, full_name="Jan Novák"
    )
    district.officers.add(officer)
    coordinator = make_user(email="coord@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    load_catalogue()
    forget_served_extent()
    client.cookies["django_language"] = "en"
    return {
        "town": town,
        "unit": unit,
        "district": district,
        "officer": officer,
        "coordinator": coordinator,
        "dumping": Category.objects.get(code="illegal-dumping"),
        "other": Category.objects.get(code="other"),
        "vandalism": Category.objects.get(code="vandalism"),
        "homeless": Category.objects.get(code="homeless-person"),
    }


def forget_served_extent() -> None:
    """The report form's map caches the served area (and its choice of towns); a test's area is not the
    last one's."""
    from incidents.selectors import report_area_cache_key, served_extent_cache_key

    cache.delete_many([served_extent_cache_key(country) for country in (None, *Country.values)])
    cache.delete(report_area_cache_key())


def load_catalogue() -> None:
    """The KMZB categories as ``seed_demo`` loads them (incidents.demo), without the demo districts."""
    for order, (code, group, pl, cs, en, nb, extra) in enumerate(KMZB_CATEGORIES):
        services.category_upsert(
            code=code, group=group, name_pl=pl, name_cs=cs, name_en=en, name_nb=nb, sort_order=order, **extra
        )


def form_data(client, *, category="illegal-dumping", place=IN_DISTRICT, **extra) -> dict:
    """A valid report form as the browser sends it, with the nonce of a freshly shown form."""
    page = client.get("/reports/new/")
    nonce = page.context["form"]["nonce"].value()
    data = {
        "nonce": nonce,
        "nearby_seen": "False",
        "category": category,
        "place_lat": str(place[0]) if place else "",
        "place_lon": str(place[1]) if place else "",
        "description": "A pile of old tyres and building rubble behind the garages.",
        "occurred_at": "",
        "reporter_email": "",
        "terms": "on",
        "website": "",
    }
    data.update(extra)
    return data


def post(client, data, ip=IP):
    return client.post("/reports/new/", data, REMOTE_ADDR=ip)


def point(latlon) -> Point:
    return Point(latlon[1], latlon[0], srid=4326)


def png_with_gps() -> bytes:
    """A PNG photo carrying EXIF with a GPS position (Pillow writes EXIF into PNG's eXIf chunk)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (49.0, 27.0, 0.0), "E", (12.0, 57.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo has no GPS"
    return data


def jpeg(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(out, format="JPEG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
