"""Sending area alerts exactly once.

``alerts_send`` reads the reports' timeline (``ReportEvent``) after a cursor: it locks the cursor row, reads
the next batch of events of the kinds alerts tell of, matches each report's place against the confirmed
alerts in the database (``selectors.alerts_matching``: district / municipality by the routing, circles and
drawn areas by ST_Intersects on their indexed geometry), writes the sent-log (unique per alert, report and
event) and, for immediate alerts, the email — in the transaction that moves the cursor. Two senders at once
take turns on the cursor; a sender after downtime goes on where the last one stopped. Only what the public
map shows is sent: public categories, never the description, the place rounded to ~50 m.

Events are read ``EVENT_LAG`` after they happened, so that a transaction that began earlier (with a lower
event id) has committed before the cursor passes it.

``alert_digests_send`` sends the daily and weekly digests: per address one email per period, listing the
sent-log rows of its alerts written before the period began; each row is claimed by a conditional UPDATE
(``portal.deadlines.claim_batch``), so a second run or a second worker finds nothing left to send."""

import hashlib
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation

from portal.deadlines import claim_batch
from portal.services import activity_log_many, notifications_queue_many

from ..models import EVENT_OF_ACTION, Alert, AlertCursor, AlertDelivery, ReportEvent
from . import selectors

logger = logging.getLogger(__name__)

EVENT_LAG = timedelta(seconds=60)
# Events per claimed batch, one transaction each: with ~250 matching alerts per report (bench/alerts.py)
# 100 events write ~25 k sent-log and outbox rows, a few seconds of holding the cursor's lock
SEND_BATCH = 100
CURSOR = "report-events"
DIGEST_BATCH = 200  # addresses per transaction
DIGEST_HOUR = 7  # digests leave at 7:00 local time (the first hourly run after it)


def _headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click`` to the link."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _cursor() -> AlertCursor:
    cursor = AlertCursor.objects.select_for_update().filter(name=CURSOR).first()
    if cursor is None:
        AlertCursor.objects.get_or_create(name=CURSOR)
        cursor = AlertCursor.objects.select_for_update().get(name=CURSOR)
    return cursor


def alerts_send(*, now: datetime | None = None, batch: int = SEND_BATCH) -> int:
    """Match and send what happened since the last run; returns how many sent-log rows were written."""
    now = now or timezone.now()
    written = 0
    while True:
        with transaction.atomic():
            cursor = _cursor()
            events = list(
                ReportEvent.objects.filter(pk__gt=cursor.last_event_id, action__in=list(EVENT_OF_ACTION))
                .order_by("pk")
                .values("pk", "report_id", "action", "at")[:batch]
            )
            fresh = next((i for i, e in enumerate(events) if e["at"] > now - EVENT_LAG), None)
            done = fresh is not None or len(events) < batch
            events = events[:fresh] if fresh is not None else events
            if not events:
                return written
            written += _deliver(events, now)
            cursor.last_event_id = events[-1]["pk"]
            cursor.updated_at = now
            cursor.save(update_fields=["last_event_id", "updated_at"])
        if done:
            return written


def _deliver(events: list[dict], now: datetime) -> int:
    reports = selectors.public_reports_by_pk({e["report_id"] for e in events})
    matches: dict[int, list[Alert]] = {}
    rows, emails = [], []
    for event in events:
        report = reports.get(event["report_id"])
        if report is None:  # not public (person-related, withdrawn, older than the map shows)
            continue
        if report.pk not in matches:
            matches[report.pk] = list(selectors.alerts_matching(report))
        code = str(EVENT_OF_ACTION[event["action"]])
        for alert in matches[report.pk]:
            if not selectors.alert_wants(alert, report=report, event=code):
                continue
            rows.append(
                AlertDelivery(
                    alert=alert,
                    report=report,
                    event=code,
                    event_at=event["at"],
                    created_at=now,
                    digest_period="" if alert.frequency != Alert.Frequency.IMMEDIATE else "immediate",
                )
            )
            if alert.frequency == Alert.Frequency.IMMEDIATE:
                with translation.override(alert.language):
                    item = selectors.public_item(report, code, event["at"])
                emails.append(
                    {
                        "kind": "alert_event",
                        "to_email": alert.email,
                        "language": alert.language,
                        "context": {
                            "item": item,
                            "manage_url": selectors.manage_link(alert.email),
                            "unsubscribe_url": selectors.unsubscribe_link(alert),
                        },
                        "dedup_key": f"alert:{alert.pk}:{report.pk}:{code}",
                        "headers": _headers(selectors.unsubscribe_link(alert)),
                    }
                )
    if rows:
        AlertDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    # Rendered by the outbox worker (the context holds plain values only): the cursor's lock is not held
    # while thousands of emails are rendered
    notifications_queue_many(emails, render_later=True)
    return len(rows)


