"""Geometry the selectors share: distances on the Earth's surface, a box around a point, and the SQL
functions that read a point's coordinates (the same names on SpatiaLite and PostGIS)."""

import math

from django.contrib.gis.geos import Point, Polygon
from django.db.models import FloatField, Func

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320


def haversine_m(a: Point, b: Point) -> float:
    """The great-circle distance between two WGS 84 points, in metres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def box_around(point: Point, metres: float) -> Polygon:
    """A WGS 84 box reaching at least ``metres`` from ``point`` each way (for a spatial-index pre-filter)."""
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(point.y)), 0.01))
    box = Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))
    box.srid = 4326
    return box


def bbox_polygon(bbox: tuple[float, float, float, float]) -> Polygon:
    """(west, south, east, north) as a WGS 84 polygon."""
    box = Polygon.from_bbox(bbox)
    box.srid = 4326
    return box


class StX(Func):
    """The longitude of a point: ST_X has the same name on SpatiaLite and PostGIS."""

    function = "ST_X"
    output_field = FloatField()


class StY(StX):
    function = "ST_Y"
