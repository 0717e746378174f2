"""Importing safety districts from boundary files: GeoJSON, Shapefile, GML or anything else GDAL reads, in any
coordinate reference system (Czech data often comes in S-JTSK, EPSG:5514; Polish in PL-1992, EPSG:2180).

``districts_import`` is the one code path: ``manage.py import_districts`` prints its result and ``seed_demo``
loads Wrocław's osiedla through it. Geometries are reprojected to WGS 84, repaired when invalid, made
MultiPolygons; features that cannot be used are skipped with the reason. Idempotent by district code: running
it again with the same file changes nothing. All or nothing: one transaction (rolled back in a dry run).
"""

import contextlib
import hashlib
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.gdal.error import SRSException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.models import PoliceUnit
from portal.services import activity_log

from . import selectors
from .models import District
from .services import district_upsert

CODE_MAX = District._meta.get_field("code").max_length
# Letters NFKD does not decompose to ASCII, so that slugs of Polish and Norwegian names stay readable
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D", "ß": "ss"}
)

MIN_AREA = 1e-10  # square degrees, about 1 m²: slivers left by a repair or a collapsed ring
CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


class DistrictImportError(Exception):
    """The file as a whole cannot be imported (unreadable, unknown layer, field or unit, no CRS)."""


@dataclass
class FeatureOutcome:
    number: int  # 1-based position in the layer, as a GIS desktop shows it
    name: str
    code: str
    outcome: str  # created / updated / unchanged / skipped
    reason: str = ""  # why it was skipped
    repaired: str = ""  # what was wrong with the geometry, if it was repaired
    district: District | None = None


@dataclass
class DistrictImportResult:
    layer: str
    srs: str
    dry_run: bool
    features: list[FeatureOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.features if f.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)


