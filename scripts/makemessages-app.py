"""Extract an app's marked strings into its own catalogue (<app>/locale/): `make makemessages APP=<app>`.

Django's makemessages reads the files below the current folder, so it must run inside the app; but started
there, the app's own `rules.py` would shadow the django-rules package (Celery's Django fix-up puts the
current folder first on sys.path). So Django is set up from the project folder first, then the command runs
inside the app."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402

app = sys.argv[1]
django.setup()
(ROOT / app / "locale").mkdir(exist_ok=True)  # without it, the strings would go to the project's locale/
os.chdir(ROOT / app)
call_command("makemessages", locale=["cs", "pl", "en", "nb"], no_obsolete=True, verbosity=1)
