"""``manage.py import_districts``: GeoJSON, Shapefile and GML in S-JTSK (EPSG:5514), PL-1992 (EPSG:2180) and
WGS 84; repair of invalid geometries, skipped features with reasons, idempotence by code, all or nothing."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command
from django.utils import translation

from incidents import importers, selectors
from incidents.models import District, Report
from portal.models import ActivityLog, Country, Municipality, PoliceUnit

OSIEDLA = Path(settings.BASE_DIR) / "portal" / "data" / "pl-wroclaw" / "osiedla.geojson"
needs_ogr2ogr = pytest.mark.skipif(
    shutil.which("ogr2ogr") is None, reason="needs ogr2ogr (Debian package gdal-bin, installed by make)"
)


def _square(x: float, y: float, size: float = 0.02) -> Polygon:
    return Polygon.from_bbox((x, y, x + size, y + size))


def _bowtie(x: float, y: float, size: float = 0.02) -> Polygon:
    """A self-intersecting ring, as hand-drawn boundaries often have."""
    return Polygon(((x, y), (x + size, y + size), (x + size, y), (x, y + size), (x, y)))


def _write_geojson(path: Path, features: list[tuple[dict, GEOSGeometry | dict | None]], srid: int) -> Path:
    """A GeoJSON file in EPSG:``srid`` (named in its legacy ``crs`` member, which GDAL reads)."""
    items = []
    for properties, geometry in features:
        if isinstance(geometry, GEOSGeometry):
            geometry = geometry.clone()
            geometry.srid = 4326
            geometry = (
                json.loads(geometry.transform(srid, clone=True).json)
                if srid != 4326
                else json.loads(geometry.json)
            )
        items.append({"type": "Feature", "properties": properties, "geometry": geometry})
    collection = {"type": "FeatureCollection", "features": items}
    if srid != 4326:
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def _import(*args, **options) -> str:
    """The command's output, in English (commands speak the active language, Czech by default)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_districts", *map(str, args), stdout=out, **options)
    return out.getvalue()


def _same_shape(a: GEOSGeometry, b: GEOSGeometry, tolerance: float = 1e-5) -> bool:
    """Equal up to reprojection round-off (~1 mm here; the symmetric difference relative to the area)."""
    return a.sym_difference(b).area <= tolerance * max(a.area, b.area)


@pytest.fixture
def domazlice(police_unit):
    town = Municipality.objects.create(
        country=Country.CZ,
        code="553425",
        name="Domažlice",
        boundary=MultiPolygon(Polygon.from_bbox((12.85, 49.40, 13.00, 49.50)), srid=4326),
    )
    police_unit.municipalities.add(town)
    return town


