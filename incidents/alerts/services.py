"""Writes of area alerts: subscribing (double opt-in, the same subscription kept once, daily limits per
address and per client), confirming, unsubscribing, changing and deleting. Sending is in ``sender``."""

import enum
import hashlib
import json
import math
from datetime import UTC, datetime

from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality
from portal.services import activity_log, client_fingerprint, notification_queue

from ..models import Alert, AlertEvent, Category, District, RateCounter
from . import selectors

RADIUS_PRESETS_M = (500, 1000, 2000, 5000)
RADIUS_MIN_M = 100
RADIUS_MAX_M = 10_000
POLYGON_MAX_KM2 = 50
POLYGON_MAX_POINTS = 200
CIRCLE_SIDES = 64  # the circle matched is a 64-gon through the circle's points: within 0.12 % of the radius
SUBSCRIPTIONS_PER_ADDRESS_PER_DAY = 5
SUBSCRIPTIONS_PER_CLIENT_PER_DAY = 20
EARTH_RADIUS_M = 6_371_008.8


class Outcome(enum.Enum):
    SENT = "sent"  # an email went to the address (to confirm, or to say it is already subscribed)
    LIMITED = "limited"  # too many requests today: nothing was done


def circle_polygon(center: Point, radius_m: float, sides: int = CIRCLE_SIDES) -> Polygon:
    """The polygon of the points ``radius_m`` from ``center`` on the sphere (WGS 84)."""
    lat1, lon1 = math.radians(center.y), math.radians(center.x)
    d = radius_m / EARTH_RADIUS_M
    ring = []
    for i in range(sides):
        bearing = 2 * math.pi * i / sides
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(bearing))
        lon2 = lon1 + math.atan2(
            math.sin(bearing) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
        )
        ring.append((math.degrees(lon2), math.degrees(lat2)))
    ring.append(ring[0])
    return Polygon(ring, srid=4326)


def _area_km2(polygon: Polygon) -> float:
    return polygon.transform(3035, clone=True).area / 1e6  # ETRS89 Lambert equal-area (Europe)


def _served(geometry) -> bool:
    """The geometry touches a municipality served by a police unit of this deployment."""
    return Municipality.objects.filter(boundary__intersects=geometry, police_units__isnull=False).exists()


def alert_area(
    *,
    kind: str,
    district: District | None = None,
    municipality: Municipality | None = None,
    center: Point | None = None,
    radius_m: int | None = None,
    polygon: str | Polygon | None = None,
) -> dict:
    """The area fields of an alert, checked: a known district or served municipality, a circle of a
    radius within the limits inside the deployment, a valid polygon of limited size inside it."""
    if kind == Alert.Kind.DISTRICT:
        if district is None or not district.active:
            raise ValidationError({"district": _("Choose a district.")})
        return {"district": district}
    if kind == Alert.Kind.MUNICIPALITY:
        if municipality is None or not municipality.police_units.exists():
            raise ValidationError({"municipality": _("Choose a municipality this portal serves.")})
        return {"municipality": municipality}
    if kind == Alert.Kind.CIRCLE:
        if center is None:
            raise ValidationError({"center": _("Choose the centre of the area on the map.")})
        if radius_m is None or not RADIUS_MIN_M <= radius_m <= RADIUS_MAX_M:
            raise ValidationError(
                {
                    "radius_m": _("The radius must be between %(min)s m and %(max)s m.")
                    % {"min": RADIUS_MIN_M, "max": RADIUS_MAX_M}
                }
            )
        center = Point(round(center.x, 6), round(center.y, 6), srid=4326)
        if not _served(center):
            raise ValidationError({"center": _("This place lies outside the area this portal serves.")})
        return {"center": center, "radius_m": radius_m, "area": circle_polygon(center, radius_m)}
    if kind == Alert.Kind.POLYGON:
        try:
            shape = polygon if isinstance(polygon, Polygon) else GEOSGeometry(polygon or "", srid=4326)
        except (ValueError, TypeError, Exception):  # noqa: BLE001 - GEOS raises its own errors on bad text
            shape = None
        if not isinstance(shape, Polygon) or shape.empty:
            raise ValidationError({"polygon": _("Draw the area on the map.")})
        if shape.srid != 4326:
            shape.transform(4326)
        if shape.num_points > POLYGON_MAX_POINTS:
            raise ValidationError(
                {
                    "polygon": _("The area has too many points (at most %(max)s).")
                    % {"max": POLYGON_MAX_POINTS}
                }
            )
        if not shape.valid:
            raise ValidationError({"polygon": _("The area's border crosses itself. Please draw it again.")})
        if _area_km2(shape) > POLYGON_MAX_KM2:
            raise ValidationError(
                {"polygon": _("The area is too large (at most %(max)s km²).") % {"max": POLYGON_MAX_KM2}}
            )
        if not _served(shape):
            raise ValidationError({"polygon": _("This area lies outside the area this portal serves.")})
        return {"area": shape}
    raise ValidationError({"kind": _("Choose the kind of area.")})


