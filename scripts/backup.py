"""Back up and restore Okrsek's data: the database and the uploaded files (``MEDIA_ROOT``).

    .venv/bin/python scripts/backup.py backup [--out var/backups]     # make backup
    .venv/bin/python scripts/backup.py restore FILE                   # make restore FILE=…

One archive, ``okrsek-<UTC timestamp>.tar.gz``, holds ``manifest.json``, the database and ``media/``:
- SpatiaLite (the default): the file copied with SQLite's online backup API, consistent while web, worker and
  beat keep writing (WAL included); restored with the same API into ``DATABASES["default"]["NAME"]``;
- PostGIS (``DATABASE_URL=postgis://…``): ``pg_dump --format=custom`` (package ``postgresql-client``);
  restored with ``pg_restore --clean --if-exists --no-owner`` into the configured database, which must exist
  (an empty one is fine: the dump creates the PostGIS extension).
The media files are added as they are; restoring writes them into ``MEDIA_ROOT`` over what is there.
Stop web, worker and beat before a restore. Redis holds nothing to back up but the queue of emails still to
send (the outbox rows in the database are the source of truth).

Only the standard library and the Django settings (no models): ``backup()`` and ``restore()`` take the
database settings and the media folder as arguments, so a test can use its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class BackupError(Exception):
    pass


def _engine(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith(("spatialite", "sqlite3")):
        return "sqlite"
    if engine.endswith(("postgis", "postgresql")):
        return "postgresql"
    raise BackupError(f"Cannot back up a database with the engine {engine}")


def _pg_args(database: dict) -> tuple[list[str], dict]:
    """Connection options for pg_dump/pg_restore and their environment (the password never on the command
    line, where ``ps`` would show it)."""
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _require(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is missing: install the package postgresql-client")


def _check(result: subprocess.CompletedProcess, program: str) -> None:
    if result.returncode:
        raise BackupError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite file into another with the online backup API (consistent while others write)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(*, database: dict, media_root: Path, out_dir: Path, now: datetime | None = None) -> Path:
    """Write ``okrsek-<timestamp>.tar.gz`` into ``out_dir``; returns its path."""
    now = now or datetime.now(UTC)
    engine = _engine(database)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"okrsek-{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="okrsek-backup-") as work:
        work_dir = Path(work)
        if engine == "sqlite":
            source = Path(database["NAME"])
            if not source.is_file():
                raise BackupError(f"The database file {source} does not exist")
            dump = work_dir / SQLITE_NAME
            _sqlite_copy(source, dump)
        else:
            dump = work_dir / PG_NAME
            args, env = _pg_args(database)
            _require("pg_dump")
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", *args, "--file", str(dump), database["NAME"]],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            _check(result, "pg_dump")
        manifest = {"format": FORMAT, "created_at": now.isoformat(), "engine": engine, "database": dump.name}
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = archive.with_suffix(".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work_dir / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        partial.replace(archive)  # a backup cut short never looks complete
    return archive


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Refusing the archive: unexpected entry {member.name!r}")
        members.append(member)
    return members


def restore(*, archive: Path, database: dict, media_root: Path) -> dict:
    """Put the database and the media files of ``archive`` back; returns its manifest."""
    engine = _engine(database)
    with tempfile.TemporaryDirectory(prefix="okrsek-restore-") as work:
        work_dir = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work_dir, members=_safe_members(tar))  # noqa: S202 - members checked above
        manifest = json.loads((work_dir / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}")
        if manifest["engine"] != engine:
            raise BackupError(
                f"The backup holds a {manifest['engine']} database, the settings use {engine}: "
                "set DATABASE_URL"
            )
        dump = work_dir / manifest["database"]
        if engine == "sqlite":
            target = Path(database["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(dump, target)
        else:
            args, env = _pg_args(database)
            _require("pg_restore")
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", *args, "--dbname", database["NAME"]]
                + [str(dump)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            _check(result, "pg_restore")
        media = work_dir / "media"
        if media.is_dir():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write var/backups/okrsek-<timestamp>.tar.gz")
    make.add_argument("--out", type=Path, default=None, help="folder (default: var/backups)")
    back = commands.add_parser("restore", help="restore the database and the media files of an archive")
    back.add_argument("file", type=Path)
    commands.add_parser("engine", help="print sqlite or postgresql (the Makefile installs pg_dump for it)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings

    database, media_root = settings.DATABASES["default"], Path(settings.MEDIA_ROOT)
    try:
        if args.command == "engine":
            print(_engine(database))
        elif args.command == "backup":
            out = args.out or Path(os.environ.get("OKRSEK_VAR_DIR", ROOT / "var")) / "backups"
            print(backup(database=database, media_root=media_root, out_dir=out))
        else:
            if not args.file.is_file():
                raise BackupError(f"No such backup: {args.file}")
            manifest = restore(archive=args.file, database=database, media_root=media_root)
            made = manifest["created_at"]
            print(f"Restored {args.file} (made {made}) into {database['NAME']} and {media_root}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