@pytest.mark.django_db
def test_geojson_in_sjtsk_is_reprojected_repaired_and_skips_what_it_cannot_use(
    tmp_path, police_unit, domazlice
):
    centrum = _square(12.90, 49.43)
    path = _write_geojson(
        tmp_path / "okrsky.geojson",
        [
            ({"kod": "A1", "nazev": "Centrum"}, centrum),
            ({"kod": "A2", "nazev": "Bahna"}, _bowtie(12.93, 49.43)),
            ({"kod": "A3", "nazev": "Prázdný"}, {"type": "MultiPolygon", "coordinates": []}),
            ({"kod": "A4", "nazev": "Silnice"}, LineString((12.9, 49.4), (12.95, 49.45))),
            ({"kod": "A5", "nazev": ""}, _square(12.96, 49.43)),
            ({"kod": "A6", "nazev": "Bez tvaru"}, None),
            ({"kod": "A1", "nazev": "Centrum znovu"}, _square(12.97, 49.43)),
            ({"kod": "", "nazev": "Bez kódu"}, _square(12.98, 49.43)),
            (
                {"kod": "A9", "nazev": "Čára"},
                Polygon(((12.9, 49.4), (12.95, 49.45), (12.97, 49.47), (12.9, 49.4))),
            ),
        ],
        srid=5514,
    )

    out = _import(path, name_field="nazev", code_field="kod", unit=police_unit.code)

    assert "EPSG:5514" in out
    assert "Feature 2 “Bahna” (A2): invalid geometry repaired (Self-intersection" in out
    assert "Feature 3 “Prázdný” skipped: its geometry is empty" in out
    assert "Feature 4 “Silnice” skipped: it is not an area but a LineString" in out
    assert "Feature 5 “” skipped: it has no name" in out
    assert "Feature 6 “Bez tvaru” skipped: it has no geometry" in out
    assert "Feature 7 “Centrum znovu” skipped: feature 1 of this file already has the code “A1”" in out
    assert "Feature 8 “Bez kódu” skipped: it has no code" in out
    assert "Feature 9 “Čára” skipped: its area is (almost) zero" in out
    assert "Created 2, updated 0, unchanged 0, skipped 7." in out

    a1, a2 = District.objects.order_by("code")
    assert (a1.code, a1.name, a1.police_unit, a1.municipality) == ("A1", "Centrum", police_unit, domazlice)
    assert a1.area.srid == 4326 and a1.area.geom_type == "MultiPolygon"
    assert _same_shape(a1.area, centrum)  # back in WGS 84 where it was drawn, not in metres
    assert a2.area.valid and a2.area.geom_type == "MultiPolygon" and len(a2.area) == 2  # the bow tie's halves
    assert selectors.district_at(point=Point(12.91, 49.44, srid=4326)) == a1
    logged = ActivityLog.objects.filter(verb="district.created").values_list("data__code", flat=True)
    assert sorted(logged) == ["A1", "A2"]


@pytest.mark.django_db
def test_importing_again_changes_nothing_and_a_changed_file_updates_by_code(tmp_path, police_unit, domazlice):
    features = [
        ({"kod": "A1", "nazev": "Centrum"}, _square(12.90, 49.43)),
        ({"kod": "A2", "nazev": "Hora"}, _square(12.93, 49.43)),
    ]
    path = _write_geojson(tmp_path / "okrsky.geojson", features, srid=5514)
    _import(path, name_field="nazev", code_field="kod", unit=police_unit.code)
    before = (
        list(District.objects.order_by("pk").values_list("pk", "code", "name")),
        ActivityLog.objects.count(),
    )

    assert "Created 0, updated 0, unchanged 2, skipped 0." in _import(
        path, name_field="nazev", code_field="kod", unit=police_unit.code
    )
    assert (
        list(District.objects.order_by("pk").values_list("pk", "code", "name")),
        ActivityLog.objects.count(),
    ) == before

    features[1] = ({"kod": "A2", "nazev": "Hora u Domažlic"}, _square(12.93, 49.43, size=0.03))
    _write_geojson(path, features, srid=5514)
    assert "Created 0, updated 1, unchanged 1, skipped 0." in _import(
        path, name_field="nazev", code_field="kod", unit=police_unit.code
    )
    a2 = District.objects.get(code="A2")
    assert a2.name == "Hora u Domažlic" and _same_shape(a2.area, _square(12.93, 49.43, size=0.03))
    assert District.objects.count() == 2


