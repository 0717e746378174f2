"""Running the same call from several threads at once (each with its own database connection), for the
PostgreSQL race tests."""

import threading

from django.db import connection


def run_at_once(function, *, times: int = 2) -> tuple[list, list]:
    """Call ``function()`` from ``times`` threads released together. Returns (results, exceptions)."""
    results, errors = [], []
    barrier = threading.Barrier(times)

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
