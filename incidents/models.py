import secrets
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized
from portal.models import Municipality, PartnerBody, PoliceUnit


class Status(models.TextChoices):
    """A report's status as KMZB residents see it: new → verifying (taken up) → confirmed | not confirmed |
    joke or mistake; confirmed → eliminated | handed over to a body outside the police. The transitions
    between them are declared in ``workflow.py``."""

    NEW = "new", _("new")
    VERIFYING = "verifying", _("being verified")
    CONFIRMED = "confirmed", _("confirmed")
    NOT_CONFIRMED = "not_confirmed", _("not confirmed")
    JOKE_OR_MISTAKE = "joke_or_mistake", _("joke or mistake")
    ELIMINATED = "eliminated", _("confirmed – eliminated")
    HANDED_OVER = "handed_over", _("confirmed – handed over outside the police")
    # The reporter took it back before the police took it up: off the queues, the public map and statistics
    WITHDRAWN = "withdrawn", _("withdrawn by the reporter")


OPEN_STATUSES = frozenset({Status.NEW, Status.VERIFYING, Status.CONFIRMED})
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)
# What the public map, its filters and the statistics show (a withdrawn report is nobody's business)
PUBLIC_STATUSES = tuple(status for status in Status if status != Status.WITHDRAWN)
PUBLIC_STATUS_CHOICES = [(status.value, status.label) for status in PUBLIC_STATUSES]


