"""Area alerts (issue 14): a resident's subscription to what happens in an area, and the sent-log that makes
every (alert, report, event) reach them once. Imported by ``incidents.models``; the services and selectors
are in ``incidents/alerts/``."""

import secrets

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _token() -> str:
    return secrets.token_urlsafe(24)


class AlertEvent(models.TextChoices):
    """What a subscriber can hear of: a new public report, or a change of its status."""

    NEW = "new", _("new report")
    TAKEN_UP = "taken_up", _("taken up by the police")
    CONFIRMED = "confirmed", _("confirmed")
    ELIMINATED = "eliminated", _("eliminated")
    HANDED_OVER = "handed_over", _("handed over")
    NOT_CONFIRMED = "not_confirmed", _("not confirmed")


# A report's timeline action → the alert event it is (``ReportEvent.action``)
EVENT_OF_ACTION = {
    "submitted": AlertEvent.NEW,
    "take_up": AlertEvent.TAKEN_UP,
    "confirm": AlertEvent.CONFIRMED,
    "eliminate": AlertEvent.ELIMINATED,
    "hand_over": AlertEvent.HANDED_OVER,
    "not_confirm": AlertEvent.NOT_CONFIRMED,
}


class Alert(models.Model):
    """One subscription: an address, an area, which categories and events, how often. Only confirmed alerts
    (double opt-in) are matched. ``area`` is the geometry matched for a circle (a polygon of the circle) or
    a drawn polygon; a district or municipality alert matches by the report's routing."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        MUNICIPALITY = "municipality", _("municipality")
        CIRCLE = "circle", _("around a point")
        POLYGON = "polygon", _("drawn area")

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("immediately")
        DAILY = "daily", _("daily digest")
        WEEKLY = "weekly", _("weekly digest")

    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, default="cs")
    kind = models.CharField(_("area"), max_length=16, choices=Kind.choices)
    district = models.ForeignKey(
        "incidents.District", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    municipality = models.ForeignKey(
        "portal.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    center = models.PointField(_("centre"), srid=4326, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    area = models.PolygonField(_("area"), srid=4326, null=True, blank=True, spatial_index=True)
    category_groups = models.JSONField(
        _("category groups"), default=list, blank=True
    )  # empty + no codes: all
    category_codes = models.JSONField(_("categories"), default=list, blank=True)
    events = models.JSONField(_("events"), default=list)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    warnings = models.BooleanField(_("warnings from the police and the town"), default=True)
    # email + area + filters, hashed: the same subscription twice is one row
    fingerprint = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=40, unique=True, default=_token)  # confirm and unsubscribe links
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["district"], name="alert_district", condition=Q(confirmed_at__isnull=False)),
            models.Index(
                fields=["municipality"], name="alert_municipality", condition=Q(confirmed_at__isnull=False)
            ),
            models.Index(fields=["email"], name="alert_email"),
        ]

    def __str__(self) -> str:
        # Never the address: the admin's titles and the activity log show this to staff
        return f"{self.get_kind_display()} #{self.pk}"


class AlertDelivery(models.Model):
    """The sent-log: a report's event for an alert, at most once (the unique key). Immediate alerts get
    their email in the transaction that writes the row; digest rows wait until a digest claims them
    (``digest_period``)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    report = models.ForeignKey("incidents.Report", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=16, choices=AlertEvent.choices)
    event_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    digest_period = models.CharField(max_length=16, blank=True)  # "" while a digest has yet to take it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "report", "event"], name="alert_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="alert_delivery_pending", condition=Q(digest_period="")),
        ]


class AlertCursor(models.Model):
    """How far the sender has read the reports' timeline (``ReportEvent`` pk): one row, locked while a
    sender claims the next batch, so two senders never read the same events."""

    name = models.CharField(max_length=32, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)


class AreaWarning(models.Model):
    """A warning the police (a unit's coordinator) or a town (its municipal staff) publishes to a district or
    a municipality, after a second person of the same unit or town approved it. Published, it goes at once
    to the area's alert subscribers who did not opt out of warnings, and shows on the area's public pages
    and feeds until ``valid_until``."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        PUBLISHED = "published", pgettext_lazy("warning", "published")
        REJECTED = "rejected", pgettext_lazy("warning", "rejected")

    author = models.ForeignKey(
        "portal.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    police_unit = models.ForeignKey(
        "portal.PoliceUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the issuer, or
    issuer_municipality = models.ForeignKey(
        "portal.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "incidents.District", verbose_name=_("district"), on_delete=models.CASCADE, null=True, blank=True
    )
    municipality = models.ForeignKey(
        "portal.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="area_warnings",
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=2000)
    valid_until = models.DateTimeField(_("valid until"))
    category_groups = models.JSONField(_("related categories"), default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reviewer = models.ForeignKey(
        "portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("area warning")
        verbose_name_plural = _("area warnings")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["valid_until"], name="area_warning_live", condition=Q(state="published")),
        ]

    def __str__(self) -> str:
        return self.title
