"""Reads of area alerts: the signed "my alerts" link, the confirm and unsubscribe links, which confirmed
alerts a report's place matches (in the database, on indexed geometry), and what of a report an alert may
tell (the public map's rules: public categories only, never a description, the place rounded)."""

import math

from django.contrib.gis.geos import Point
from django.core import signing
from django.db.models import Q, QuerySet

from portal.models import Municipality
from portal.web import absolute_reverse

from ..models import Alert, Category, District, Report
from ..selectors.public import public_reports

MANAGE_SALT = "incidents.alerts-manage"
MANAGE_MAX_AGE = 90 * 24 * 3600  # a "my alerts" link works for 90 days; every alert email carries a new one
# Street level (~50 m): what an alert or a feed tells of a report's place
ROUND_LAT_DEGREES = 0.0005


def area_districts() -> QuerySet[District]:
    """The districts an alert or a warning may name: active ones, by name, without their areas."""
    return District.objects.filter(active=True).defer("area").order_by("name")


def area_municipalities() -> QuerySet[Municipality]:
    """The municipalities an alert or a warning may name: those a police unit serves, by name, without their
    boundaries."""
    served = Municipality.objects.filter(police_units__isnull=False).distinct()
    return served.defer("boundary").order_by("name")


def alert_categories() -> QuerySet[Category]:
    """The categories an alert may follow: public and active ones, in the catalogue's order."""
    return Category.objects.filter(public=True, active=True).order_by("group", "sort_order", "pk")


def alert_of(email: str, pk) -> Alert | None:
    """One confirmed alert of the address (the change form: with its area), or None."""
    if not str(pk).isdigit():
        return None
    return Alert.objects.filter(email__iexact=email, confirmed_at__isnull=False, pk=pk).first()


def manage_path_arg(email: str) -> str:
    """Signed and timestamped, URL-safe base64 (no dots: ``portal.logs`` redacts the whole of it)."""
    return signing.dumps({"e": email.strip().lower()}, salt=MANAGE_SALT)


def manage_link(email: str) -> str:
    return absolute_reverse("incidents:alerts_manage", manage_path_arg(email))


def email_by_manage(signed: str) -> str | None:
    """The address a "my alerts" link was made for, or None (bad signature, expired)."""
    try:
        value = signing.loads(signed[:400], salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature:
        return None
    return value.get("e") if isinstance(value, dict) else None


def confirm_link(alert: Alert) -> str:
    return absolute_reverse("incidents:alert_confirm", alert.token)


def unsubscribe_link(alert: Alert) -> str:
    return absolute_reverse("incidents:alert_unsubscribe", alert.token)


STOP_SALT = "incidents.alerts-stop-digest"


def digest_stop_path_arg(email: str, frequency: str) -> str:
    return signing.dumps({"e": email.strip().lower(), "f": frequency}, salt=STOP_SALT)


def digest_stop_link(email: str, frequency: str) -> str:
    """One-click unsubscribe of a digest: stops every alert of the address that goes into it."""
    return absolute_reverse("incidents:alerts_stop_digest", digest_stop_path_arg(email, frequency))


def digest_by_stop(signed: str) -> tuple[str, str] | None:
    try:
        value = signing.loads(signed[:400], salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not value.get("e") or not value.get("f"):
        return None
    return value["e"], value["f"]


def alert_by_token(token: str) -> Alert | None:
    if not token or len(token) > 40:
        return None
    return Alert.objects.filter(token=token).select_related("district", "municipality").first()


def alerts_of(email: str) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(email__iexact=email, confirmed_at__isnull=False)
        .select_related("district", "municipality")
        .defer("area", "district__area", "municipality__boundary")
        .order_by("pk")
    )


def alerts_matching(report: Report) -> QuerySet[Alert]:
    """Confirmed alerts whose area holds ``report``'s place: its district or municipality (the routing
    already decided them), or a circle / drawn polygon that intersects the point (ST_Intersects on the
    spatial index; the same lookup on SpatiaLite and PostGIS). Category, event and own-report rules are the
    caller's (``alert_wants``)."""
    where = Q(kind__in=[Alert.Kind.CIRCLE, Alert.Kind.POLYGON], area__intersects=report.point)
    if report.district_id:
        where |= Q(kind=Alert.Kind.DISTRICT, district_id=report.district_id)
    if report.municipality_id:
        where |= Q(kind=Alert.Kind.MUNICIPALITY, municipality_id=report.municipality_id)
    return Alert.objects.filter(where, confirmed_at__isnull=False).defer("area").order_by("pk")


def alert_wants(alert: Alert, *, report: Report, event: str) -> bool:
    """Whether ``alert`` asked for this event of this report (events, categories; never one's own report
    as new)."""
    if event not in (alert.events or ()):
        return False
    if alert.category_groups or alert.category_codes:
        category = report.category
        if category.group not in alert.category_groups and category.code not in alert.category_codes:
            return False
    if event == "new":
        own = {report.reporter_email.lower()} if report.reporter_email else set()
        if report.reporter_id and report.reporter is not None:
            own.add(report.reporter.email.lower())
        if alert.email.lower() in own:
            return False
    return True


def public_reports_by_pk(pks) -> dict[int, Report]:
    """The reports among ``pks`` the public may see (the public map's set: public categories, not
    withdrawn, the last 90 days), with what an alert tells of them. One query."""
    rows = (
        public_reports()
        .filter(pk__in=list(pks))
        .select_related("category", "district", "municipality", "reporter")
        .defer("description", "district__area", "municipality__boundary")
    )
    return {report.pk: report for report in rows}


def rounded_point(point: Point) -> tuple[float, float]:
    """(lat, lon) rounded to street level (~50 m): never the exact place of a report."""
    step_lat = ROUND_LAT_DEGREES
    step_lon = ROUND_LAT_DEGREES / max(math.cos(math.radians(point.y)), 0.01)
    return round(round(point.y / step_lat) * step_lat, 5), round(round(point.x / step_lon) * step_lon, 5)


def public_item(report: Report, event: str, at) -> dict:
    """What an alert email, a digest or a feed tells of a report's event: plain values only."""
    from ..models import AlertEvent, Status

    lat, lon = rounded_point(report.point)
    return {
        "reference": report.reference,
        "event": event,
        "event_label": str(AlertEvent(event).label),
        "category": report.category.name,
        "status_label": str(Status(report.status).label),
        "district": report.district.name if report.district_id else "",
        "municipality": report.municipality.name if report.municipality_id else "",
        "lat": lat,
        "lon": lon,
        "at": at,
        "public_answer": report.public_answer if event != "new" else "",
    }
