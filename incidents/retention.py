"""The threat reports' personal data that expires (``portal.retention``; docs/personal-data.md).

A closed report keeps what the police and the statistics need (category, place, description, status,
answers, the timeline); the reporter's contact and the hashes of the citizens' addresses go once the report
has been closed for ``RETENTION_DAYS`` days. A reopened report is open again, so its clock stops."""

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.retention import Retention, register


def _reporter_contact(cutoff: datetime) -> Q:
    return Q(closed_at__lte=cutoff) & (~Q(reporter_email="") | ~Q(ip_hash=""))


def _supports(cutoff: datetime) -> Q:
    return Q(report__closed_at__lte=cutoff)


def _alerts_unconfirmed(cutoff: datetime) -> Q:
    return Q(confirmed_at__isnull=True, created_at__lte=cutoff)


def _alert_deliveries(cutoff: datetime) -> Q:
    return Q(created_at__lte=cutoff) & ~Q(digest_period="")  # a row a digest has yet to take stays


def register_incidents() -> None:
    register(
        Retention(
            name="incidents.reporter_contact",
            label=_("Reporter's email and the hash of their IP address, after the report is closed"),
            model="incidents.Report",
            default_days=180,
            expired=_reporter_contact,
            clear={"reporter_email": "", "ip_hash": ""},
        ),
        Retention(
            name="incidents.supports",
            label=_(
                "Supports of a report (hash of the supporter's IP address, their email if given), after the "
                "report is closed"
            ),
            model="incidents.Support",
            default_days=180,
            expired=_supports,
            delete=True,  # the report keeps its support count; a supporter's email goes with the row
        ),
        Retention(
            name="incidents.alerts_unconfirmed",
            label=_("Area alerts never confirmed (email, area, hash of the IP address)"),
            model="incidents.Alert",
            default_days=7,
            expired=_alerts_unconfirmed,
            delete=True,
        ),
        Retention(
            name="incidents.alert_deliveries",
            label=_("The sent-log of area alerts (which report's event went to which alert)"),
            model="incidents.AlertDelivery",
            default_days=90,
            expired=_alert_deliveries,
            delete=True,  # the sender never goes back; events older than the map's 90 days are not sent
        ),
    )
