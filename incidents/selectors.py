"""Reads of the incidents app."""

import hashlib
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point, Polygon
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Floor, Left, TruncMonth
from django.utils import timezone

from portal import roles
from portal.models import Municipality, PartnerBody, PoliceUnit
from portal.roles import role_names
from portal.web import absolute_reverse

from .models import Category, District, Report
from .workflow import OPEN_STATUSES, Status

NEARBY_METRES = 150


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_by_token(token: str) -> Report | None:
    """The report a citizen's tracking token belongs to (only the token's hash is kept)."""
    return Report.objects.filter(token_hash=token_hash(token)).select_related("category").first()


def tracking_url(token: str) -> str:
    return absolute_reverse("incidents:track", token)


def staff_url(report: Report) -> str:
    return absolute_reverse("incidents:staff_report", report.pk)


def categories_active_grouped() -> list[tuple[str, list[Category]]]:
    """Active categories grouped for the report form: [(group label, [category, …]), …]."""
    categories = Category.objects.filter(active=True).order_by("group", "sort_order", "code")
    labels = dict(Category.Group.choices)
    return [(labels[group], list(items)) for group, items in groupby(categories, key=lambda c: c.group)]


# --- places ---------------------------------------------------------------------------------------------


def district_at(*, point: Point) -> District | None:
    return (
        District.objects.filter(active=True, area__intersects=point)
        .select_related("police_unit")
        .order_by("pk")
        .first()
    )


def municipality_at(*, point: Point) -> Municipality | None:
    return Municipality.objects.filter(boundary__intersects=point).order_by("pk").first()


def places_search(*, query: str, limit: int = 8) -> list[dict]:
    """Served municipalities and active districts whose name contains ``query`` (names that start with it
    first), each with a point inside it to move the report form's map to. Two queries."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    query = (query or "").strip()[:80]
    if len(query) < 2:
        return []
    municipalities = (
        Municipality.objects.filter(name__icontains=query, police_units__isnull=False)
        .exclude(boundary=None)
        .annotate(inside=PointOnSurface("boundary"))
        .distinct()
        .order_by("name", "pk")
        .values_list("name", "district_name", "inside")[: limit * 3]
    )
    districts = (
        District.objects.filter(name__icontains=query, active=True)
        .annotate(inside=PointOnSurface("area"))
        .order_by("name", "pk")
        .values_list("name", "municipality__name", "inside")[: limit * 3]
    )
    places = [
        {"name": name, "detail": detail or "", "kind": kind, "lat": round(p.y, 6), "lon": round(p.x, 6)}
        for kind, rows in (("municipality", municipalities), ("district", districts))
        for name, detail, p in rows
        if p is not None
    ]
    lowered = query.lower()
    places.sort(key=lambda p: (not p["name"].lower().startswith(lowered), p["kind"] != "municipality"))
    return places[:limit]


def served_extent(*, country: str | None = None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the municipalities a police unit serves, for the report form's map."""
    from django.contrib.gis.db.models import Extent

    qs = Municipality.objects.filter(police_units__isnull=False).exclude(boundary=None)
    if country:
        qs = qs.filter(country=country)
    return qs.aggregate(extent=Extent("boundary"))["extent"]


def police_unit_serving(*, municipality: Municipality) -> PoliceUnit | None:
    return PoliceUnit.objects.filter(municipalities=municipality).order_by("pk").first()


def district_default_officer(*, district: District):
    """The district's first responsible officer (by id), or None: the unit's coordinators then pick it up."""
    return district.officers.filter(is_active=True).order_by("pk").first()


def _metres_to_degrees(point: Point, metres: float) -> tuple[float, float]:
    lat = metres / 111_320
    lon = metres / (111_320 * max(math.cos(math.radians(point.y)), 0.01))
    return lon, lat


def haversine_m(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def reports_nearby(*, category: Category, point: Point, metres: float = NEARBY_METRES) -> list[Report]:
    """Open reports of the same category within ``metres``, nearest first. A bounding box query (spatial
    index) then the exact great-circle distance, so it works the same on SpatiaLite and PostGIS."""
    dlon, dlat = _metres_to_degrees(point, metres)
    box = Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))
    box.srid = 4326
    candidates = Report.objects.filter(
        category=category, status__in=OPEN_STATUSES, point__intersects=box
    ).select_related("category")[:50]
    near = [(haversine_m(point, r.point), r) for r in candidates]
    return [r for d, r in sorted(near, key=lambda x: x[0]) if d <= metres]


