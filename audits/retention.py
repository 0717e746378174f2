"""The surveys' personal data that expires (``portal.retention``; docs/personal-data.md).

Once a wave is closed and its last day is ``RETENTION_DAYS`` days past, the invitation codes (their hashes),
the letters that print them in clear and the respondents' throttle and resume fingerprints go; the answers
stay (they carry no name, address or code)."""

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.retention import Retention, local_date, register

from .workflow import WaveStatus

DEFAULT_DAYS = 7


def _wave_over(cutoff: datetime) -> Q:
    return Q(
        wave__status__in=[WaveStatus.CLOSED, WaveStatus.PUBLISHED], wave__closes_on__lte=local_date(cutoff)
    )


def register_audits() -> None:
    register(
        Retention(
            name="audits.invitation_codes",
            label=_("Survey invitation codes (hashes), after the wave closes"),
            model="audits.InvitationCode",
            default_days=DEFAULT_DAYS,
            expired=_wave_over,
            delete=True,
        ),
        Retention(
            name="audits.invitation_letters",
            label=_("Invitation letters (the codes in clear), after the wave closes"),
            model="audits.InvitationBatch",
            default_days=DEFAULT_DAYS,
            expired=lambda cutoff: _wave_over(cutoff) & Q(pdf__isnull=False),
            clear={"pdf": None},
        ),
        Retention(
            name="audits.response_fingerprints",
            label=_("Respondents' device and IP address hashes, after the wave closes"),
            model="audits.Response",
            default_days=DEFAULT_DAYS,
            expired=lambda cutoff: _wave_over(cutoff) & (~Q(ip_hash="") | ~Q(device_hash="")),
            clear={"ip_hash": "", "device_hash": ""},
        ),
    )
