"""The hostile run's Open311 part: randomized GeoReport v2 GET/POST calls with junk values, and the
schemathesis CLI against the published OpenAPI document, each bounded in count and time."""

import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from web import ROOT, Client, Tally, left


def open311_generated(fx: dict, base: str, count: int, seconds: float) -> Tally:
    tally = Tally()
    rnd = random.Random(int(os.environ.get("HOSTILE_SEED", "311")))
    junk = [
        "",
        "0",
        "-1",
        "1e999",
        "NaN",
        "9" * 40,
        "\x00",
        "%00",
        "<script>",
        "ž" * 300,
        "2026-13-45",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "49,7380",
        "13.37,49.74,13.38",
        "[]",
        "{}",
        fx["category"],
        "open",
        "closed",
        "true",
        "ABCD-EFGH",
    ]
    params = [
        "service_code",
        "status",
        "start_date",
        "end_date",
        "service_request_id",
        "lat",
        "long",
        "bbox",
        "page",
        "page_size",
        "jurisdiction_id",
        "api_key",
        "description",
        "email",
        "address_string",
        "requested_datetime",
        "updated_datetime",
        "media_url",
        "device_id",
        "account_id",
        "attribute[x]",
    ]
    paths = [
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.geojson",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        f"/open311/v2/services/{fx['category']}.json",
        "/open311/v2/requests/ABCD-EFGH.json",
        "/open311/v2/tokens/x.json",
        "/open311/discovery.json",
        "/open311/v2/requests.csv",
        "/open311/v2/nothing",
    ]

    def one(i: int):
        r = random.Random(rnd.random() + i)
        client = Client(base, "open311")
        path = r.choice(paths)
        query = {r.choice(params): r.choice(junk) for _ in range(r.randint(0, 5))}
        if r.random() < 0.3:
            data = {
                **query,
                "api_key": r.choice([fx["open311_key"], fx["open311_staff_key"], "wrong"]),
                "service_code": fx["category"],
                "lat": str(fx["point"][0]),
                "long": str(fx["point"][1]),
            }
            data.update({r.choice(params): r.choice(junk) for _ in range(r.randint(0, 3))})
            response, _ = client.request("POST", "/open311/v2/requests.json", data=data)
            return "POST", data, response
        response, _ = client.request("GET", path, params=query)
        return f"GET {path}", query, response

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        batch = 0
        while batch * 200 < count and time.monotonic() - started < seconds and left() > 200:
            for what, data, response in pool.map(one, range(batch * 200, batch * 200 + 200)):
                status = response.status_code if response is not None else 599
                tally.add(status < 500, f"open311 {what} {str(data)[:200]}: {status}")
            batch += 1
    return tally


def schemathesis(fx: dict, base: str, out: Path, seconds: float) -> Tally:
    tally = Tally()
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(ROOT / "docs" / "open311-openapi.json"),
        f"--url={base}/open311",
        "--checks=not_a_server_error",
        "--max-examples=15",
        "--phases=examples,coverage,fuzzing",
        "--workers=2",
        "--request-timeout=20",
        "--generation-database=none",
        "--no-color",
        f"--header=X-Api-Key: {fx['open311_staff_key']}",
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds, check=False, cwd=out
        )
        output = result.stdout + result.stderr
        ok = result.returncode == 0
    except subprocess.TimeoutExpired as error:
        output, ok = f"timed out after {seconds} s: {error.stdout!r}"[-3000:], True
    (out / "schemathesis.log").write_text(output)
    import re

    calls = re.search(r"(\d+) generated", output) or re.search(r"Test cases:\s*\n?\s*(\d+)", output)
    tally.tried = int(calls.group(1)) if calls else 1
    if not ok:
        tally.failed = 1
        tally.details.append(
            "schemathesis found failures: see var/hostile/schemathesis.log\n" + output[-1500:]
        )
    return tally


# --- 5. concurrency and the Redis outage --------------------------------------------------------------------
