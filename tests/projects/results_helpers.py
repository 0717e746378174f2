"""Stage of the project-results tests: a supported project in Domažlice with a target district, a control
district far away, a neighbour touching the target, and reports placed by hand (straight in the database:
the counts are what the tests assert)."""

import secrets
from datetime import date, datetime
from decimal import Decimal

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from incidents.models import Category, District, Report
from incidents.workflow import Status
from portal.models import PoliceUnit

# Squares of 0.01° (about 720 m × 1 110 m at 49.4° N)
SIZE = 0.01
TARGET_XY = (12.90, 49.40)
NEIGHBOUR_XY = (12.91, 49.40)  # shares the target's east edge: never a control candidate
CONTROL_XY = (12.95, 49.40)  # ~3 km east
FAR_XY = (13.00, 49.40)
START, END = date(2024, 3, 10), date(2024, 5, 20)  # before: 03/2023–02/2024; after: 06/2024–05/2025
NOW = timezone.make_aware(datetime(2026, 12, 8, 12))


def square(x: float, y: float, size: float = SIZE) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


def centre(xy, dx=0.5, dy=0.5) -> Point:
    return Point(xy[0] + SIZE * dx, xy[1] + SIZE * dy, srid=4326)


def make_districts(municipality) -> dict:
    unit = PoliceUnit.objects.create(code="oop-test", name="OOP", country="CZ")
    make = lambda code, xy: District.objects.create(  # noqa: E731
        code=code, name=code.title(), area=square(*xy), police_unit=unit, municipality=municipality
    )
    return {
        "target": make("target", TARGET_XY),
        "neighbour": make("neighbour", NEIGHBOUR_XY),
        "control": make("control", CONTROL_XY),
        "far": make("far", FAR_XY),
    }


def make_categories() -> tuple[Category, Category]:
    make = lambda code: Category.objects.create(  # noqa: E731
        code=code, group="public_order", name_cs=code, name_pl=code, name_en=code.title()
    )
    return make("vandalism"), make("noise")


def put(n: int, *, point: Point, month: date, category: Category, status=Status.NEW, district=None) -> None:
    """``n`` reports at ``point`` on the 15th of ``month``."""
    created = timezone.make_aware(datetime(month.year, month.month, 15, 12))
    Report.objects.bulk_create(
        Report(
            token_hash=secrets.token_hex(32),
            category=category,
            point=point,
            status=status,
            district=district,
            created_at=created,
            updated_at=created,
            take_up_due_at=created,
            ip_hash="0" * 64,
        )
        for _ in range(n)
    )


def spread(total: int, months: list[date], **kwargs) -> None:
    """``total`` reports spread evenly over ``months``."""
    for i, month in enumerate(months):
        put(total // len(months) + (1 if i < total % len(months) else 0), month=month, **kwargs)


def months(first: date, count: int) -> list[date]:
    result = []
    y, m = first.year, first.month
    for _ in range(count):
        result.append(date(y, m, 1))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return result


BEFORE = months(date(2023, 3, 1), 12)
AFTER = months(date(2024, 6, 1), 12)
IMPLEMENTATION = months(date(2024, 3, 1), 3)
AMOUNT = Decimal("150000")