@needs_ogr2ogr
@pytest.mark.django_db
def test_shapefile_in_sjtsk_and_one_without_its_prj_file(tmp_path, police_unit, domazlice):
    source = _write_geojson(
        tmp_path / "src.geojson",
        [
            ({"kod": 1, "nazev": "Újezd"}, _square(12.90, 49.43)),
            ({"kod": 2, "nazev": "Týnec"}, _square(12.93, 49.43)),
        ],
        srid=4326,
    )
    shp = tmp_path / "okrsky.shp"
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:5514", "-lco", "ENCODING=UTF-8", shp, source],
        check=True,
        capture_output=True,
    )

    out = _import(shp, name_field="nazev", code_field="kod", code_prefix="cz-", unit=police_unit.code)
    assert "EPSG:5514" in out and "Created 2" in out
    ujezd = District.objects.get(code="cz-1")
    assert ujezd.name == "Újezd" and _same_shape(ujezd.area, _square(12.90, 49.43))

    shp.with_suffix(".prj").unlink()
    with pytest.raises(CommandError, match="--srid"):
        _import(shp, name_field="nazev", code_field="kod", code_prefix="cz-", unit=police_unit.code)
    out = _import(
        shp, name_field="nazev", code_field="kod", code_prefix="cz-", unit=police_unit.code, srid=5514
    )
    assert "Created 0, updated 0, unchanged 2, skipped 0." in out

    # A wrong --srid does not put districts somewhere in the ocean: the features are refused, and as
    # nothing is imported then, the command fails
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="No district of the file"):
        call_command(
            "import_districts", str(shp), name_field="nazev", code_field="kod", code_prefix="x-",
            unit=police_unit.code, srid=4326, stdout=out,
        )  # fmt: skip
    out = out.getvalue()
    assert "skipped: its coordinates are not on Earth after conversion" in out and "Created 0" in out


@needs_ogr2ogr
@pytest.mark.django_db
def test_gml_in_pl1992_with_wroclaw_osiedla(tmp_path):
    unit = PoliceUnit.objects.create(code="kmp-wroclaw", name="KMP Wrocław", country=Country.PL)
    gml = tmp_path / "osiedla.gml"
    subprocess.run(
        ["ogr2ogr", "-f", "GML", "-t_srs", "EPSG:2180", "-where", "id IN (21, 24, 12)", gml, OSIEDLA],
        check=True,
        capture_output=True,
    )
    assert "EPSG::2180" in gml.read_text()

    out = _import(gml, name_field="osiedle", code_field="id", code_prefix="pl-wroclaw-", unit=unit.code)

    assert "EPSG:2180" in out and "Created 3, updated 0, unchanged 0, skipped 0." in out
    original = {str(f["properties"]["id"]): f for f in json.loads(OSIEDLA.read_text())["features"]}
    for district in District.objects.all():
        source = GEOSGeometry(json.dumps(original[district.code.removeprefix("pl-wroclaw-")]["geometry"]))
        assert _same_shape(district.area, source.buffer(0)), district.code
    assert District.objects.get(code="pl-wroclaw-24").name == "Gądów - Popowice Płd."


@pytest.mark.django_db
def test_all_48_osiedla_without_a_code_field_get_stable_readable_codes():
    unit = PoliceUnit.objects.create(code="kmp-wroclaw", name="KMP Wrocław", country=Country.PL)
    out = _import(OSIEDLA, name_field="osiedle", unit=unit.code)
    assert "Created 48, updated 0, unchanged 0, skipped 0." in out
    assert "invalid geometry repaired (Ring Self-intersection" in out  # the real file has some
    districts = District.objects.all()
    assert all(
        d.area.valid and d.area.geom_type == "MultiPolygon" and d.police_unit == unit for d in districts
    )
    codes = set(districts.values_list("code", flat=True))
    assert {"kmp-wroclaw-oltaszyn", "kmp-wroclaw-gadow-popowice-pld", "kmp-wroclaw-zerniki"} <= codes
    assert "Created 0, updated 0, unchanged 48, skipped 0." in _import(
        OSIEDLA, name_field="osiedle", unit=unit.code
    )


def test_district_codes_from_long_names_stay_unique_and_short():
    first = importers.district_code_from_name(name="Dlouhé jméno " * 10 + "A", unit_code="krpp")
    second = importers.district_code_from_name(name="Dlouhé jméno " * 10 + "B", unit_code="krpp")
    assert first != second and len(first) == len(second) == 64 and first.startswith("krpp-dlouhe-jmeno-")


