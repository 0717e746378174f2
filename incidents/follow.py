"""Writes for citizens who follow reports (the services of ``views/follow.py``; reads are in
``selectors/follow.py``): the supporters' status emails and their unsubscribing, the look-up that emails a
report's tracking link, and claiming one's anonymous reports into "My reports".

Imported by ``services``; imports nothing above the selectors."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.services import activity_log, client_fingerprint, notification_queue

from . import selectors
from .models import RateCounter, Report, ReportEvent, Status, Support

LOOKUPS_PER_HOUR = 10  # per client (salted IP hash): enough for typos, too few to guess references


def supporters_notify(report: Report, event: ReportEvent | None) -> int:
    """Queue the status email for every supporter who left an email, after ``event`` (the transition just
    applied) changed the status or carried a public answer, like the reporter's. Each email has its own
    unsubscribe link and no link to the reporter's private page. Returns how many were queued."""
    if event is None or not (event.to_status != event.from_status or event.public_answer):
        return 0
    from .workflow import TRANSITIONS

    transition = TRANSITIONS.get(event.action)
    queued = 0
    for support in selectors.supporters_to_notify(report):
        queued += (
            notification_queue(
                kind="incident_supported_status",
                to_email=support.email,
                language=support.language or None,
                context={
                    "report": report,
                    "status_label": Status(report.status).label,
                    "public_label": str(transition.public_label) if transition else "",
                    "public_answer": event.public_answer,
                    "unsubscribe_url": selectors.unsubscribe_link(support),
                },
                dedup_key=f"report:{report.pk}:{event.action}:{report.version}:support:{support.pk}",
            )
            is not None
        )
    return queued


def latest_event(report: Report) -> ReportEvent | None:
    return ReportEvent.objects.filter(report=report).order_by("-pk").first()


def support_unsubscribe(*, signed: str) -> Support | None:
    """The supporter's unsubscribe link was confirmed: their email is blanked (the support itself stays).
    Returns the support, or None for a link that is not valid."""
    support = selectors.support_by_unsubscribe(signed)
    if support is not None and support.email:
        Support.objects.filter(pk=support.pk).update(email="", language="")
        support.email = ""
    return support


def report_lookup(*, reference: str, email: str, ip: str, language: str, now: datetime | None = None) -> bool:
    """A citizen asks for the tracking link of their report by its reference and the email they gave.

    Returns False when this client has asked too often this hour (nothing is looked up then), True
    otherwise, whether or not the two matched: the answer never tells whether a report exists. On a match
    the signed tracking link is emailed to the report's address (never shown)."""
    allowed, _window = _lookup_hit(ip=ip, now=now)
    if not allowed:
        return False
    report = selectors.report_by_reference_and_email(reference=reference, email=email)
    if report is not None:
        notification_queue(
            kind="incident_link",
            to_email=report.reporter_email,
            language=language,
            context={"report": report, "tracking_url": selectors.tracking_link(report)},
        )
        activity_log(verb="report.link_sent", target=report)
    return True


def _lookup_hit(*, ip: str, now: datetime | None):
    from .services import rate_counter_hit

    return rate_counter_hit(
        scope=RateCounter.Scope.LOOKUP, key=client_fingerprint(ip=ip), limit=LOOKUPS_PER_HOUR, now=now
    )


def reports_claim(*, user) -> int:
    """Add the anonymous reports sent from ``user``'s verified addresses to their reports. Returns how
    many. Only verified addresses count (allauth's confirmation proved the citizen owns them)."""
    with transaction.atomic():
        pks = list(selectors.claimable_reports(user).values_list("pk", flat=True))
        claimed = Report.objects.filter(pk__in=pks, reporter__isnull=True).update(
            reporter=user, updated_at=timezone.now()
        )
        if claimed:
            activity_log(verb="report.claimed", actor=user, count=claimed)
    return claimed
