"""The container's HEALTHCHECK: GET /healthz on this host's gunicorn; exit 0 only on 200.

Sends the Host header Django accepts (the first of ALLOWED_HOSTS; a pattern like ``.example.org`` becomes
``example.org``), so the check also passes in production, where 127.0.0.1 is not an allowed host.
/healthz is exempt from the HTTPS redirect (portal/settings.py)."""

import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip("*.") if hosts and hosts[0] != "*" else "localhost"
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz", headers={"Host": host}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed local http URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy"
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