@pytest.mark.django_db
def test_clear_errors_for_unknown_unit_field_layer_and_unreadable_file(tmp_path, police_unit):
    path = _write_geojson(tmp_path / "d.geojson", [({"nazev": "A"}, _square(12.9, 49.43))], srid=4326)
    with pytest.raises(CommandError, match="Unknown police unit “nope”. Known units: oop-domazlice"):
        _import(path, name_field="nazev", unit="nope")
    with pytest.raises(CommandError, match="no field “name” \\(--name-field\\). Its fields: nazev"):
        _import(path, name_field="name", unit=police_unit.code)
    with pytest.raises(CommandError, match="no field “kod” \\(--code-field\\)"):
        _import(path, name_field="nazev", code_field="kod", unit=police_unit.code)
    with pytest.raises(CommandError, match="no layer “roads”"):
        _import(path, name_field="nazev", layer="roads", unit=police_unit.code)
    with pytest.raises(CommandError, match="Unknown coordinate reference system EPSG:999999"):
        _import(path, name_field="nazev", unit=police_unit.code, srid=999999)
    (tmp_path / "broken.geojson").write_text("{not json")
    with pytest.raises(CommandError, match="GDAL cannot read"):
        _import(tmp_path / "broken.geojson", name_field="nazev", unit=police_unit.code)
    assert District.objects.count() == 0


@pytest.mark.django_db
def test_operators_read_the_report_in_the_site_language(tmp_path, police_unit):
    path = _write_geojson(tmp_path / "d.geojson", [({"nazev": ""}, _square(12.9, 49.43))], srid=4326)
    out = io.StringIO()
    with translation.override("cs"):
        with pytest.raises(CommandError) as nothing:  # its only feature has no name: nothing imported
            call_command("import_districts", str(path), name_field="nazev", unit=police_unit.code, stdout=out)
        with pytest.raises(CommandError) as error:
            call_command("import_districts", str(path), name_field="nazev", unit="nope")
    assert "Created" not in out.getvalue() and "Unknown police unit" not in str(error.value)
    assert "Vytvořeno" in out.getvalue() and "nešlo naimportovat žádný okrsek" in str(nothing.value)


@pytest.mark.django_db
def test_without_unit_the_only_unit_or_the_unit_serving_the_place_is_used(tmp_path, police_unit, domazlice):
    path = _write_geojson(
        tmp_path / "d.geojson",
        [({"nazev": "Uvnitř"}, _square(12.90, 49.43)), ({"nazev": "Venku"}, _square(14.40, 50.05))],
        srid=4326,
    )
    assert "Created 2" in _import(path, name_field="nazev")  # the only unit there is
    assert set(District.objects.values_list("code", "police_unit")) == {
        ("oop-domazlice-uvnitr", police_unit.pk),
        ("oop-domazlice-venku", police_unit.pk),
    }
    District.objects.all().delete()
    PoliceUnit.objects.create(code="other", name="Other", country=Country.CZ)
    out = _import(path, name_field="nazev")
    assert (
        "Feature 2 “Venku” skipped: no police unit serves the place where it lies; give the unit with --unit"
        in out
    )
    assert list(District.objects.values_list("code", "police_unit")) == [
        ("oop-domazlice-uvnitr", police_unit.pk)
    ]