# --- people ---------------------------------------------------------------------------------------------


def report_officers(*, report: Report) -> list:
    if report.assignee_id:
        return [report.assignee]
    if report.district_id:
        return list(report.district.officers.filter(is_active=True))
    return []


def unit_coordinators(*, police_unit: PoliceUnit | None) -> list:
    if police_unit is None:
        return []
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.COORDINATOR, profile__police_unit=police_unit, is_active=True)
        .distinct()
    )


def report_police_many(reports, *, coordinators: bool) -> dict[int, list]:
    """pk → the police to tell about each report, with a constant number of queries for any number of
    reports: its assignee, else its district's active officers; plus its unit's coordinators when
    ``coordinators`` or when nobody else is responsible (an unassigned report is the coordinators' queue)."""
    User = get_user_model()
    reports = list(reports)
    assignee_ids = {r.assignee_id for r in reports if r.assignee_id}
    district_ids = {r.district_id for r in reports if r.district_id and not r.assignee_id}
    unit_ids = {r.police_unit_id for r in reports if r.police_unit_id}
    users = {
        u.pk: u for u in User.objects.filter(pk__in=assignee_ids, is_active=True).select_related("profile")
    }
    by_district: dict[int, list] = {}
    if district_ids:
        links = District.officers.through.objects.filter(district_id__in=district_ids, user__is_active=True)
        for link in links.select_related("user__profile").order_by("user_id"):
            by_district.setdefault(link.district_id, []).append(link.user)
    by_unit: dict[int, list] = {}
    if unit_ids:
        coordinators_qs = (
            User.objects.filter(
                groups__name=roles.COORDINATOR, profile__police_unit__in=unit_ids, is_active=True
            )
            .select_related("profile")
            .distinct()
            .order_by("pk")
        )
        for user in coordinators_qs:
            by_unit.setdefault(user.profile.police_unit_id, []).append(user)
    result = {}
    for report in reports:
        if report.assignee_id:
            people = [users[report.assignee_id]] if report.assignee_id in users else []
        else:
            people = list(by_district.get(report.district_id, []))
        if coordinators or not people:
            people += by_unit.get(report.police_unit_id, [])
        result[report.pk] = people
    return result


def partner_body_staff(*, partner_body: PartnerBody) -> list:
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.PARTNER_BODY, profile__partner_body=partner_body, is_active=True)
        .distinct()
    )


# --- staff queues ---------------------------------------------------------------------------------------


def reports_for_staff(user) -> QuerySet[Report]:
    """The reports ``user`` works on: an officer's districts and assignments, a coordinator's whole unit, a
    partner body's handed-over reports."""
    names = role_names(user)
    profile = getattr(user, "profile", None)
    q = Q(pk__in=[])
    if roles.OFFICER in names:
        # The officer's districts are read first (one small query), so the filter is a plain IN list served by
        # the indexes on district and assignee; a subquery made PostgreSQL scan all reports at 1 M rows.
        district_ids = list(District.objects.filter(officers=user).values_list("pk", flat=True))
        q |= Q(assignee=user) | Q(district_id__in=district_ids)
    if roles.COORDINATOR in names and profile and profile.police_unit_id:
        q |= Q(police_unit_id=profile.police_unit_id)
    if roles.PARTNER_BODY in names and profile and profile.partner_body_id:
        q |= Q(partner_body_id=profile.partner_body_id)
    if user.is_superuser:
        q = Q()
    return Report.objects.filter(q)


def staff_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    district: int | None = None,
    open_only: bool = True,
    overdue_only: bool = False,
    now: datetime | None = None,
) -> QuerySet[Report]:
    """The officer queue: nearest deadline first, overdue ones on top. Constant queries per page.

    "Open" is the police's open statuses, and for partner body staff also what was handed over to them."""
    qs = reports_for_staff(user).select_related("category", "district", "assignee", "municipality")
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        open_q = Q(status__in=OPEN_STATUSES)
        profile = getattr(user, "profile", None)
        if roles.PARTNER_BODY in role_names(user) and profile and profile.partner_body_id:
            open_q |= Q(status=Status.HANDED_OVER, partner_body_id=profile.partner_body_id)
        qs = qs.filter(open_q)
    if category:
        qs = qs.filter(category__code=category)
    if district:
        qs = qs.filter(district_id=district)
    if overdue_only:
        qs = qs.filter(due_at__lt=now or timezone.now())
    # Same order on SQLite and PostgreSQL: reports without a deadline last
    return qs.order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")


