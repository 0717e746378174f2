"""Writes of the Open311 API: api keys (issued, rotated, rate-limited) and reports submitted by client apps.

A report submitted through the API is filed by ``incidents.services.report_submit``, the same service as the
web form (validation, per-client rate limit, routing, deadlines, notifications); this module only adds who
submitted it to the report's timeline."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import PoliceUnit
from portal.services import activity_log

from ..models import ApiKey, Category, RateCounter, Report
from ..selectors import Route, report_route
from ..services import Channel, rate_counter_hit, report_submit
from .selectors import api_key_hash

KEY_PREFIX = "okr_"
TOUCH_EVERY = timedelta(minutes=1)
# The officers read the note on the submitted event in their unit's language
UNIT_LANGUAGES = {"CZ": "cs", "PL": "pl", "NO": "nb"}


def _new_secret() -> tuple[str, str]:
    prefix = f"{KEY_PREFIX}{secrets.token_hex(4)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def api_key_issue(*, api_key: ApiKey, actor=None) -> str:
    """Save ``api_key`` (new or existing) with a fresh secret and return the secret. Only its SHA-256 and its
    prefix are kept: it is shown to the administrator once; an existing key's old secret stops working."""
    created = api_key.pk is None
    with transaction.atomic():
        prefix, raw = _new_secret()
        while ApiKey.objects.filter(prefix=prefix).exists():  # 1 in 4 billion per existing key
            prefix, raw = _new_secret()
        api_key.prefix, api_key.key_hash = prefix, api_key_hash(raw)
        api_key.full_clean()
        api_key.save()
        activity_log(
            actor=actor,
            verb="open311.api_key_created" if created else "open311.api_key_rotated",
            target=api_key,
            name=api_key.name,
            prefix=prefix,
        )
    return raw


def api_key_create(
    *,
    name: str,
    staff: bool = False,
    police_unit: PoliceUnit | None = None,
    rate_limit_per_hour: int = 600,
    contact_email: str = "",
    actor=None,
) -> tuple[ApiKey, str]:
    """A new active key for the client application ``name``. Returns the key and its secret (shown once)."""
    api_key = ApiKey(
        name=name,
        staff=staff,
        police_unit=police_unit,
        rate_limit_per_hour=rate_limit_per_hour,
        contact_email=contact_email,
    )
    return api_key, api_key_issue(api_key=api_key, actor=actor)


def api_key_update(*, api_key: ApiKey, actor=None, changed: list[str] | tuple = ()) -> ApiKey:
    """Save an administrator's changes to a key (name, active, limits, staff flag, jurisdiction)."""
    with transaction.atomic():
        api_key.full_clean()
        api_key.save()
        activity_log(actor=actor, verb="open311.api_key_changed", target=api_key, fields=list(changed))
    return api_key


def api_key_touch(*, api_key: ApiKey, now: datetime | None = None) -> None:
    """Record that the key was used: at most one write a minute per key, whatever the traffic; no statement
    at all while the key as read says it was used less than a minute ago."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - TOUCH_EVERY <= api_key.last_used_at <= now:
        return
    updated = ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY), pk=api_key.pk
    ).update(last_used_at=now)
    if updated:
        api_key.last_used_at = now


@dataclass
class RateLimit:
    allowed: bool
    limit: int
    reset_seconds: int


def api_key_rate_check(*, api_key: ApiKey, now: datetime | None = None) -> RateLimit:
    """Count one request against the key's hourly limit (a fixed window per clock hour). The count is kept
    in the database, so every web worker and process shares it, with or without Redis; requests over the
    limit are refused and not counted."""
    limit = api_key.rate_limit_per_hour
    allowed, window = rate_counter_hit(
        scope=RateCounter.Scope.API_KEY, key=str(api_key.pk), limit=limit, now=now
    )
    return RateLimit(allowed=allowed, limit=limit, reset_seconds=window.reset_seconds)


def _submission_note(
    *, api_key: ApiKey, address_string: str, located_by_address: bool, media_url: str
) -> str:
    lines = [_("Submitted through the Open311 API by “%(client)s”.") % {"client": api_key.name}]
    if address_string and located_by_address:
        lines.append(
            _("No coordinates were sent: the place is a point inside “%(address)s”, not the exact spot.")
            % {"address": address_string}
        )
    elif address_string:
        lines.append(_("Address given by the reporter: %(address)s") % {"address": address_string})
    if media_url:
        lines.append(
            _("Link to a photo given by the client application (not downloaded, open with care): %(url)s")
            % {"url": media_url}
        )
    return "\n".join(lines)


def open311_report_submit(
    *,
    api_key: ApiKey,
    category: Category,
    point: Point,
    description: str = "",
    occurred_at: datetime | None = None,
    attachments: list[UploadedFile] = (),
    reporter_email: str = "",
    language: str = "cs",
    ip: str,
    address_string: str = "",
    located_by_address: bool = False,
    media_url: str = "",
    route: Route | None = None,
    now: datetime | None = None,
) -> tuple[Report, str]:
    """File a report sent by a client application: ``report_submit`` does everything a web report gets; the
    submitted event then names the client and what the API received but the report model does not keep (the
    address as typed, the media URL), for the police only. ``route``: the point's route, when the caller
    has looked it up already (the jurisdiction check). Raises ValidationError like ``report_submit``."""
    route = route or report_route(point=point)
    unit = route.police_unit
    with translation.override(UNIT_LANGUAGES.get(getattr(unit, "country", ""), settings.LANGUAGE_CODE)):
        note = _submission_note(
            api_key=api_key,
            address_string=address_string,
            located_by_address=located_by_address,
            media_url=media_url,
        )
    channel = Channel(
        note=note,
        data={
            "channel": "open311",
            "api_key": api_key.pk,
            "client": api_key.name,
            "address_string": address_string,
            "located_by_address": located_by_address,
            "media_url": media_url,
        },
        log=[("open311.report_submitted", {"api_key": api_key.pk, "client": api_key.name})],
    )
    # One transaction: the report, its submitted event with the channel's note, both log entries, the emails
    return report_submit(
        category=category,
        point=point,
        description=description,
        occurred_at=occurred_at,
        attachments=attachments,
        reporter_email=reporter_email,
        language=language,
        ip=ip,
        route=route,
        channel=channel,
        now=now,
    )