@pytest.mark.django_db
def test_dry_run_saves_nothing_and_a_failure_rolls_everything_back(tmp_path, police_unit, monkeypatch):
    path = _write_geojson(
        tmp_path / "d.geojson",
        [({"nazev": "A"}, _square(12.90, 49.43)), ({"nazev": "B"}, _square(12.93, 49.43))],
        srid=4326,
    )
    out = _import(path, name_field="nazev", unit=police_unit.code, dry_run=True)
    assert "Created 2, updated 0, unchanged 0, skipped 0. Dry run: nothing was saved." in out
    assert District.objects.count() == 0 and ActivityLog.objects.count() == 0

    real_upsert, calls = importers.district_upsert, []

    def failing_upsert(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_upsert(**kwargs)

    monkeypatch.setattr(importers, "district_upsert", failing_upsert)
    with pytest.raises(RuntimeError):
        _import(path, name_field="nazev", unit=police_unit.code)
    assert len(calls) == 2 and District.objects.count() == 0 and ActivityLog.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_routes_reports_to_district_officers_and_to_the_coordinators_queue():
    call_command("seed_demo", stdout=io.StringIO())
    czech = District.objects.filter(code__startswith="cz-").select_related("municipality")
    assert czech.count() == 15 and all(d.code == f"cz-{d.municipality.code}" for d in czech)
    assert all(d.police_unit.code == "krpp" and d.area == d.municipality.boundary for d in czech)
    with_officer = czech.filter(officers__email="officer@demo.okrsek.cz").values_list("name", flat=True)
    assert sorted(with_officer) == ["Domažlice", "Rokycany", "Tachov"]
    osiedla = District.objects.filter(code__startswith="pl-wroclaw-")
    assert osiedla.count() == 48 and {d.police_unit.code for d in osiedla} == {"kmp-wroclaw"}
    assert osiedla.get(code="pl-wroclaw-21").name == "Krzyki - Partynice"

    # The incidents demo's reports; the programme results' synthetic ones (projects/results/demo.py, each
    # saying so in its description) are counted by their own test
    from projects.results.demo import DEMO_TEXT

    reports = Report.objects.select_related("district", "assignee").exclude(description=DEMO_TEXT)
    assert 25 <= reports.count() <= 40
    assert set(reports.values_list("status", flat=True)) == set(Report.Status)  # the whole workflow shows
    officers_queue = reports.filter(district__officers__email="officer@demo.okrsek.cz")
    assert officers_queue.exists() and all(
        r.assignee.email == "officer@demo.okrsek.cz" for r in officers_queue
    )
    unassigned = reports.filter(status=Report.Status.NEW, assignee=None)
    assert unassigned.filter(district=None).exists() and unassigned.exclude(district=None).exists()
    assert reports.filter(take_up_overdue=True).exists() and reports.filter(verify_overdue=True).exists()
    assert reports.filter(take_up_reminded=True, take_up_overdue=False, status=Report.Status.NEW).exists()
    assert reports.exclude(public_answer="").count() >= 10
    assert reports.filter(district__code__startswith="pl-wroclaw-").count() >= 5

    counts = (District.objects.count(), Report.objects.count(), ActivityLog.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (District.objects.count(), Report.objects.count(), ActivityLog.objects.count()) == counts


def test_a_file_with_nothing_usable_imports_nothing_and_exits_non_zero(tmp_path, police_unit):
    """A script (or an operator's `&&`) must notice: an empty layer, or one whose every feature is skipped.
    (manage.py exits with a CommandError's returncode.)"""
    empty = _write_geojson(tmp_path / "empty.geojson", [], 4326)
    useless = _write_geojson(
        tmp_path / "useless.geojson",
        [
            ({"nazev": "Silnice"}, LineString((12.9, 49.4), (13.0, 49.5))),
            ({"nazev": ""}, _square(12.9, 49.4)),
        ],
        4326,
    )
    for path in (empty, useless):
        for dry_run in (False, True):
            with pytest.raises(CommandError) as error:
                _import(path, name_field="nazev", unit=police_unit.code, dry_run=dry_run)
            assert error.value.returncode == 1
    with pytest.raises(CommandError, match="No district of the file could be imported"):
        _import(useless, name_field="nazev", unit=police_unit.code)
    assert District.objects.count() == 0
    # A file with one usable district among skipped ones still imports it and succeeds.
    mixed = _write_geojson(
        tmp_path / "mixed.geojson",
        [({"nazev": "Centrum"}, _square(12.9, 49.4)), ({"nazev": ""}, _square(13.0, 49.4))],
        4326,
    )
    assert "Created 1, updated 0, unchanged 0, skipped 1." in _import(
        mixed, name_field="nazev", unit=police_unit.code
    )