def report_timeline(*, report: Report, public: bool) -> QuerySet:
    events = report.events.select_related("actor")
    if public:
        events = events.exclude(action__in=["supported", "take_up_reminder", "verify_reminder"])
    return events


# --- public map -----------------------------------------------------------------------------------------

PUBLIC_PERIOD_DAYS = 90


def public_reports(
    *,
    since: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> QuerySet[Report]:
    """Reports the public may see: public categories only, the last 90 days at most."""
    now = timezone.now()
    earliest = now - timedelta(days=PUBLIC_PERIOD_DAYS)
    since = max(since, earliest) if since else earliest
    qs = Report.objects.filter(category__public=True, created_at__gte=since)
    if category:
        qs = qs.filter(category__code=category)
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(district_id=district)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if bbox:
        box = Polygon.from_bbox(bbox)
        box.srid = 4326
        qs = qs.filter(point__intersects=box)
    return qs


# --- staff pages: the report page, filters, the coordinator dashboard -----------------------------------


def staff_report(*, pk: int) -> Report | None:
    """A report with everything its staff page shows: one query, plus one for the attachments."""
    return (
        Report.objects.select_related(
            "category", "district", "assignee__profile", "municipality", "partner_body", "police_unit"
        )
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )


def staff_attachment(*, pk: int):
    from .models import Attachment

    return Attachment.objects.select_related("report__district").filter(pk=pk).first()


def staff_timeline(*, report: Report, police: bool, partner_body_id: int | None = None) -> list:
    """The report's timeline for a staff member. Police see everything, internal notes included. Partner body
    staff see the public answers, the note the police handed the report over to their body with, and their
    body's own answers; the police's internal reminders are left out for them."""
    events = list(report.events.select_related("actor__profile").order_by("at", "id"))
    visible = []
    for event in events:
        event.note_visible = ""
        if police:
            event.note_visible = event.internal_note
        else:
            if event.action in ("take_up_reminder", "verify_reminder"):
                continue
            handed_to_us = event.action == "hand_over" and event.data.get("partner_body") == partner_body_id
            actor_body = getattr(getattr(event.actor, "profile", None), "partner_body_id", None)
            ours = event.action == "partner_answer" and partner_body_id and actor_body == partner_body_id
            if handed_to_us or ours:
                event.note_visible = event.internal_note
        visible.append(event)
    return visible


def staff_districts(user) -> QuerySet[District]:
    """The districts a staff member may filter the queue by."""
    names = role_names(user)
    profile = getattr(user, "profile", None)
    if user.is_superuser:
        return District.objects.all()
    q = Q(pk__in=[])
    if roles.OFFICER in names:
        q |= Q(officers=user)
    if roles.COORDINATOR in names and profile and profile.police_unit_id:
        q |= Q(police_unit_id=profile.police_unit_id)
    if roles.PARTNER_BODY in names and profile and profile.partner_body_id:
        q |= Q(reports__partner_body_id=profile.partner_body_id)
    return District.objects.filter(pk__in=District.objects.filter(q).values("pk"))


def unit_officers(*, police_unit: PoliceUnit | None) -> QuerySet:
    """The active officers of a police unit (by their profile), for reassigning reports."""
    if police_unit is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            pk__in=get_user_model()
            .objects.filter(groups__name=roles.OFFICER, profile__police_unit=police_unit, is_active=True)
            .values("pk")
        )
        .select_related("profile")
        .order_by("email")
    )


def unit_districts(*, police_unit: PoliceUnit | None) -> QuerySet[District]:
    if police_unit is None:
        return District.objects.none()
    return District.objects.filter(police_unit=police_unit, active=True).order_by("name")


def partner_bodies_for(*, report: Report) -> QuerySet[PartnerBody]:
    """Bodies a report can be handed over to: those of the towns its police unit serves, of the report's own
    town, and bodies not tied to a town."""
    q = Q(municipality__isnull=True)
    if report.police_unit_id:
        q |= Q(municipality__police_units=report.police_unit_id)
    if report.municipality_id:
        q |= Q(municipality_id=report.municipality_id)
    return PartnerBody.objects.filter(pk__in=PartnerBody.objects.filter(q).values("pk")).order_by("name")


def person_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile else "") or user.email


