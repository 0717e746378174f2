"""Personal data of the advice desk that expires (``portal.retention``; listed in docs/personal-data.md)."""

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.retention import Retention, register


def _ip_hash(cutoff: datetime) -> Q:
    return Q(created_at__lte=cutoff) & ~Q(ip_hash="")


def _contact(cutoff: datetime) -> Q:
    return Q(status="closed", closed_at__lte=cutoff) & ~Q(email="")


def register_advice() -> None:
    register(
        Retention(
            name="projects.advice_ip_hash",
            label=_("Advice desk: the hash of the asker's IP address (the daily limit needs one day)"),
            model="projects.Question",
            default_days=2,
            expired=_ip_hash,
            clear={"ip_hash": ""},
        ),
        Retention(
            name="projects.advice_contact",
            label=_("Advice desk: the asker's email, after the question is closed"),
            model="projects.Question",
            default_days=180,
            expired=_contact,
            clear={"email": ""},
        ),
    )