# --- digests --------------------------------------------------------------------------------------------


def digest_period(frequency: str, now: datetime) -> tuple[str, datetime]:
    """The period a digest run at ``now`` closes: its label and its start (the last ``DIGEST_HOUR`` local,
    on a Monday for weekly digests). Rows written before the start go into this period's digest; a run
    every hour sends each period once, the first run after its start (also after downtime)."""
    local = timezone.localtime(now)
    day = local.date() if local.hour >= DIGEST_HOUR else local.date() - timedelta(days=1)
    if frequency == Alert.Frequency.WEEKLY:
        day -= timedelta(days=day.weekday())
        year, week, _weekday = day.isocalendar()
        label = f"{year}-W{week:02d}"
    else:
        label = day.isoformat()
    return label, timezone.make_aware(datetime.combine(day, time(DIGEST_HOUR)))


def alert_digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send the digests of ``frequency`` (daily or weekly) for the period that began last; returns how many
    digest emails were queued (the outbox worker renders them). Once per address and period, however often
    it runs."""
    now = now or timezone.now()
    label, start = digest_period(frequency, now)
    pending = AlertDelivery.objects.filter(
        digest_period="", created_at__lt=start, alert__frequency=frequency, alert__confirmed_at__isnull=False
    )
    sent = 0
    while True:
        addresses = list(
            pending.order_by("alert__email").values_list("alert__email", flat=True).distinct()[:DIGEST_BATCH]
        )
        if not addresses:
            return sent
        with transaction.atomic():
            for email in addresses:
                ids = claim_batch(
                    pending.filter(alert__email=email),
                    sets={"digest_period": label},
                    order_by="pk",
                    batch=10_000,
                    claimed=AlertDelivery.objects.filter(digest_period=label),
                )
                sent += _digest(email, ids, frequency, label, now)


def _digest(email: str, ids: list[int], frequency: str, label: str, now: datetime) -> int:
    if not ids:
        return 0
    rows = list(AlertDelivery.objects.filter(pk__in=ids).select_related("alert").order_by("event_at", "pk"))
    reports = selectors.public_reports_by_pk({row.report_id for row in rows})
    alerts = {row.alert_id: row.alert for row in rows}
    first = alerts[min(alerts)]
    by_alert = defaultdict(list)
    with translation.override(first.language):
        for row in rows:
            report = reports.get(row.report_id)
            if report is not None:  # still public
                by_alert[row.alert_id].append(selectors.public_item(report, row.event, row.event_at))
    if not by_alert:
        return 0
    sections = [
        {"items": items, "unsubscribe_url": selectors.unsubscribe_link(alerts[pk])}
        for pk, items in sorted(by_alert.items())
    ]
    key = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    # Rendered by the outbox worker when it sends the digest (plain values in the context: the items are
    # as they were when claimed, in the subscriber's language), not by this beat task
    notifications_queue_many(
        [
            {
                "kind": "alert_digest",
                "to_email": email,
                "language": first.language,
                "context": {
                    "sections": sections,
                    "count": sum(len(s["items"]) for s in sections),
                    "frequency": frequency,
                    "manage_url": selectors.manage_link(email),
                    "stop_url": selectors.digest_stop_link(email, frequency),
                },
                "dedup_key": f"alert-digest:{key}:{frequency}:{label}",
                "headers": _headers(selectors.digest_stop_link(email, frequency)),
            }
        ],
        render_later=True,
    )
    activity_log_many(verb="alert.digest_sent", targets=list(alerts.values()), at=now)
    return 1
