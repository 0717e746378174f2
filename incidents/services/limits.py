"""Abuse limits of the incidents app: the per-client lock, hourly counters in the database, the report form's
failure limit."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.retention import Retention
from portal.services import client_fingerprint

from ..models import RateCounter

# --- abuse limits ----------------------------------------------------------------------------------------
# In the database, not in the cache (which fails open when Redis is down, and is per process without it):
# a limit holds across web workers and processes, with or without Redis.

CLIENT_LOCK_CLASS = 0x4F4B5231  # "OKR1": the first key of the per-client advisory locks on PostgreSQL


@dataclass(frozen=True)
class Window:
    """The clock hour a counter counts in at ``now``."""

    start: datetime
    reset_seconds: int  # until it ends

    @classmethod
    def at(cls, now: datetime) -> "Window":
        stamp = int(now.timestamp())
        return cls(datetime.fromtimestamp(stamp - stamp % 3600, tz=UTC), 3600 - stamp % 3600)


def client_lock(*, ip_hash: str) -> None:
    """Hold a lock on the client (its salted IP hash) until the current transaction ends, so that its
    submissions are checked against its limits and saved one after the other. PostgreSQL: an advisory
    transaction lock (two clients whose hashes share 32 bits only wait for each other); SQLite: the
    transaction began IMMEDIATE (settings), holding the database's one write lock already."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("client_lock() outside a transaction would release the lock at once")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CLIENT_LOCK_CLASS, int(ip_hash[:8], 16) - 2**31]
            )


def rate_counter_hit(*, scope: str, key: str, limit: int, now: datetime | None = None) -> tuple[bool, Window]:
    """Count one hit of ``key`` in the current hour of ``scope``, unless the hour has ``limit`` hits already:
    then the hit is refused and not counted. Returns (allowed, window). A conditional UPDATE (``count <
    limit``) decides, so processes and threads sharing the database never let more than ``limit`` through
    together. ``limit`` 0: no limit, nothing is counted."""
    now = now or timezone.now()
    window = Window.at(now)
    if not limit:
        return True, window
    lookup = {"scope": scope, "key": key, "window_start": window.start}
    with_room = RateCounter.objects.filter(**lookup, count__lt=limit)
    if with_room.update(count=models.F("count") + 1, updated_at=now):
        return True, window
    if not RateCounter.objects.filter(**lookup).exists() and _rate_counter_create(lookup, now):
        return True, window  # the hour's first hit
    # Full, or created by a concurrent first hit a moment ago
    return bool(with_room.update(count=models.F("count") + 1, updated_at=now)), window


def rate_counter_add(*, scope: str, key: str, now: datetime | None = None) -> None:
    """Count one hit of ``key`` in the current hour of ``scope`` (e.g. a failed report form)."""
    now = now or timezone.now()
    lookup = {"scope": scope, "key": key, "window_start": Window.at(now).start}
    counter = RateCounter.objects.filter(**lookup)
    one_more = {"count": models.F("count") + 1, "updated_at": now}
    if not counter.update(**one_more) and not _rate_counter_create(lookup, now):
        counter.update(**one_more)  # a concurrent first hit created it a moment ago


def _rate_counter_create(lookup: dict, now: datetime) -> bool:
    """Create the counter with its first hit; False if a concurrent request created it first."""
    try:
        with transaction.atomic():
            RateCounter.objects.create(**lookup, count=1, updated_at=now)
    except IntegrityError:
        return False
    return True


def report_form_refusal(*, ip: str, now: datetime | None = None) -> Window | None:
    """The window until which this client's report forms are refused (it sent
    ``REPORT_FORM_FAILURES_PER_HOUR`` forms that failed this hour), or None. One query, before anything in
    the form is processed."""
    limit = settings.REPORT_FORM_FAILURES_PER_HOUR
    window = Window.at(now or timezone.now())
    if (
        limit
        and RateCounter.objects.filter(
            scope=RateCounter.Scope.FORM_FAILURES,
            key=client_fingerprint(ip=ip),
            window_start=window.start,
            count__gte=limit,
        ).exists()
    ):
        return window
    return None


def report_form_failed(*, ip: str, now: datetime | None = None) -> None:
    """Count a report form of this client that failed (invalid, refused, or crashed)."""
    rate_counter_add(scope=RateCounter.Scope.FORM_FAILURES, key=client_fingerprint(ip=ip), now=now)


def _rate_counters_expired(cutoff: datetime) -> models.Q:
    return models.Q(updated_at__lte=cutoff)


RATE_COUNTERS_RETENTION = Retention(
    name="incidents.rate_counters",
    label=gettext_lazy("Abuse-limit counters (salted IP hashes, api key ids)"),
    model="incidents.RateCounter",
    default_days=2,  # the counters count clock hours
    expired=_rate_counters_expired,
    delete=True,
)
