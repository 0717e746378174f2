"""Backups (scripts/backup.py, `make backup` / `make restore`): the database and the uploaded files go into
one archive and come back into a fresh database and folder, with the data (and the geometries) intact.
SpatiaLite always; PostGIS (pg_dump / pg_restore) when the suite runs on it."""

import importlib.util
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"
PHOTO = b"\xff\xd8\xff\xe0 a photo of a rubbish dump"


def _module():
    spec = importlib.util.spec_from_file_location("okrsek_backup", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spatialite(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    db.load_extension(settings.SPATIALITE_LIBRARY_PATH)
    return db


def _media(folder: Path) -> None:
    photo = folder / "reports" / "2026" / "03" / "ab12.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(PHOTO)


def test_a_spatialite_database_and_the_media_come_back_in_a_fresh_place(tmp_path):
    live, media = tmp_path / "live" / "okrsek.sqlite3", tmp_path / "live" / "media"
    live.parent.mkdir()
    _media(media)
    writer = _spatialite(live)
    writer.execute("PRAGMA journal_mode=WAL")  # as web, worker and beat use it
    writer.execute("SELECT InitSpatialMetadata(1)")
    writer.execute("CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    writer.execute("SELECT AddGeometryColumn('place', 'geom', 4326, 'POINT', 'XY')")
    writer.executemany(
        "INSERT INTO place (name, geom) VALUES (?, GeomFromText(?, 4326))",
        [(f"Skládka {n}", f"POINT(12.9{n} 49.4{n})") for n in range(50)],
    )
    writer.commit()  # in the WAL, not yet in the main file: the online backup must still see it

    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"spatialite:///{live}",
        "MEDIA_ROOT": str(media),
        "OKRSEK_IGNORE_DOTENV": "1",
    }
    made = subprocess.run(
        [sys.executable, str(SCRIPT), "backup", "--out", str(tmp_path / "backups")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip())
    assert archive.parent == tmp_path / "backups" and archive.name.startswith("okrsek-")
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.sqlite3", "media/reports/2026/03/ab12.jpg"} <= set(tar.getnames())
    writer.close()

    fresh, fresh_media = tmp_path / "fresh" / "okrsek.sqlite3", tmp_path / "fresh" / "media"
    env.update(DATABASE_URL=f"spatialite:///{fresh}", MEDIA_ROOT=str(fresh_media))
    restored = subprocess.run(
        [sys.executable, str(SCRIPT), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert restored.returncode == 0, restored.stderr
    db = _spatialite(fresh)
    rows = db.execute("SELECT name, AsText(geom) FROM place ORDER BY id").fetchall()
    db.close()
    assert len(rows) == 50 and rows[7] == ("Skládka 7", "POINT(12.97 49.47)")
    assert (fresh_media / "reports" / "2026" / "03" / "ab12.jpg").read_bytes() == PHOTO


def test_a_backup_is_not_restored_over_another_kind_of_database_and_bad_archives_are_refused(tmp_path):
    backup = _module()
    live = tmp_path / "okrsek.sqlite3"
    sqlite3.connect(live).close()
    spatialite = {"ENGINE": "django.contrib.gis.db.backends.spatialite", "NAME": str(live)}
    when = datetime(2026, 12, 7, tzinfo=UTC)
    archive = backup.backup(database=spatialite, media_root=tmp_path / "none", out_dir=tmp_path, now=when)
    assert archive.name == "okrsek-20261207-000000.tar.gz"
    postgis = {"ENGINE": "django.contrib.gis.db.backends.postgis", "NAME": "okrsek"}
    with pytest.raises(backup.BackupError, match="holds a sqlite database"):
        backup.restore(archive=archive, database=postgis, media_root=tmp_path / "m")
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(live, arcname="../../etc/okrsek.sqlite3")
    with pytest.raises(backup.BackupError, match="unexpected entry"):
        backup.restore(archive=evil, database=spatialite, media_root=tmp_path / "m")


@pytest.mark.django_db(transaction=True)
def test_a_postgis_database_comes_back_into_a_fresh_database(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump / pg_restore: run on PostGIS (DATABASE_URL=postgis://…)")
    import psycopg
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from portal.models import Municipality

    backup = _module()
    square = Polygon(((12.9, 49.4), (13.1, 49.4), (13.1, 49.6), (12.9, 49.6), (12.9, 49.4)), srid=4326)
    Municipality.objects.create(country="CZ", code="553468", name="Domažlice", boundary=MultiPolygon(square))
    _media(tmp_path / "media")
    live = connection.settings_dict
    archive = backup.backup(database=live, media_root=tmp_path / "media", out_dir=tmp_path / "backups")

    fresh = f"{live['NAME']}_restore"
    server = {
        "host": live["HOST"] or None,
        "port": live["PORT"] or None,
        "user": live["USER"] or None,
        "password": live["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        backup.restore(archive=archive, database={**live, "NAME": fresh}, media_root=tmp_path / "fresh-media")
        with psycopg.connect(dbname=fresh, **server) as db:
            rows = db.execute("SELECT name, ST_AsText(boundary) FROM portal_municipality").fetchall()
        assert rows == [("Domažlice", "MULTIPOLYGON(((12.9 49.4,13.1 49.4,13.1 49.6,12.9 49.6,12.9 49.4)))")]
        assert (tmp_path / "fresh-media" / "reports" / "2026" / "03" / "ab12.jpg").read_bytes() == PHOTO
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
