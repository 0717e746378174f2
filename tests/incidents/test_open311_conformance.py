"""Conformance of the live Open311 API to its committed OpenAPI document (docs/open311-openapi.json), checked
by schemathesis: it generates valid and invalid requests for every operation from the document, sends them to
a live server and checks every answer.

Checks: no server error, and the answers conform to the document (status codes, content types, headers, bodies
against the schemas) and invalid data is refused (a 4xx). ``positive_data_acceptance`` is left out on purpose:
rules OpenAPI 3.0 cannot state (a 90-day window with start_date before end_date, a place inside a district the
portal serves, one report per client, category and day) rightly refuse some schema-valid requests with a 400.

A bounded run (``--max-examples`` per operation, one worker) that starts the CLI against pytest-django's live
server. It runs in .ci/run's PostGIS step (or anywhere with OPEN311_CONFORMANCE=1); the seed is printed, and
OPEN311_CONFORMANCE_SEED repeats a run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from incidents.models import Category, Report
from incidents.services import report_submit

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "open311-openapi.json"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
]
MAX_EXAMPLES = 25

pytestmark = pytest.mark.skipif(
    "postgis" not in settings.DATABASES["default"]["ENGINE"] and not os.environ.get("OPEN311_CONFORMANCE"),
    reason="a minute-long run: .ci/run runs it on PostGIS (or set OPEN311_CONFORMANCE=1)",
)


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_conformance_failure(
    live_server, area, open311_keys, tmp_path
):
    Category.objects.create(
        code="graffiti", group="public_order", name_cs="graffiti", name_pl="graffiti", name_en="Graffiti"
    )
    for ip in ("192.0.2.1", "192.0.2.2"):
        report_submit(category=area["category"], point=area["in_district"], description="Fridge", ip=ip)
    Report.objects.filter(pk=Report.objects.earliest("pk").pk).update(reference="ABCD-EFGH")  # the example
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(DOCUMENT),
        f"--url={live_server.url}/open311",
        f"--checks={','.join(CHECKS)}",
        f"--max-examples={MAX_EXAMPLES}",
        "--phases=examples,coverage,fuzzing",
        "--workers=1",
        "--request-timeout=20",
        "--generation-database=none",
        "--no-color",
        # a staff key: reads take its longer path, submissions can succeed
        f"--header=X-Api-Key: {open311_keys['staff']}",
    ]
    if seed := os.environ.get("OPEN311_CONFORMANCE_SEED"):
        command.append(f"--seed={seed}")
    result = subprocess.run(  # noqa: S603 - our own command line; its cache (.schemathesis/) goes to tmp_path
        command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path
    )
    output = result.stdout + result.stderr
    print(output[-1200:])  # the summary and the seed, for the CI log
    assert result.returncode == 0, output[-12000:]
    assert "Tested: 8" in output, output[-12000:]  # every operation of the document
