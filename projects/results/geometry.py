"""Geometry of a project's areas: the target from districts, points with a radius or a drawn polygon; the
buffer ring around it. Distances are metres in ETRS89-LAEA (EPSG:3035), which covers Czechia and Poland."""

import functools

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

METRIC_SRID = 3035
MAX_AREA_KM2 = 500  # a sub-project acts locally; anything larger is a typing mistake


def as_multipolygon(geometry: GEOSGeometry | None) -> MultiPolygon | None:
    """The polygons of ``geometry`` as one MultiPolygon (lines and points dropped), or None."""
    if geometry is None or geometry.empty:
        return None
    srid = geometry.srid or 4326
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=srid)
    polygons = []
    for part in geometry if hasattr(geometry, "__iter__") and geometry.num_geom > 1 else []:
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part)
    return MultiPolygon(*polygons, srid=srid) if polygons else None


@functools.cache
def _transforms() -> tuple[CoordTransform, CoordTransform]:
    """Built once: looking the systems up in PROJ's database costs ~35 ms per transform otherwise."""
    wgs84, metric = SpatialReference(4326), SpatialReference(METRIC_SRID)
    return CoordTransform(wgs84, metric), CoordTransform(metric, wgs84)


def _metric(geometry: GEOSGeometry) -> GEOSGeometry:
    result = geometry.transform(_transforms()[0], clone=True)
    result.srid = METRIC_SRID
    return result


def _back(geometry: GEOSGeometry) -> GEOSGeometry:
    result = geometry.transform(_transforms()[1], clone=True)
    result.srid = 4326
    return result


def union(geometries) -> MultiPolygon | None:
    result = None
    for geometry in geometries:
        result = geometry if result is None else result.union(geometry)
    return as_multipolygon(result)


def circles(points, radius_m: float) -> MultiPolygon | None:
    """The union of circles of ``radius_m`` around each point (EPSG:4326 in and out)."""
    shapes = [_metric(p).buffer(radius_m, quadsegs=16) for p in points]
    if not shapes:
        return None
    return as_multipolygon(_back(union_plain(shapes)))


def union_plain(geometries):
    result = None
    for geometry in geometries:
        result = geometry if result is None else result.union(geometry)
    return result


def buffer_ring(area: MultiPolygon, metres: float) -> MultiPolygon | None:
    """The ring ``metres`` wide around ``area`` (the area itself left out)."""
    metric = _metric(area)
    ring = metric.buffer(metres, quadsegs=16).difference(metric)
    return as_multipolygon(_back(ring))


def area_km2(area: GEOSGeometry) -> float:
    return _metric(area).area / 1_000_000