@dataclass
class DeadlineStats:
    """How one district, officer or the whole unit kept the KMZB deadlines for the reports of a period.

    A report counts for a deadline once it is decided: met (taken up / verified) or passed. Reports still
    within their window count neither way."""

    key: object
    label: str
    reports: int = 0
    take_up_decided: int = 0
    take_up_on_time: int = 0
    verify_decided: int = 0
    verify_on_time: int = 0
    take_up_hours: list = field(default_factory=list)
    verify_hours: list = field(default_factory=list)

    def add(self, row: dict, now: datetime) -> None:
        self.reports += 1
        taken, due = row["taken_up_at"], row["take_up_due_at"]
        if taken is not None:
            self.take_up_decided += 1
            self.take_up_on_time += taken <= due
            self.take_up_hours.append((taken - row["created_at"]).total_seconds() / 3600)
        elif due <= now:
            self.take_up_decided += 1
        verified, verify_due = row["verified_at"], row["verify_due_at"]
        if verified is not None and taken is not None:
            self.verify_decided += 1
            self.verify_on_time += verify_due is None or verified <= verify_due
            self.verify_hours.append((verified - taken).total_seconds() / 3600)
        elif verify_due is not None and verify_due <= now:
            self.verify_decided += 1

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def take_up_share(self) -> float | None:
        return self._share(self.take_up_on_time, self.take_up_decided)

    @property
    def verify_share(self) -> float | None:
        return self._share(self.verify_on_time, self.verify_decided)

    @property
    def take_up_median(self) -> float | None:
        return round(statistics.median(self.take_up_hours), 1) if self.take_up_hours else None

    @property
    def verify_median(self) -> float | None:
        return round(statistics.median(self.verify_hours), 1) if self.verify_hours else None


@dataclass
class UnitDashboard:
    police_unit: PoliceUnit
    since: datetime
    until: datetime
    total: DeadlineStats
    districts: list[DeadlineStats]
    officers: list[DeadlineStats]
    overdue_take_up: list[Report]
    overdue_take_up_count: int
    overdue_verify: list[Report]
    overdue_verify_count: int
    unassigned: list[Report]
    unassigned_count: int


DASHBOARD_LIST_LIMIT = 50