class Category(models.Model):
    """A kind of threat a citizen can report (the KMZB catalogue). Categories change over time: retire them
    with ``active`` instead of deleting, so old reports keep theirs."""

    class Group(models.TextChoices):
        ROAD = "road", _("Road traffic")
        PUBLIC_ORDER = "public_order", _("Public order")
        ENVIRONMENT = "environment", _("Environment")
        ANIMALS = "animals", _("Animals")
        WATER = "water", _("Water")
        SOCIAL = "social", _("Social")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    name_cs = models.CharField(_("name (Czech)"), max_length=120)
    name_pl = models.CharField(_("name (Polish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    description_required = models.BooleanField(_("description required"), default=False)
    public = models.BooleanField(
        _("shown on the public map"),
        default=True,
        help_text=_("Person-related categories (homeless person, minors at risk) are never public."),
    )
    take_up_hours = models.PositiveSmallIntegerField(_("take up within (hours)"), default=48)
    verify_hours = models.PositiveSmallIntegerField(_("verify within (hours)"), default=120)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class District(models.Model):
    """A safety district (bezpečnostní okrsek / rejon dzielnicowego) with its responsible officers."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.MultiPolygonField(_("area"), srid=4326)
    police_unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("police unit"), on_delete=models.PROTECT, related_name="districts"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="districts",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible officers"), blank=True, related_name="districts"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The only times a citizen or a client application types: a report's time of occurrence. The services refuse
# anything before 1970 or in the future; the database refuses anything outside this range (a CHECK
# constraint), so a year-1 time can no longer be stored as a BC timestamp that psycopg cannot read back.
OCCURRED_AT_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC))


class BoundedDateTimeField(models.DateTimeField):
    """A datetime column that reads a stored value outside ``OCCURRED_AT_RANGE`` as NULL.

    Why both this and the CHECK constraint: the constraint makes such a value impossible from now on, and its
    migration nulls the ones stored before it. But a row can still come from outside Django (a restore of an
    old dump, an import by SQL, SQLite's ``ignore_check_constraints``), and one unreadable time of occurrence
    used to fail every query that selected it: the deadline sweep of the whole region, the public Open311
    lists, the staff queue and exports. Filtering it out in SQL (``CASE WHEN`` in the SELECT list, on every
    database; ``Field.select_format``) costs a comparison per row, needs no change in any reader, and shows
    such a time as unknown, which it is. Only the SELECT list changes: filters and ordering read the
    column."""

    def select_format(self, compiler, sql, params):
        sql, params = super().select_format(compiler, sql, params)
        ops = compiler.connection.ops
        low, high = (ops.adapt_datetimefield_value(bound) for bound in OCCURRED_AT_RANGE)
        return (
            f"CASE WHEN {sql} >= %s AND {sql} < %s THEN {sql} END",
            (*params, low, *params, high, *params),
        )


def _reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class Report(models.Model):
    """A citizen's threat report. The description, the attachments and the reporter's contact are for the
    police only; the public sees the category, the place, the status and the public answers."""

    Status = Status

    reference = models.CharField(_("reference"), max_length=9, unique=True, default=_reference)
    token_hash = models.CharField(max_length=64, unique=True)
    # The report form's one-time key: a double click or a resent form finds the report the first one filed
    # (``portal.services.create_once``). Empty for reports from the API, the demo and imports.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    point = models.PointField(_("place"), srid=4326)
    description = models.TextField(_("description"), max_length=500, blank=True)
    occurred_at = BoundedDateTimeField(_("time of occurrence"), null=True, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter_language = models.CharField(_("reporter's language"), max_length=8, default="cs")
    # The citizen's account: set when the report is sent while logged in, or when the citizen claims the
    # anonymous reports sent from one of their verified addresses ("My reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_filed",
    )
    ip_hash = models.CharField(max_length=64, db_index=False)
    police_unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("police unit"), on_delete=models.PROTECT, null=True, related_name="reports"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    partner_body = models.ForeignKey(
        PartnerBody,
        verbose_name=_("partner body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    public_answer = models.TextField(_("public answer"), blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    version = models.PositiveIntegerField(default=0)  # optimistic lock: two officers cannot both win
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Deadlines (KMZB: take up within 2 days, verify within 5 days; per category)
    due_at = models.DateTimeField(_("current deadline"), null=True, blank=True)
    take_up_due_at = models.DateTimeField(_("take up by"))
    taken_up_at = models.DateTimeField(_("taken up"), null=True, blank=True)
    verify_due_at = models.DateTimeField(_("verify by"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    take_up_overdue = models.BooleanField(_("take-up overdue"), default=False)
    verify_overdue = models.BooleanField(_("verification overdue"), default=False)
    take_up_reminded = models.BooleanField(default=False)
    verify_reminded = models.BooleanField(default=False)
    # Handed over: the partner body resolves it by this time (``workflow.PARTNER_RESOLVE``); the status stays
    # "handed over" (KMZB), the resolution is a stamp that closes the report
    partner_due_at = models.DateTimeField(_("partner to resolve by"), null=True, blank=True)
    partner_resolved_at = models.DateTimeField(_("resolved by the partner body"), null=True, blank=True)
    partner_overdue = models.BooleanField(_("partner resolution overdue"), default=False)
    partner_reminded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True)
                | Q(occurred_at__gte=OCCURRED_AT_RANGE[0], occurred_at__lt=OCCURRED_AT_RANGE[1]),
                name="report_occurred_at_range",
                violation_error_message=_("The time of occurrence must lie between 1970 and 2200."),
            ),
        ]
        indexes = [
            # Deadline sweeps read only what is due: O(due), not O(reports).
            models.Index(
                fields=["take_up_due_at"],
                name="report_take_up_due",
                condition=Q(status="new", take_up_overdue=False),
            ),
            models.Index(
                fields=["take_up_due_at"],
                name="report_take_up_remind",
                condition=Q(status="new", take_up_reminded=False),
            ),
            models.Index(
                fields=["verify_due_at"],
                name="report_verify_due",
                condition=Q(status="verifying", verify_overdue=False),
            ),
            models.Index(
                fields=["verify_due_at"],
                name="report_verify_remind",
                condition=Q(status="verifying", verify_reminded=False),
            ),
            models.Index(
                fields=["partner_due_at"],
                name="report_partner_due",
                condition=Q(status="handed_over", partner_overdue=False),
            ),
            models.Index(
                fields=["partner_due_at"],
                name="report_partner_remind",
                condition=Q(status="handed_over", partner_reminded=False),
            ),
            # Queues: a district's / unit's open reports, nearest deadline first; the partial index keeps the
            # queue independent of the (mostly closed) history
            models.Index(
                fields=["due_at"],
                name="report_open_due",
                condition=Q(status__in=["new", "verifying", "confirmed"]),
            ),
            models.Index(fields=["district", "due_at"], name="report_district_due"),
            models.Index(fields=["police_unit", "due_at"], name="report_unit_due"),
            # Public map and statistics: recent reports; abuse control per client and category
            models.Index(fields=["created_at"], name="report_created"),
            models.Index(fields=["ip_hash", "category", "created_at"], name="report_rate_limit"),
            # Officer queue (selectors.staff_queue): the open reports of an officer or of their districts,
            # counted for the pager from two small partial indexes
            models.Index(
                fields=["assignee"],
                name="report_open_assignee",
                condition=Q(status__in=["new", "verifying", "confirmed"]),
            ),
            models.Index(
                fields=["district"],
                name="report_open_district",
                condition=Q(status__in=["new", "verifying", "confirmed"]),
            ),
            # Coordinator dashboard (selectors.dashboard): a unit's overdue lists and unassigned queue read
            # in order from small partial indexes; the period's figures from the index alone (no table rows)
            models.Index(
                fields=["police_unit", "take_up_due_at", "id"],
                name="report_unit_new_due",
                condition=Q(status="new"),
            ),
            models.Index(
                fields=["police_unit", "verify_due_at", "id"],
                name="report_unit_verifying_due",
                condition=Q(status="verifying"),
            ),
            models.Index(
                fields=["police_unit", "due_at", "created_at", "id"],
                name="report_unit_unassigned",
                condition=Q(status__in=["new", "verifying", "confirmed"])
                & (Q(district__isnull=True) | Q(assignee__isnull=True)),
            ),
            models.Index(
                fields=[
                    "police_unit",
                    "created_at",
                    "district",
                    "assignee",
                    "take_up_due_at",
                    "taken_up_at",
                    "verify_due_at",
                    "verified_at",
                ],
                name="report_unit_period",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        """Being worked on: by the police, or by the partner body it was handed over to until it resolves."""
        return self.status in OPEN_STATUSES or (
            self.status == Status.HANDED_OVER and self.partner_resolved_at is None
        )


def _attachment_path(instance, filename: str) -> str:
    return f"reports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    """A photo (re-encoded, EXIF and GPS stripped) or a PDF attached to a report. Police only."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    # A photo's small JPEG for the report page (``portal.uploads.photo_thumbnail``); made at upload, or on
    # the first request for photos stored before thumbnails existed. Served like the photo, never as media.
    thumbnail = models.FileField(_("thumbnail"), upload_to=_attachment_path, blank=True, null=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class ReportEvent(models.Model):
    """One entry of a report's timeline: submitted, every transition, overdue marks, reminders."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="report_event_at")]

    def __str__(self) -> str:
        return f"{self.report} {self.action}"


class Support(models.Model):
    """A citizen who saw the same problem and supported an existing report instead of filing a duplicate."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    ip_hash = models.CharField(max_length=64)
    # Optional: the supporter hears of every change of status like the reporter (without the reporter's
    # private link), each email with an unsubscribe link. Deleted with the support (retention).
    email = models.EmailField(_("supporter's email"), blank=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "ip_hash"], name="support_once_per_client")]


class ApiKey(models.Model):
    """A client application allowed to use the Open311 GeoReport v2 API (``incidents/open311``). Only the
    SHA-256 of the key is kept; its first characters (the prefix) stay readable to tell keys apart."""

    name = models.CharField(_("client application"), max_length=120)
    contact_email = models.EmailField(_("contact email"), blank=True)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    rate_limit_per_hour = models.PositiveIntegerField(
        _("requests per hour"), default=600, help_text=_("0 means no limit.")
    )
    staff = models.BooleanField(
        _("may read police-only fields"),
        default=False,
        help_text=_("The description of reports and person-related categories. Never contact data."),
    )
    police_unit = models.ForeignKey(
        PoliceUnit,
        verbose_name=_("restricted to jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RateCounter(models.Model):
    """Abuse limits that hold across processes and without Redis (``services.rate_counter_*``): a count per
    (scope, key, fixed window), changed only by single UPDATE statements. Rows hold only salted IP hashes and
    api key ids; a retention policy deletes them a few days after their window."""

    class Scope(models.TextChoices):
        FORM_FAILURES = "form_failures", _("failed report forms of a client per hour")
        API_KEY = "api_key", _("Open311 requests of an api key per hour")
        LOOKUP = "lookup", _("report look-ups by reference and email of a client per hour")
        ALERT_EMAIL = "alert_email", _("alert subscriptions of an address per day")
        ALERT_CLIENT = "alert_client", _("alert subscriptions of a client per day")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)  # a salted IP hash, or an api key's id
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="rate_counter_once"),
        ]
        indexes = [models.Index(fields=["updated_at"], name="rate_counter_updated")]  # retention

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:12]}@{self.window_start:%Y-%m-%d %H:%M} = {self.count}"


