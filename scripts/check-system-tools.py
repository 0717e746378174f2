#!/usr/bin/env python3
"""Checks that every program the code and the tests run is installed by the Makefile.

A program installed by hand on a developer's machine (or CI's) hides a missing install step: on a fresh
machine ``make test`` then fails (it did: ``pdfinfo``). This finds each program the Python code starts —
``subprocess.run(["prog", …])``, ``Popen``, ``check_output``, ``shutil.which("prog")`` and literal
``/usr/bin/prog`` paths — and checks that the Debian package providing it is one the Makefile installs
(``make print-system-packages``). It works on a fresh machine too, before anything is installed: the package
of each program is known from the table below; where the program is installed, ``dpkg -S`` confirms the
table. A program not in the table is an error: add it here and its package to the Makefile.

    python3 scripts/check-system-tools.py [--makefile FILE] [DIR …]

Exits 0 when all is well, 1 with one line per problem otherwise.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Folders (and single files) whose Python code is searched; scripts/backup.py runs pg_dump for `make backup`
# and for tests/portal/test_backup.py
DIRS = ["portal", "incidents", "workshops", "projects", "audits", "tests", "bench", "scripts/backup.py"]

# Program → the Debian/Ubuntu packages that may provide it (any one of them, installed by the Makefile).
PACKAGES = {
    "pdfinfo": {"poppler-utils"},
    "pdftotext": {"poppler-utils"},
    "pdffonts": {"poppler-utils"},
    "pdftoppm": {"poppler-utils"},
    "ogr2ogr": {"gdal-bin"},
    "ogrinfo": {"gdal-bin"},
    "gdalinfo": {"gdal-bin"},
    "msgfmt": {"gettext"},
    "msgmerge": {"gettext"},
    "xgettext": {"gettext"},
    "chromium": {"chromium", "chromium-browser"},
    "node": {"nodejs"},
    "npm": {"npm", "nodejs"},  # NodeSource's nodejs bundles npm
    "python3": {"python3", "python3-minimal"},
    "wrk": {"wrk"},  # bench/open311_peer.py (`make bench-tools`)
    # /usr/bin/pg_dump is postgresql-client-common's wrapper; the programs come with postgresql-client-<n>
    **dict.fromkeys(
        ("pg_dump", "pg_restore", "psql"),
        {"postgresql-client", "postgresql-client-common", *(f"postgresql-client-{n}" for n in range(15, 19))},
    ),
}
# Programs that come with the project's virtualenv, not from a Debian package; and make, which runs the
# Makefile itself (the README's one prerequisite).
NOT_DEBIAN = {"celery", "gunicorn", "honcho", "pytest", "ruff", "playwright", "make"}

_CALL = re.compile(
    r"(?:subprocess\.\w+|check_output|check_call|Popen)\(\s*\[\s*[\"']([\w.+-]+)[\"']"
    r"|shutil\.which\(\s*[\"']([\w.+-]+)[\"']"
    r"|[\"']/usr/bin/([\w.+-]+)[\"']"
)


def programs(dirs: list[Path]) -> dict[str, list[str]]:
    """Program name → the files that start it."""
    found: dict[str, list[str]] = {}
    for folder in dirs:
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder] if folder.is_file() else []:
            if ".venv" in path.parts or "node_modules" in path.parts:
                continue
            for match in _CALL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                name = next(group for group in match.groups() if group)
                found.setdefault(name, []).append(str(path.relative_to(folder.parent)))
    return found


def makefile_packages(makefile: Path) -> set[str]:
    result = subprocess.run(
        ["make", "-s", "-f", str(makefile), "-C", str(makefile.parent), "print-system-packages"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"{makefile}: `make print-system-packages` failed:\n{result.stderr}")
    return {alt for spec in result.stdout.split() for alt in spec.split("|")}


def dpkg_package(program: str) -> str | None:
    """The package that provides the installed program, if it is installed from a package."""
    path = shutil.which(program)
    if path is None or Path(path).resolve().is_relative_to(ROOT):
        return None
    result = subprocess.run(
        ["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True, check=False
    )
    return result.stdout.split(":")[0] if result.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--makefile", type=Path, default=ROOT / "Makefile")
    parser.add_argument("dirs", nargs="*", type=Path)
    args = parser.parse_args()
    dirs = [d.resolve() for d in args.dirs] or [ROOT / d for d in DIRS]
    installs = makefile_packages(args.makefile.resolve())
    problems = []
    called = programs(dirs)
    for program, files in sorted(called.items()):
        where = ", ".join(sorted(set(files)))
        if program in NOT_DEBIAN or program.startswith("python3."):
            continue
        if program not in PACKAGES:
            problems.append(
                f"'{program}' (run in {where}) is not in scripts/check-system-tools.py's table: add it with "
                "its Debian package, and install that package in the Makefile"
            )
            continue
        if not PACKAGES[program] & installs:
            problems.append(
                f"'{program}' (run in {where}) comes from {' or '.join(sorted(PACKAGES[program]))}, "
                "which the Makefile does not install"
            )
        actual = dpkg_package(program)
        if actual and actual not in PACKAGES[program]:
            problems.append(f"'{program}' is installed here from '{actual}', not {sorted(PACKAGES[program])}")
    for problem in problems:
        print(problem)
    if not problems:
        names = ", ".join(sorted(called))
        print(f"{len(called)} programs run by the code and tests, all installed by the Makefile: {names}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