def unit_dashboard(
    *, police_unit: PoliceUnit, since: datetime, until: datetime, now: datetime | None = None
) -> UnitDashboard:
    """The coordinator's numbers for the reports submitted in [since, until), per district and per officer,
    plus the current overdue lists and the unassigned queue. A constant number of queries: the per-row
    figures are computed from one narrow read of the period's reports (medians are not portable SQL)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    rows = list(
        Report.objects.filter(police_unit=police_unit, created_at__gte=since, created_at__lt=until).values(
            "district_id",
            "assignee_id",
            "created_at",
            "take_up_due_at",
            "taken_up_at",
            "verify_due_at",
            "verified_at",
        )
    )
    district_ids = {row["district_id"] for row in rows if row["district_id"]}
    districts = {
        d.pk: DeadlineStats(key=d, label=d.name)
        for d in District.objects.filter(Q(police_unit=police_unit, active=True) | Q(pk__in=district_ids))
    }
    assignee_ids = {row["assignee_id"] for row in rows if row["assignee_id"]}
    officers = {
        user.pk: DeadlineStats(key=user, label=person_name(user))
        for user in get_user_model()
        .objects.filter(
            Q(pk__in=assignee_ids) | Q(pk__in=unit_officers(police_unit=police_unit).values("pk"))
        )
        .select_related("profile")
    }
    total = DeadlineStats(key=None, label=_("Whole unit"))
    no_district = DeadlineStats(key=None, label=_("Outside every district"))
    no_officer = DeadlineStats(key=None, label=_("No officer assigned"))
    for row in rows:
        total.add(row, now)
        (districts.get(row["district_id"]) or no_district).add(row, now)
        (officers.get(row["assignee_id"]) or no_officer).add(row, now)
    district_rows = sorted(districts.values(), key=lambda s: s.label.lower())
    if no_district.reports:
        district_rows.append(no_district)
    officer_rows = sorted(officers.values(), key=lambda s: s.label.lower())
    if no_officer.reports:
        officer_rows.append(no_officer)

    base = Report.objects.filter(police_unit=police_unit).select_related(
        "category", "district", "assignee__profile", "municipality"
    )
    overdue_take_up = base.filter(status=Status.NEW, take_up_due_at__lt=now).order_by("take_up_due_at", "pk")
    overdue_verify = base.filter(status=Status.VERIFYING, verify_due_at__lt=now).order_by(
        "verify_due_at", "pk"
    )
    unassigned = base.filter(
        Q(district__isnull=True) | Q(assignee__isnull=True), status__in=OPEN_STATUSES
    ).order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")
    return UnitDashboard(
        police_unit=police_unit,
        since=since,
        until=until,
        total=total,
        districts=district_rows,
        officers=officer_rows,
        overdue_take_up=list(overdue_take_up[:DASHBOARD_LIST_LIMIT]),
        overdue_take_up_count=overdue_take_up.count(),
        overdue_verify=list(overdue_verify[:DASHBOARD_LIST_LIMIT]),
        overdue_verify_count=overdue_verify.count(),
        unassigned=list(unassigned[:DASHBOARD_LIST_LIMIT]),
        unassigned_count=unassigned.count(),
    )


# --- public map and statistics (views/public_map.py) ---------------------------------------------------
# The public sees public categories only, and of a report only: its reference, category, place, status, the
# date it was submitted and the public answer. Never the description, the attachments or the reporter.

MAP_FEATURE_LIMIT = 500  # more public reports than this in the viewed box: the map gets clusters instead
MAP_CLUSTER_PIXELS = 80  # a server-side cluster covers about this many screen pixels
MAP_MAX_CELLS_ACROSS = 64  # whatever zoom a client claims: at most 64 × 64 clusters per answer
MAP_ANSWER_CHARS = 300  # the popup shows the public answer up to this length
STATS_MAX_DAYS = 366
STATS_CACHE_SECONDS = 300
PUBLIC_CHOICES_CACHE_SECONDS = 600
PUBLIC_TOWNS_CACHE_KEY = "incidents:public-towns:v1"
VERIFIED_STATUSES = (
    Status.CONFIRMED,
    Status.NOT_CONFIRMED,
    Status.JOKE_OR_MISTAKE,
    Status.ELIMINATED,
    Status.HANDED_OVER,
)
CONFIRMED_STATUSES = (Status.CONFIRMED, Status.ELIMINATED, Status.HANDED_OVER)
_PUBLIC_FIELDS = (
    "reference",
    "status",
    "created_at",
    "public_answer",
    "category__code",
    "category__group",
    "category__name_cs",
    "category__name_pl",
    "category__name_en",
    "category__name_nb",
    "district__name",
    "municipality__name",
)


class StX(Func):
    """The longitude of a point: ST_X has the same name on SpatiaLite and PostGIS."""

    function = "ST_X"
    output_field = FloatField()


class StY(StX):
    function = "ST_Y"


class _Epoch(Func):
    """Seconds of a PostgreSQL interval, as a double (EXTRACT gives a slower numeric)."""

    template = "DATE_PART('epoch', %(expressions)s)"
    output_field = FloatField()


def public_reports_in_period(
    *,
    days: int,
    now: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
) -> QuerySet[Report]:
    """Public reports (public categories only) submitted in the last ``days`` days, at most a year: the
    statistics' set. The map's set is ``public_reports`` (90 days at most)."""
    now = now or timezone.now()
    since = now - timedelta(days=max(1, min(days, STATS_MAX_DAYS)))
    qs = Report.objects.filter(category__public=True, created_at__gte=since, created_at__lte=now)
    if category:
        qs = qs.filter(category__code=category)
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(district_id=district)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    return qs


def public_filter_choices() -> dict[str, list]:
    """Choices of the public map's and statistics' filters: public categories grouped by their group, active
    districts grouped by town, and the towns with public reports (cached). Three queries at most."""
    labels = dict(Category.Group.choices)
    categories = Category.objects.filter(public=True).order_by("group", "sort_order", "code")
    category_choices = [
        (labels.get(group, group), [(c.code, c.name) for c in items])
        for group, items in groupby(categories, key=lambda c: c.group)
    ]
    districts = District.objects.filter(active=True).order_by("municipality__name", "name", "pk")
    district_choices = [
        (town or "—", [(pk, name) for pk, name, _town in items])
        for town, items in groupby(
            districts.values_list("pk", "name", "municipality__name"), key=lambda row: row[2]
        )
    ]
    towns = cache.get(PUBLIC_TOWNS_CACHE_KEY)
    if towns is None:
        # Only towns with public reports of the last year: a list of every served village would be long and
        # mostly empty. One pass over the year's reports, kept in the cache for a few minutes.
        with_reports = (
            Report.objects.filter(
                category__public=True, created_at__gte=timezone.now() - timedelta(days=STATS_MAX_DAYS)
            )
            .order_by()
            .values("municipality_id")
        )
        towns = list(
            Municipality.objects.filter(pk__in=with_reports)
            .order_by("name", "district_name", "pk")
            .values_list("pk", "name", "district_name")
        )
        cache.set(PUBLIC_TOWNS_CACHE_KEY, towns, PUBLIC_CHOICES_CACHE_SECONDS)
    names = [name for _pk, name, _district in towns]
    town_choices = [
        (pk, f"{name} ({district})" if district and names.count(name) > 1 else name)
        for pk, name, district in towns
    ]
    return {"categories": category_choices, "districts": district_choices, "municipalities": town_choices}


def public_map_extent(
    *, district: int | None = None, municipality: int | None = None, country: str | None = None
) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) the map opens on: the chosen district or town, else the served area."""
    from django.contrib.gis.db.models import Extent

    if district:
        return District.objects.filter(pk=district).aggregate(extent=Extent("area"))["extent"]
    if municipality:
        return Municipality.objects.filter(pk=municipality).aggregate(extent=Extent("boundary"))["extent"]
    key = f"incidents:served-extent:v1:{country or ''}"
    extent = cache.get(key)
    if extent is None:  # the union of hundreds of detailed boundaries: worth keeping for a while
        extent = served_extent(country=country)
        cache.set(key, extent, PUBLIC_CHOICES_CACHE_SECONDS)
    return extent