def _no_geos_notices(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("GEOS_NOTICE")


@contextlib.contextmanager
def _geos_notices_reported_by_us():
    """GEOS logs a notice for each invalid geometry it checks; the import reports them itself, per feature."""
    geos_logger = logging.getLogger("django.contrib.gis")
    geos_logger.addFilter(_no_geos_notices)
    try:
        yield
    finally:
        geos_logger.removeFilter(_no_geos_notices)


class _Skip(Exception):  # noqa: N818 - control flow inside one feature, never leaves this module
    pass


def district_code_from_name(*, name: str, unit_code: str) -> str:
    """A stable code for a district whose file has no code field: the unit and a slug of the name."""
    slug = slugify(name.translate(_TRANSLITERATE)) or "district"
    code = f"{unit_code}-{slug}"
    if len(code) > CODE_MAX:
        digest = hashlib.sha1(code.encode()).hexdigest()[:8]  # noqa: S324 - a short stable suffix, not security
        code = f"{code[: CODE_MAX - 9].rstrip('-')}-{digest}"
    return code


def _open_layer(path: str | Path, layer: str | None):
    try:
        source = DataSource(str(path))
    except GDALException as exc:
        raise DistrictImportError(
            _("GDAL cannot read “%(path)s”: %(error)s") % {"path": path, "error": exc}
        ) from None
    names = [source[i].name for i in range(len(source))]
    if layer is None:
        if len(names) != 1:
            raise DistrictImportError(
                _("The file has %(count)d layers; choose one with --layer: %(names)s")
                % {"count": len(names), "names": ", ".join(names)}
            )
        return source[0]  # a layer keeps its data source open
    if layer in names:
        return source[layer]
    if layer.isdigit() and int(layer) < len(names):
        return source[int(layer)]
    raise DistrictImportError(
        _("The file has no layer “%(layer)s”. Its layers: %(names)s")
        % {"layer": layer, "names": ", ".join(names) or "–"}
    )


def _source_srs(layer, srid: int | None) -> SpatialReference:
    if srid is not None:
        try:
            return SpatialReference(srid)
        except (GDALException, SRSException):
            raise DistrictImportError(
                _("Unknown coordinate reference system EPSG:%(srid)s.") % {"srid": srid}
            ) from None
    srs = layer.srs
    if srs is None:
        raise DistrictImportError(
            _(
                "The layer does not say in which coordinate reference system it is (e.g. a Shapefile without "
                "its .prj file). Give it with --srid, e.g. --srid 5514 for S-JTSK or --srid 2180 for PL-1992."
            )
        )
    return srs


def _srs_label(srs: SpatialReference) -> str:
    code = srs.srid
    return f"EPSG:{code} ({srs.name})" if code else (srs.name or "?")


def _police_unit(code: str | None) -> PoliceUnit | None:
    if code:
        unit = PoliceUnit.objects.filter(code=code).first()
        if unit is None:
            known = ", ".join(PoliceUnit.objects.order_by("code").values_list("code", flat=True)) or "–"
            raise DistrictImportError(
                _("Unknown police unit “%(code)s”. Known units: %(known)s") % {"code": code, "known": known}
            )
        return unit
    units = list(PoliceUnit.objects.all()[:2])
    return units[0] if len(units) == 1 else None  # None: derived per feature from the municipality


def _polygons(geometry: GEOSGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [] if geometry.empty else [geometry]
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geometry for p in _polygons(part)]
    return []  # lines and points left over by a repair


def _area(feature, transform: CoordTransform) -> tuple[MultiPolygon, str]:
    """The feature's geometry as a valid 2D MultiPolygon in WGS 84, and what was repaired ("" if nothing)."""
    try:
        ogr = feature.geom
    except GDALException:
        raise _Skip(_("it has no geometry")) from None
    if ogr.has_curve:
        ogr = ogr.get_linear_geometry()
    ogr.set_3d(False)
    ogr.set_measured(False)
    if ogr.empty:
        raise _Skip(_("its geometry is empty"))
    if ogr.geom_type.name.lower() not in ("polygon", "multipolygon", "geometrycollection"):
        raise _Skip(_("it is not an area but a %(type)s") % {"type": ogr.geom_type.name})
    try:
        ogr.transform(transform)
    except GDALException as exc:
        raise _Skip(_("it cannot be converted to WGS 84: %(error)s") % {"error": exc}) from None
    geometry = GEOSGeometry(memoryview(ogr.wkb), srid=4326)
    xmin, ymin, xmax, ymax = geometry.extent
    if not all(map(math.isfinite, (xmin, ymin, xmax, ymax))) or not (
        -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90
    ):
        raise _Skip(_("its coordinates are not on Earth after conversion: is the coordinate system right?"))
    repaired = ""
    if not geometry.valid:
        repaired = geometry.valid_reason
        try:
            geometry = geometry.make_valid()
        except GEOSException:
            geometry = geometry.buffer(0)
    polygons = _polygons(geometry)
    if not polygons and not repaired:
        raise _Skip(_("it is not an area but a %(type)s") % {"type": geometry.geom_type})
    if not polygons:
        raise _Skip(_("no area is left after repairing its geometry (%(reason)s)") % {"reason": repaired})
    area = MultiPolygon(*polygons, srid=4326)
    if not area.valid:  # parts of a repaired collection may overlap: merge them
        area = area.buffer(0)
        area = MultiPolygon(*_polygons(area), srid=4326) if not isinstance(area, MultiPolygon) else area
    if area.empty or not area.valid:
        raise _Skip(
            _("its geometry cannot be repaired (%(reason)s)") % {"reason": repaired or area.valid_reason}
        )
    if area.area < MIN_AREA:
        raise _Skip(_("its area is (almost) zero"))
    return area, repaired


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def districts_import(
    *,
    path: str | Path,
    name_field: str,
    code_field: str | None = None,
    code_prefix: str = "",
    layer: str | None = None,
    unit: str | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    actor=None,
) -> DistrictImportResult:
    """Import the areas of a boundary file as districts of the police unit ``unit`` (its code).

    Codes come from ``code_field`` (prefixed with ``code_prefix``) or, without it, from the unit and the name.
    Without ``unit``, the only police unit is used, or else the unit serving the municipality each district
    lies in. Each district is linked to the municipality containing its centroid. Raises DistrictImportError
    for a problem with the file as a whole; features that cannot be imported are skipped with the reason.
    """
    lyr = _open_layer(path, layer)
    fields = list(lyr.fields)
    for option, name in (("--name-field", name_field), ("--code-field", code_field)):
        if name is not None and name not in fields:
            raise DistrictImportError(
                _("The layer has no field “%(field)s” (%(option)s). Its fields: %(fields)s")
                % {"field": name, "option": option, "fields": ", ".join(fields) or "–"}
            )
    srs = _source_srs(lyr, srid)
    try:
        transform = CoordTransform(srs, SpatialReference(4326))
    except (GDALException, SRSException) as exc:
        raise DistrictImportError(
            _("Cannot convert from %(srs)s to WGS 84: %(error)s") % {"srs": _srs_label(srs), "error": exc}
        ) from None
    police_unit = _police_unit(unit)
    result = DistrictImportResult(layer=lyr.name, srs=_srs_label(srs), dry_run=dry_run)
    seen: dict[str, int] = {}
    with transaction.atomic(), _geos_notices_reported_by_us():
        for number, feature in enumerate(lyr, start=1):
            name = _text(feature.get(name_field))
            outcome = FeatureOutcome(number=number, name=name, code="", outcome=SKIPPED)
            result.features.append(outcome)
            try:
                values = _prepare(
                    feature,
                    outcome,
                    transform=transform,
                    code_field=code_field,
                    code_prefix=code_prefix,
                    police_unit=police_unit,
                )
            except _Skip as skip:
                outcome.outcome, outcome.reason = SKIPPED, str(skip)
                continue
            if outcome.code in seen:
                outcome.outcome = SKIPPED
                outcome.reason = _("feature %(number)d of this file already has the code “%(code)s”") % {
                    "number": seen[outcome.code],
                    "code": outcome.code,
                }
                continue
            seen[outcome.code] = number
            _save(outcome, values, actor=actor, source=Path(path).name)
        if result.created or result.updated:
            activity_log(
                actor=actor,
                verb="district.imported",
                source=Path(path).name,
                layer=lyr.name,
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
                dry_run=dry_run,
            )
        if dry_run:
            transaction.set_rollback(True)
    return result


def _prepare(feature, outcome: FeatureOutcome, *, transform, code_field, code_prefix, police_unit) -> dict:
    """The district's values for one feature (and its code in ``outcome``), or _Skip with the reason."""
    if not outcome.name:
        raise _Skip(_("it has no name"))
    area, outcome.repaired = _area(feature, transform)
    inside = area.centroid
    if not area.intersects(inside):  # a C-shaped or multi-part district: a point surely inside it
        inside = area.point_on_surface
    municipality = selectors.municipality_at(point=inside)
    unit = police_unit
    if unit is None:
        unit = selectors.police_unit_serving(municipality=municipality) if municipality else None
        if unit is None:
            raise _Skip(_("no police unit serves the place where it lies; give the unit with --unit"))
    if code_field:
        code = _text(feature.get(code_field))
        if not code:
            raise _Skip(_("it has no code"))
        code = f"{code_prefix}{code}"
    else:
        code = code_prefix + district_code_from_name(name=outcome.name, unit_code=unit.code)
    outcome.code = code
    return {"area": area, "police_unit": unit, "municipality": municipality}


def _save(outcome: FeatureOutcome, values: dict, *, actor, source: str) -> None:
    existing = District.objects.filter(code=outcome.code).first()
    if (
        existing is not None
        and existing.name == outcome.name
        and existing.police_unit_id == values["police_unit"].pk
        and (values["municipality"] is None or existing.municipality_id == values["municipality"].pk)
        and existing.area.equals_exact(values["area"], tolerance=1e-9)
    ):
        outcome.outcome, outcome.district = UNCHANGED, existing
        return
    try:
        with transaction.atomic():
            district, created = district_upsert(code=outcome.code, name=outcome.name, **values)
    except ValidationError as exc:
        outcome.outcome, outcome.district = SKIPPED, None
        outcome.reason = "; ".join(exc.messages)
        return
    outcome.outcome, outcome.district = (CREATED if created else UPDATED), district
    activity_log(
        actor=actor,
        verb="district.created" if created else "district.updated",
        target=district,
        source=source,
        code=district.code,
    )
