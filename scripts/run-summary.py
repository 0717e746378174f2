"""What `make run` prints before it starts web, worker and beat: one screen with the address, the demo
logins and which database, broker and email backend are in use (from the same settings the processes read).

    .venv/bin/python scripts/run-summary.py        # HOST and PORT as the Makefile exports them
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import translation  # noqa: E402

from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS  # noqa: E402
from portal.roles import ROLES  # noqa: E402


def _here(path) -> str:
    """A path under the project as the newcomer sees it (var/okrsek.sqlite3), others in full."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def database() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("spatialite"):
        return f"SpatiaLite file {_here(db['NAME'])} (embedded; DATABASE_URL for PostGIS)"
    return f"PostGIS {db['NAME']} on {db.get('HOST') or 'the local socket'}:{db.get('PORT') or 5432}"


def broker() -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
        return f"folder {_here(folder)}/ (embedded; REDIS_URL for Redis)"
    return f"Redis {settings.CELERY_BROKER_URL.split('@')[-1]}"


def email() -> str:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "console":
        return "printed in the worker's log below (EMAIL_URL to send them)"
    if backend == "smtp":
        return f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return backend


def main() -> None:
    url = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/"
    line = "─" * 78
    rows = [
        line,
        f" Okrsek starts at {url}  (Ctrl+C stops web, worker and beat)",
        f" database  {database()}",
        f" broker    {broker()}",
        f" emails    {email()}",
        f" demo logins, password {DEMO_PASSWORD} for all:",
    ]
    with translation.override("en"):
        rows += [f"   {str(ROLES[role]):<28} {login}" for login, role, _name, _org in DEMO_USERS]
    rows += [f"   {'Administrator (/admin/)':<28} admin@demo.okrsek.cz", line]
    print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
