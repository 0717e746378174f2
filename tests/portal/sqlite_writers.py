"""One process of tests/portal/test_sqlite_concurrency.py: ``python -m tests.portal.sqlite_writers ROLE …``.

Each process is what ``make run`` starts on the embedded default: its own Django, its own SQLite connection to
the same SpatiaLite file (DATABASE_URL from the environment). It says it is ready (``DIR/ready-NAME``), waits
for ``DIR/go`` so that every process writes at the same moment, then:

- ``web NAME EMAIL CODE SAVES``: a town's staff member saves the town's nomination SAVES times through the
  real view (Django's test client: session, middleware, form, service), like a person editing it on a phone;
- ``worker NAME``: what the Celery worker runs every minute on the beat's orders, in a loop until
  ``DIR/stop``: the KMZB deadline sweep and the outbox sweep (which sends the queued emails), then once more.

Any exception ends the process with its traceback and exit code 1; a page that is not the redirect after a
successful save does too. The parent test reads the results from the database file.
"""

import json
import sys
import time
from pathlib import Path


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.01)


def web(folder: Path, name: str, email: str, code: str, saves: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    url = reverse("workshops:nomination", args=[code])
    (folder / f"ready-{name}").touch()
    _wait_for(folder / "go")
    statuses = []
    for i in range(saves):
        data = {
            "representative_name": f"{name} representative {i}",
            "position": "tajemnice",
            "email": f"rep-{name}@example.org",
            "phone": "+420 379 000 000",
            "note": f"save {i}",
            "action": "save",
        }
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="cs")
        statuses.append(response.status_code)
        if response.status_code != 302:
            sys.stderr.write(response.content.decode(errors="replace")[:3000])
            raise SystemExit(f"save {i} of {name} answered {response.status_code}")
    return {"statuses": statuses}


def worker(folder: Path, name: str) -> dict:
    from incidents.services import deadlines_sweep
    from portal.services import notifications_send_due

    (folder / f"ready-{name}").touch()
    _wait_for(folder / "go")
    overdue = sent = rounds = 0
    while True:
        stopping = (folder / "stop").exists()
        overdue += deadlines_sweep().take_up_overdue
        sent += notifications_send_due()
        rounds += 1
        if stopping:
            return {"overdue": overdue, "sent": sent, "rounds": rounds}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    role, folder, name, *rest = argv
    folder = Path(folder)
    result = web(folder, name, rest[0], rest[1], int(rest[2])) if role == "web" else worker(folder, name)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