def _fingerprint(email: str, kind: str, area: dict, groups, codes, events) -> str:
    shape = area.get("area")
    key = [
        email.strip().lower(),
        kind,
        getattr(area.get("district"), "pk", None),
        getattr(area.get("municipality"), "pk", None),
        area.get("radius_m"),
        list(area["center"].coords) if area.get("center") else None,
        shape.wkt if kind == Alert.Kind.POLYGON and shape is not None else None,
        sorted(groups),
        sorted(codes),
        sorted(events),
    ]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def _day_hit(*, scope: str, key: str, limit: int, now: datetime) -> bool:
    """One hit in the UTC day's counter of ``scope``, unless it holds ``limit`` already (the RateCounter
    rows of the report form, with a day as the window)."""
    start = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    lookup = {"scope": scope, "key": key, "window_start": start}
    with_room = RateCounter.objects.filter(**lookup, count__lt=limit)
    if with_room.update(count=models.F("count") + 1, updated_at=now):
        return True
    if not RateCounter.objects.filter(**lookup).exists():
        try:
            with transaction.atomic():
                RateCounter.objects.create(**lookup, count=1, updated_at=now)
            return True
        except IntegrityError:
            pass
    return bool(with_room.update(count=models.F("count") + 1, updated_at=now))


def _alert_fields(
    *,
    kind: str,
    events: list[str],
    category_groups: list[str] = (),
    category_codes: list[str] = (),
    frequency: str = Alert.Frequency.IMMEDIATE,
    **area_input,
) -> dict:
    """An alert's area, categories, events and frequency, checked (the same rules for subscribing and for
    changing an alert); the area fields the kind does not use are None."""
    area = alert_area(kind=kind, **area_input)
    events = [e for e in dict.fromkeys(events) if e in AlertEvent.values]
    if not events:
        raise ValidationError({"events": _("Choose at least one event to hear of.")})
    groups = sorted({g for g in category_groups if g in Category.Group.values})
    codes = sorted(
        set(
            Category.objects.filter(public=True, code__in=list(category_codes)).values_list("code", flat=True)
        )
    )
    if frequency not in Alert.Frequency.values:
        raise ValidationError({"frequency": _("Choose how often to get emails.")})
    return {
        "kind": kind,
        "district": None,
        "municipality": None,
        "center": None,
        "radius_m": None,
        "area": None,
        **area,
        "events": events,
        "category_groups": groups,
        "category_codes": codes,
        "frequency": frequency,
    }


def _fingerprint_of(email: str, fields: dict) -> str:
    return _fingerprint(
        email, fields["kind"], fields, fields["category_groups"], fields["category_codes"], fields["events"]
    )


def alert_subscribe(
    *,
    email: str,
    language: str,
    kind: str,
    ip: str,
    events: list[str],
    category_groups: list[str] = (),
    category_codes: list[str] = (),
    frequency: str = Alert.Frequency.IMMEDIATE,
    warnings: bool = True,
    now: datetime | None = None,
    **area_input,
) -> Outcome:
    """Ask for an alert. The address gets an email either way — a link to confirm a new (or not yet
    confirmed) alert, or, when it has this alert already, a link to its alerts — so the answer never tells
    whether an address is subscribed; no second row is written. Raises ValidationError for bad input."""
    now = now or timezone.now()
    email = email.strip()
    fields = _alert_fields(
        kind=kind,
        events=events,
        category_groups=category_groups,
        category_codes=category_codes,
        frequency=frequency,
        **area_input,
    )
    fingerprint = _fingerprint_of(email, fields)
    ip_hash = client_fingerprint(ip=ip)
    with transaction.atomic():
        if not _day_hit(
            scope=RateCounter.Scope.ALERT_CLIENT, key=ip_hash, limit=SUBSCRIPTIONS_PER_CLIENT_PER_DAY, now=now
        ) or not _day_hit(
            scope=RateCounter.Scope.ALERT_EMAIL,
            key=hashlib.sha256(email.lower().encode()).hexdigest(),
            limit=SUBSCRIPTIONS_PER_ADDRESS_PER_DAY,
            now=now,
        ):
            return Outcome.LIMITED
        alert = Alert.objects.filter(fingerprint=fingerprint).first()
        if alert is None:
            alert = Alert(
                email=email,
                language=language,
                warnings=warnings,
                fingerprint=fingerprint,
                ip_hash=ip_hash,
                created_at=now,
                **fields,
            )
            alert.full_clean(exclude=["fingerprint", "token"])
            try:
                with transaction.atomic():
                    alert.save()
            except IntegrityError:  # the same request a moment ago
                alert = Alert.objects.get(fingerprint=fingerprint)
            else:
                activity_log(verb="alert.requested", target=alert, kind=kind)
        if alert.confirmed_at is None:
            notification_queue(
                kind="alert_confirm",
                to_email=alert.email,
                language=language,
                context={"alert": alert, "confirm_url": selectors.confirm_link(alert)},
            )
        else:
            notification_queue(
                kind="alert_exists",
                to_email=alert.email,
                language=language,
                context={"manage_url": selectors.manage_link(alert.email)},
            )
    return Outcome.SENT