class MapCell(models.Model):
    """The public map's clusters, counted ahead (``incidents.map_cells``): the public reports of the last
    ``period`` days in one grid cell of a zoom ``level``. Kept current by the submission and the workflow,
    aged by a beat task; never shown row by row."""

    level = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()  # days
    cx = models.IntegerField()
    cy = models.IntegerField()
    n = models.IntegerField(default=0)
    sx = models.FloatField(default=0.0)  # sums of the longitudes and latitudes (mean position = sx / n)
    sy = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "period", "cx", "cy"], name="map_cell_once"),
        ]

    def __str__(self) -> str:
        return f"z{self.level} {self.period}d ({self.cx}, {self.cy}): {self.n}"


class MapCellState(models.Model):
    """The one row saying the cells are built and up to which moment reports have aged out of them."""

    aged_until = models.DateTimeField()
    built_at = models.DateTimeField()
    public_categories = models.CharField(max_length=1000, blank=True)  # the public category ids built with

    def __str__(self) -> str:
        return f"map cells aged until {self.aged_until:%Y-%m-%d %H:%M:%S}"


from .models_alerts import (  # noqa: E402, F401
    EVENT_OF_ACTION,
    Alert,
    AlertCursor,
    AlertDelivery,
    AlertEvent,
    AreaWarning,
)
