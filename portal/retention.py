"""Personal data that expires (GDPR storage limitation), declared as data and removed by one beat task.

Each app registers its ``Retention`` policies when it loads (``AppConfig.ready``): which rows hold which
personal data, when its time is up (a number of days after an event of the row, overridable per deployment
in ``RETENTION_DAYS``), and what happens then — the fields are blanked (the row stays for statistics and
history) or the row is deleted. ``purge`` runs every policy with set-based UPDATE/DELETE statements in
batches; the beat runs it daily. ``docs/personal-data.md`` lists every datum, who sees it and when it goes;
``policies()`` is what that page and the admin describe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    name: str  # "incidents.reporter_contact": the key of RETENTION_DAYS
    label: Any  # what is kept, in words
    model: str  # "app_label.Model"
    default_days: int
    # Rows whose time is up, given the cutoff (now − days): e.g. Q(closed_at__lte=cutoff) & ~Q(email="")
    expired: Callable[[datetime], models.Q]
    clear: Mapping[str, Any] = field(default_factory=dict)  # fields blanked; empty with ``delete``
    delete: bool = False

    @property
    def days(self) -> int:
        return int(getattr(settings, "RETENTION_DAYS", {}).get(self.name, self.default_days))

    def queryset(self, now: datetime) -> models.QuerySet:
        model = apps.get_model(self.model)
        return model.objects.filter(self.expired(now - timedelta(days=self.days)))


_POLICIES: dict[str, Retention] = {}


def register(*policies: Retention) -> None:
    for policy in policies:
        if not policy.delete and not policy.clear:
            raise ValueError(f"Retention {policy.name} neither clears fields nor deletes rows")
        _POLICIES[policy.name] = policy


def policies() -> list[Retention]:
    return sorted(_POLICIES.values(), key=lambda policy: policy.name)


def purge(*, now: datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Apply every policy; returns how many rows each changed. One failing policy is logged and the others
    still run."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for policy in policies():
        try:
            done[policy.name] = _purge_one(policy, now, batch)
        except Exception:  # noqa: BLE001 - one policy must not keep the others from running
            logger.exception("Retention %s failed", policy.name)
            done[policy.name] = 0
    return done


def _purge_one(policy: Retention, now: datetime, batch: int) -> int:
    total, last = 0, None
    while True:
        with transaction.atomic():
            ids = list(policy.queryset(now).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            if ids == last:  # its ``expired`` still matches blanked rows: a declaration error, not a loop
                raise RuntimeError(f"Retention {policy.name}: cleared rows still match `expired`")
            last = ids
            rows = apps.get_model(policy.model).objects.filter(pk__in=ids)
            if policy.delete:
                rows.delete()
            else:
                rows.update(**policy.clear)
        total += len(ids)
        if len(ids) < batch:
            return total


# --- helpers for the apps' declarations ----------------------------------------------------------------

REMOVED_EMAIL_DOMAIN = "removed.invalid"  # RFC 2606: never deliverable


def removed_email() -> models.Expression:
    """A unique placeholder for an email column that must stay unique (``removed-<pk>@removed.invalid``):
    set-based, and it tells a cleared row (``cleared_email(field)``) from one still to clear."""
    from django.db.models.functions import Cast, Concat

    return Concat(
        models.Value("removed-"),
        Cast("pk", models.CharField()),
        models.Value(f"@{REMOVED_EMAIL_DOMAIN}"),
        output_field=models.CharField(),
    )


def cleared_email(field: str) -> models.Q:
    return models.Q(**{f"{field}__endswith": f"@{REMOVED_EMAIL_DOMAIN}"})


def local_date(moment: datetime):
    """The day of ``moment`` in the portal's time zone (for policies counted from a date column)."""
    return timezone.localtime(moment).date()


# --- the portal's own personal data ---------------------------------------------------------------------


def _outbox_done(cutoff: datetime) -> models.Q:
    """Delivered emails count from their delivery, failed ones (never delivered) from their creation."""
    return (
        models.Q(status="sent", sent_at__lte=cutoff)
        | models.Q(status="sent", sent_at__isnull=True, created_at__lte=cutoff)
        | models.Q(status="failed", created_at__lte=cutoff)
    )


def register_portal() -> None:
    from django.utils.translation import gettext_lazy as _

    register(
        Retention(
            name="portal.outbox",
            label=_("Sent and failed emails in the outbox (address, text, links with tokens)"),
            model="portal.Notification",
            default_days=90,
            expired=_outbox_done,
            delete=True,
        )
    )