def public_report_page(*, reports: QuerySet[Report], page: int, per_page: int) -> tuple[list[Report], bool]:
    """One page of ``reports``, newest first, with only their public fields loaded, and whether another
    page follows. One query, and no COUNT over a million rows."""
    offset = (max(page, 1) - 1) * per_page
    rows = list(
        reports.select_related("category", "district", "municipality")
        .only(*_PUBLIC_FIELDS)
        .order_by("-created_at", "-pk")[offset : offset + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


def map_cluster_cell(*, bbox: tuple[float, float, float, float], zoom: int | None) -> float:
    """The side (degrees) of the grid cells server-side clusters gather: about MAP_CLUSTER_PIXELS at the
    map's zoom, never so small that the box holds more than MAP_MAX_CELLS_ACROSS cells across."""
    west, south, east, north = bbox
    span = max(east - west, north - south)
    cell = span / 12 if zoom is None else MAP_CLUSTER_PIXELS * 360 / (256 * 2**zoom)
    return max(cell, span / MAP_MAX_CELLS_ACROSS, 1e-6)


def public_map_features(*, reports: QuerySet[Report], limit: int | None = None) -> list[dict] | None:
    """The public fields of ``reports`` for the map, or None when there are more than ``limit`` (then the
    map shows clusters). One query that stops after limit + 1 rows."""
    limit = MAP_FEATURE_LIMIT if limit is None else limit
    rows = list(
        reports.order_by()
        .annotate(lon=StX("point"), lat=StY("point"), answer=Left("public_answer", MAP_ANSWER_CHARS + 1))
        .values("reference", "status", "created_at", "category__code", "lon", "lat", "answer")[: limit + 1]
    )
    return None if len(rows) > limit else rows


def public_map_clusters(*, reports: QuerySet[Report], cell: float) -> list[dict]:
    """``reports`` gathered by the database on a grid of ``cell`` degrees: per cell the number of reports and
    their mean position. The same SQL (ST_X, ST_Y, FLOOR) runs on SpatiaLite and PostGIS."""
    return list(
        reports.order_by()
        .annotate(cell_x=Floor(StX("point") / cell), cell_y=Floor(StY("point") / cell))
        .values("cell_x", "cell_y")
        .annotate(count=Count("pk"), lon=Avg(StX("point")), lat=Avg(StY("point")))
        .order_by("cell_x", "cell_y")
    )


MEDIAN_BUCKET_SECONDS = 360  # PostgreSQL's medians are exact to 6 minutes (0.1 h, what the pages show)


def _median_of_histogram(histogram: dict[int, int]) -> timedelta | None:
    """The median of values given as {bucket: count} (bucket × MEDIAN_BUCKET_SECONDS seconds)."""
    total = sum(histogram.values())
    if not total:
        return None
    positions = sorted({(total - 1) // 2, total // 2})  # the middle value, or the middle two
    middle, seen = [], 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        while positions and positions[0] < seen:
            middle.append(bucket)
            positions.pop(0)
    return timedelta(seconds=MEDIAN_BUCKET_SECONDS * sum(middle) / len(middle))


def report_median_times(
    *, reports: QuerySet[Report], by_district: bool = False
) -> dict[int | str | None, tuple[timedelta | None, timedelta | None]]:
    """Median time from submission to take-up and from take-up to verification: for all ``reports`` (key
    "all") and, with ``by_district``, per district id (None: outside every district).

    PostgreSQL counts the durations per district in 6-minute buckets (two hash aggregations, no sort of a
    million rows) and the medians come out of these histograms, overall and per district alike. SpatiaLite
    has no such arithmetic on timestamps: one narrow read of the taken-up reports' three timestamps feeds
    Python's ``statistics.median``."""
    if connection.vendor == "postgresql":
        base = reports.order_by().filter(taken_up_at__isnull=False)
        histograms: dict = {}
        for index, (start, end) in enumerate((("created_at", "taken_up_at"), ("taken_up_at", "verified_at"))):
            bucket = Floor(_Epoch(F(end) - F(start)) / MEDIAN_BUCKET_SECONDS + 0.5)
            rows = (
                base.filter(**{f"{end}__isnull": False})
                .annotate(bucket=bucket)
                .values_list("district_id", "bucket")
                .annotate(n=Count("pk"))
            )
            for district_id, value, n in rows:
                for key in ("all", district_id) if by_district else ("all",):
                    histogram = histograms.setdefault(key, ({}, {}))[index]
                    histogram[int(value)] = histogram.get(int(value), 0) + n
        histograms.setdefault("all", ({}, {}))
        return {
            key: (_median_of_histogram(take_up), _median_of_histogram(verify))
            for key, (take_up, verify) in histograms.items()
        }

    def seconds(value) -> timedelta | None:
        return None if value is None else timedelta(seconds=round(value))

    groups: dict = {"all": ([], [])}
    rows = (
        reports.order_by()
        .filter(taken_up_at__isnull=False)
        .values_list("district_id", "created_at", "taken_up_at", "verified_at")
    )
    for district_id, created, taken, verified in rows.iterator(chunk_size=5000):
        keys = ("all", district_id) if by_district else ("all",)
        for key in keys:
            take_ups, verifies = groups.setdefault(key, ([], []))
            take_ups.append((taken - created).total_seconds())
            if verified is not None:
                verifies.append((verified - taken).total_seconds())
    return {
        key: tuple(seconds(statistics.median(values)) if values else None for values in pair)
        for key, pair in groups.items()
    }


@dataclass
class PublicDistrictStats:
    district_id: int | None
    name: str
    municipality: str
    total: int = 0
    verified: int = 0
    confirmed: int = 0
    take_up_median: timedelta | None = None
    verify_median: timedelta | None = None

    @property
    def confirmation_rate(self) -> float | None:
        return self.confirmed / self.verified if self.verified else None


@dataclass
class PublicStats:
    since: datetime
    until: datetime
    total: int
    by_status: list[tuple[str, int]]  # every status in workflow order
    by_category: list[tuple[Category, int]]  # most reported first
    by_month: list[tuple[datetime, int]]  # every month of the period, oldest first
    districts: list[PublicDistrictStats]  # by name; "outside every district" (id None) last
    verified: int
    confirmed: int
    take_up_median: timedelta | None
    verify_median: timedelta | None

    @property
    def confirmation_rate(self) -> float | None:
        """Confirmed (also eliminated or handed over) among the verified reports, 0–1."""
        return self.confirmed / self.verified if self.verified else None


def public_stats(
    *,
    days: int,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
    now: datetime | None = None,
) -> PublicStats:
    """The public statistics of the reports of the last ``days`` days (at most a year): by status, category,
    month and district, the confirmation rate and the median times. Counting happens in the database; a
    constant number of queries whatever the number of reports."""
    now = now or timezone.now()
    days = max(1, min(days, STATS_MAX_DAYS))
    reports = public_reports_in_period(
        days=days, now=now, category=category, status=status, district=district, municipality=municipality
    ).order_by()
    # One pass counts by status, category and district together; the three breakdowns are sums of it.
    statuses: dict = {}
    per_category: dict = {}
    per_district: dict = {}
    counts = reports.values_list("status", "category_id", "district_id").annotate(n=Count("pk"))
    for code, category_id, district_id, n in counts:
        statuses[code] = statuses.get(code, 0) + n
        per_category[category_id] = per_category.get(category_id, 0) + n
        entry = per_district.setdefault(district_id, [0, 0, 0])
        entry[0] += n
        entry[1] += n if code in VERIFIED_STATUSES else 0
        entry[2] += n if code in CONFIRMED_STATUSES else 0
    by_status = [(code, statuses.get(code, 0)) for code in Status.values]
    categories = Category.objects.filter(pk__in=list(per_category)) if per_category else []
    by_category = sorted(
        ((c, per_category[c.pk]) for c in categories), key=lambda item: (-item[1], item[0].code)
    )

    months = reports.annotate(month=TruncMonth("created_at")).values_list("month").annotate(n=Count("pk"))
    per_month = {(month.year, month.month): n for month, n in months if month is not None}
    month = timezone.localtime(now - timedelta(days=days))
    month = month.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = timezone.localtime(now)
    by_month = []
    while (month.year, month.month) <= (last.year, last.month):
        by_month.append((month, per_month.get((month.year, month.month), 0)))
        month = (month + timedelta(days=32)).replace(day=1)

    medians = report_median_times(reports=reports, by_district=True)
    names = {
        pk: (name, town or "")
        for pk, name, town in District.objects.filter(pk__in=[pk for pk in per_district if pk]).values_list(
            "pk", "name", "municipality__name"
        )
    }
    districts = []
    for district_id, (total, verified, confirmed) in per_district.items():
        name, town = names.get(district_id, ("", ""))
        take_up, verify = medians.get(district_id, (None, None))
        districts.append(
            PublicDistrictStats(district_id, name, town, total, verified, confirmed, take_up, verify)
        )
    districts.sort(key=lambda d: (d.district_id is None, d.municipality.lower(), d.name.lower()))
    take_up, verify = medians["all"]
    return PublicStats(
        since=now - timedelta(days=days),
        until=now,
        total=sum(statuses.values()),
        by_status=by_status,
        by_category=by_category,
        by_month=by_month,
        districts=districts,
        verified=sum(statuses.get(code, 0) for code in VERIFIED_STATUSES),
        confirmed=sum(statuses.get(code, 0) for code in CONFIRMED_STATUSES),
        take_up_median=take_up,
        verify_median=verify,
    )


def public_stats_cached(
    *,
    days: int,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
) -> PublicStats:
    """``public_stats`` kept in the cache for a few minutes: a year of a region's reports is counted once per
    filter combination, not on every visit. The cached numbers hold no translated text."""
    key = ":".join(
        str(part or "")
        for part in ("incidents:public-stats:v1", days, category, status, district, municipality)
    )
    stats = cache.get(key)
    if stats is None:
        stats = public_stats(
            days=days, category=category, status=status, district=district, municipality=municipality
        )
        cache.set(key, stats, STATS_CACHE_SECONDS)
    return stats


# --- for other apps (projects/: a town's figures and districts) ------------------------------------------


def report_counts_for_municipality(*, municipality: Municipality, since: datetime) -> list[dict]:
    """A town's reports since ``since`` counted by category and status, public categories only (what a grant
    proposal may cite as evidence): [{"code", "group", "names": {language: name}, "total", "by_status"}, …],
    the most frequent category first. One query."""
    rows = (
        Report.objects.filter(municipality=municipality, category__public=True, created_at__gte=since)
        .values(
            "category__code",
            "category__group",
            "category__name_cs",
            "category__name_pl",
            "category__name_en",
            "category__name_nb",
            "status",
        )
        .annotate(n=Count("pk"))
        .order_by("category__code", "status")
    )
    result: dict[str, dict] = {}
    for row in rows:
        entry = result.setdefault(
            row["category__code"],
            {
                "code": row["category__code"],
                "group": row["category__group"],
                "names": {
                    "cs": row["category__name_cs"],
                    "pl": row["category__name_pl"],
                    "en": row["category__name_en"],
                    "nb": row["category__name_nb"] or row["category__name_en"],
                },
                "total": 0,
                "by_status": {},
            },
        )
        entry["total"] += row["n"]
        entry["by_status"][row["status"]] = row["n"]
    return sorted(result.values(), key=lambda entry: (-entry["total"], entry["code"]))


def districts_of_municipalities(*, municipality_ids) -> dict[int, list[District]]:
    """The active districts of these municipalities with their responsible officers (and the officers'
    profiles) prefetched: {municipality id: [district, …]}. Two queries."""
    districts = (
        District.objects.filter(active=True, municipality_id__in=list(municipality_ids))
        .select_related("police_unit")
        .prefetch_related("officers__profile")
        .order_by("name")
    )
    result: dict[int, list[District]] = {}
    for district in districts:
        result.setdefault(district.municipality_id, []).append(district)
    return result