def alert_confirm(*, token: str, now: datetime | None = None) -> Alert | None:
    """The confirm link was opened: the alert starts (idempotent). None for an unknown link."""
    alert = selectors.alert_by_token(token)
    if alert is None:
        return None
    if alert.confirmed_at is None:
        now = now or timezone.now()
        with transaction.atomic():
            if Alert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(confirmed_at=now):
                alert.confirmed_at = now
                activity_log(verb="alert.confirmed", target=alert)
    return alert


def alert_delete(*, alert: Alert) -> None:
    with transaction.atomic():
        activity_log(verb="alert.deleted", target=alert)
        Alert.objects.filter(pk=alert.pk).delete()


def alert_unsubscribe(*, token: str) -> bool:
    """The one-click unsubscribe (RFC 8058) or its page: the alert is gone. False for an unknown link."""
    alert = selectors.alert_by_token(token)
    if alert is None:
        return False
    alert_delete(alert=alert)
    return True


def alert_change(*, alert: Alert, frequency: str, warnings: bool | None = None) -> Alert:
    """ "My alerts": how often, and whether warnings from the police and the town come too."""
    if frequency not in Alert.Frequency.values:
        raise ValidationError({"frequency": _("Choose how often to get emails.")})
    warnings = alert.warnings if warnings is None else warnings
    if (alert.frequency, alert.warnings) != (frequency, warnings):
        with transaction.atomic():
            Alert.objects.filter(pk=alert.pk).update(frequency=frequency, warnings=warnings)
            alert.frequency, alert.warnings = frequency, warnings
            activity_log(verb="alert.changed", target=alert, frequency=frequency, warnings=warnings)
    return alert


def alert_update(
    *,
    alert: Alert,
    kind: str,
    events: list[str],
    category_groups: list[str] = (),
    category_codes: list[str] = (),
    frequency: str = Alert.Frequency.IMMEDIATE,
    warnings: bool = True,
    **area_input,
) -> Alert:
    """ "My alerts": change an alert's area, categories, events, frequency and warnings, checked as when
    subscribing. Either all of it is saved or nothing (a ValidationError leaves the row as it was). The
    address stays: the signed link that allows the change is the address's. Sent-log rows already written
    for the old area still go into the next digest."""
    fields = _alert_fields(
        kind=kind,
        events=events,
        category_groups=category_groups,
        category_codes=category_codes,
        frequency=frequency,
        **area_input,
    )
    fingerprint = _fingerprint_of(alert.email, fields)
    duplicate = ValidationError(_("You have an alert with these settings already."))
    if Alert.objects.filter(fingerprint=fingerprint).exclude(pk=alert.pk).exists():
        raise duplicate
    with transaction.atomic():
        # Locked, and read again: an alert stopped meanwhile (its unsubscribe link) is not written back
        changed = Alert.objects.select_for_update().filter(pk=alert.pk).first()
        if changed is None:
            raise ValidationError(_("This alert was stopped in the meantime."))
        for name, value in {**fields, "warnings": warnings, "fingerprint": fingerprint}.items():
            setattr(changed, name, value)
        changed.full_clean(exclude=["fingerprint", "token"])
        try:
            with transaction.atomic():
                changed.save(force_update=True)
        except IntegrityError:  # the same settings saved a moment ago by another request
            raise duplicate from None
        activity_log(verb="alert.changed", target=changed, kind=kind, frequency=frequency)
    return changed


def alerts_stop_digest(*, signed: str) -> int:
    """A digest's one-click unsubscribe: every alert of the address that goes into this digest stops.
    Returns how many (0 for a bad link, or one used already)."""
    found = selectors.digest_by_stop(signed)
    if found is None:
        return 0
    email, frequency = found
    with transaction.atomic():
        alerts = list(Alert.objects.filter(email__iexact=email, frequency=frequency).only("pk"))
        for alert in alerts:
            activity_log(verb="alert.deleted", target=alert, via="digest")
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).delete()
    return len(alerts)
