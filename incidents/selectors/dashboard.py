"""The coordinator dashboard: how a unit, its districts and its officers kept the KMZB deadlines, the
overdue lists and the unassigned queue."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import PoliceUnit

from ..models import OPEN_STATUSES, District, Report, Status
from .people import person_name, unit_officers
from .staff import status_label
from .stats import median

# The most urgent rows of each list; the rest are one click away in the queue, filtered the same way (fifty
# rows per list made rendering them the larger part of the page)
DASHBOARD_LIST_LIMIT = 10


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
    take_up_hours: Counter = field(default_factory=Counter)
    verify_hours: Counter = field(default_factory=Counter)
    # Medians the database computed (PostgreSQL's percentile_cont), in hours; the Counters stay empty then
    take_up_median_hours: float | None = None
    verify_median_hours: float | None = None

    def add(self, row: dict, now: datetime) -> None:
        self.reports += 1
        taken, due = row["taken_up_at"], row["take_up_due_at"]
        if taken is not None:
            self.take_up_decided += 1
            self.take_up_on_time += taken <= due
            self.take_up_hours[(taken - row["created_at"]).total_seconds() / 3600] += 1
        elif due <= now:
            self.take_up_decided += 1
        verified, verify_due = row["verified_at"], row["verify_due_at"]
        if verified is not None and taken is not None:
            self.verify_decided += 1
            self.verify_on_time += verify_due is None or verified <= verify_due
            self.verify_hours[(verified - taken).total_seconds() / 3600] += 1
        elif verify_due is not None and verify_due <= now:
            self.verify_decided += 1

    def merge(self, figures: dict) -> None:
        """Take the figures the database counted (``_counted_in_database``) for this row."""
        for name in ("reports", "take_up_decided", "take_up_on_time", "verify_decided", "verify_on_time"):
            setattr(self, name, getattr(self, name) + figures[name])
        self.take_up_median_hours = figures["take_up_median_hours"]
        self.verify_median_hours = figures["verify_median_hours"]

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @staticmethod
    def _median(hours: Counter, computed: float | None = None) -> float | None:
        middle = median(hours) if hours else computed
        return None if middle is None else round(middle, 1)

    @property
    def take_up_share(self) -> float | None:
        return self._share(self.take_up_on_time, self.take_up_decided)

    @property
    def verify_share(self) -> float | None:
        return self._share(self.verify_on_time, self.verify_decided)

    @property
    def take_up_median(self) -> float | None:
        return self._median(self.take_up_hours, self.take_up_median_hours)

    @property
    def verify_median(self) -> float | None:
        return self._median(self.verify_hours, self.verify_median_hours)


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


def police_units() -> list[PoliceUnit]:
    """Every police unit by name: the units a superuser may look at."""
    return list(PoliceUnit.objects.order_by("name"))


def unit_dashboard(
    *, police_unit: PoliceUnit, since: datetime, until: datetime, now: datetime | None = None
) -> UnitDashboard:
    """The coordinator's numbers for the reports submitted in [since, until), per district and per officer,
    plus the current overdue lists and the unassigned queue. A constant number of queries. On PostgreSQL
    the database counts every figure and median in one pass (``_counted_in_database``); SpatiaLite, which
    has no percentile_cont nor arithmetic on timestamps, counts here from one narrow read of the period's
    reports (the fallback: it grows with the period's reports)."""
    now = now or timezone.now()
    counted = (
        _counted_in_database(police_unit=police_unit, since=since, until=until, now=now)
        if connection.vendor == "postgresql"
        else None
    )
    rows = []
    if counted is None:  # SpatiaLite: one narrow read of the period's reports, counted here
        rows = list(
            Report.objects.filter(
                police_unit=police_unit, created_at__gte=since, created_at__lt=until
            ).values(
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
        assignee_ids = {row["assignee_id"] for row in rows if row["assignee_id"]}
    else:
        district_ids = {key for kind, key in counted if kind == "district" and key}
        assignee_ids = {key for kind, key in counted if kind == "officer" and key}
    districts = {
        d.pk: DeadlineStats(key=d, label=d.name)
        for d in District.objects.filter(
            Q(police_unit=police_unit, active=True) | Q(pk__in=district_ids)
        ).defer("area")
    }
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
    for (kind, key), figures in (counted or {}).items():
        if kind == "total":
            target = total
        elif kind == "district":
            target = districts.get(key) or no_district
        else:
            target = officers.get(key) or no_officer
        target.merge(figures)
    district_rows = sorted(districts.values(), key=lambda s: s.label.lower())
    if no_district.reports:
        district_rows.append(no_district)
    officer_rows = sorted(officers.values(), key=lambda s: s.label.lower())
    if no_officer.reports:
        officer_rows.append(no_officer)

    base = (
        Report.objects.filter(police_unit=police_unit)
        .select_related("category", "district", "assignee__profile", "municipality")
        .defer("district__area", "municipality__boundary")  # the lists show names, not polygons
        .annotate(status_label=status_label())
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


_FIGURES = (
    "reports",
    "take_up_decided",
    "take_up_on_time",
    "verify_decided",
    "verify_on_time",
    "take_up_median_hours",
    "verify_median_hours",
)


def _counted_in_database(
    *, police_unit: PoliceUnit, since: datetime, until: datetime, now: datetime
) -> dict[tuple[str, int | None], dict]:
    """PostgreSQL: ``DeadlineStats.add``'s figures for the whole unit, per district and per officer, in one
    pass over the period's reports (GROUPING SETS; medians by percentile_cont, which interpolates the middle
    two like ``stats.median``). Keys: ("total", None), ("district", id or None), ("officer", id or None)."""
    table = connection.ops.quote_name(Report._meta.db_table)
    sql = f"""
        SELECT GROUPING(district_id), GROUPING(assignee_id), district_id, assignee_id,
            COUNT(*),
            COUNT(*) FILTER (WHERE taken_up_at IS NOT NULL OR take_up_due_at <= %(now)s),
            COUNT(*) FILTER (WHERE taken_up_at <= take_up_due_at),
            COUNT(*) FILTER (WHERE (verified_at IS NOT NULL AND taken_up_at IS NOT NULL)
                OR verify_due_at <= %(now)s),
            COUNT(*) FILTER (WHERE verified_at IS NOT NULL AND taken_up_at IS NOT NULL
                AND (verify_due_at IS NULL OR verified_at <= verify_due_at)),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY DATE_PART('epoch', taken_up_at - created_at))
                FILTER (WHERE taken_up_at IS NOT NULL) / 3600,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY DATE_PART('epoch', verified_at - taken_up_at))
                FILTER (WHERE verified_at IS NOT NULL AND taken_up_at IS NOT NULL) / 3600
        FROM {table}
        WHERE police_unit_id = %(unit)s AND created_at >= %(since)s AND created_at < %(until)s
        GROUP BY GROUPING SETS ((), (district_id), (assignee_id))
    """  # noqa: S608 - the table's name, no input
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "unit": police_unit.pk, "since": since, "until": until})
        rows = cursor.fetchall()
    counted = {}
    for no_district, no_assignee, district_id, assignee_id, *figures in rows:
        if no_district and no_assignee:
            key = ("total", None)
        elif not no_district:
            key = ("district", district_id)
        else:
            key = ("officer", assignee_id)
        counted[key] = dict(zip(_FIGURES, figures, strict=True))
    return counted
