"""What a town's local safety audit (``audits/``) reads from the reports: counts by category group, district
and status, the monthly trend, the median take-up and verification times, and repeat locations (clusters of
reports within ~150 m of each other). Public categories only, withdrawn reports left out. A constant number of
queries whatever the number of reports; the clusters are formed by PostGIS (``ST_ClusterDBSCAN``) and, on
SpatiaLite (no window clustering), from one narrow read of the points."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.models import Municipality

from ..models import District, Report, Status
from .geo import METRES_PER_DEGREE, StX, StY
from .stats import CONFIRMED_STATUSES, VERIFIED_STATUSES, report_median_times

CLUSTER_METRES = 150
CLUSTER_MINIMUM = 3  # a repeat location has at least this many reports
CLUSTERS_SHOWN = 10


@dataclass
class RepeatLocation:
    count: int
    lon: float
    lat: float
    first: datetime
    last: datetime


@dataclass
class DistrictFigures:
    district_id: int | None
    name: str
    by_group: dict[str, int] = field(default_factory=dict)
    total: int = 0
    verified: int = 0
    confirmed: int = 0
    handed_over: int = 0
    taken_up: int = 0
    taken_up_late: int = 0
    take_up_median: timedelta | None = None
    verify_median: timedelta | None = None


@dataclass
class ReportEvidence:
    since: datetime
    until: datetime
    groups: list[str]  # the category groups with reports, most reported first
    by_group: dict[str, int]
    districts: list[DistrictFigures]  # by name; outside every district (id None) last
    town: DistrictFigures  # the town's totals
    months: list[tuple[datetime, int]]  # every month of the period, oldest first
    repeat_locations: list[RepeatLocation]  # the largest clusters first
    repeat_share: float | None  # of the reports, how many lie in a repeat location


def evidence_reports(*, municipality: Municipality, since: datetime, until: datetime) -> QuerySet[Report]:
    return Report.objects.filter(
        municipality=municipality, category__public=True, created_at__gte=since, created_at__lt=until
    ).exclude(status=Status.WITHDRAWN)


def report_evidence(
    *, municipality: Municipality, since: datetime, until: datetime | None = None
) -> ReportEvidence:
    until = until or timezone.now()
    reports = evidence_reports(municipality=municipality, since=since, until=until).order_by()
    figures: dict[int | None, DistrictFigures] = {}
    town = DistrictFigures(None, municipality.name)
    by_group: dict[str, int] = {}
    rows = reports.values_list("category__group", "district_id", "status", "take_up_overdue").annotate(
        n=Count("pk")
    )
    for group, district_id, status, late, n in rows:
        entry = figures.setdefault(district_id, DistrictFigures(district_id, ""))
        for target in (entry, town):
            target.by_group[group] = target.by_group.get(group, 0) + n
            target.total += n
            target.verified += n if status in VERIFIED_STATUSES else 0
            target.confirmed += n if status in CONFIRMED_STATUSES else 0
            target.handed_over += n if status == Status.HANDED_OVER else 0
            target.taken_up += n if status != Status.NEW else 0
            target.taken_up_late += n if late else 0
        by_group[group] = by_group.get(group, 0) + n

    medians = report_median_times(reports=reports, by_district=True)
    for district_id, (take_up, verify) in medians.items():
        target = town if district_id == "all" else figures.get(district_id)
        if target is not None:
            target.take_up_median, target.verify_median = take_up, verify
    names = dict(District.objects.filter(pk__in=[pk for pk in figures if pk]).values_list("pk", "name"))
    for district_id, entry in figures.items():
        entry.name = names.get(district_id, "")
    districts = sorted(figures.values(), key=lambda d: (d.district_id is None, d.name.lower()))

    per_month = {
        (month.year, month.month): n
        for month, n in reports.annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        if month is not None
    }
    month = timezone.localtime(since).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = timezone.localtime(until)
    months = []
    while (month.year, month.month) <= (last.year, last.month):
        months.append((month, per_month.get((month.year, month.month), 0)))
        month = (month + timedelta(days=32)).replace(day=1)

    clusters = repeat_locations(reports=reports, municipality=municipality)
    in_clusters = sum(c.count for c in clusters)
    return ReportEvidence(
        since=since,
        until=until,
        groups=sorted(by_group, key=lambda g: (-by_group[g], g)),
        by_group=by_group,
        districts=districts,
        town=town,
        months=months,
        repeat_locations=clusters[:CLUSTERS_SHOWN],
        repeat_share=in_clusters / town.total if town.total else None,
    )


def repeat_locations(*, reports: QuerySet[Report], municipality: Municipality) -> list[RepeatLocation]:
    """Clusters of at least CLUSTER_MINIMUM reports, each within CLUSTER_METRES of another one of its cluster
    (single linkage), the largest first."""
    if connection.vendor == "postgresql":
        return _clusters_postgis(reports, municipality)
    return _clusters_read(reports)


def _latitude(municipality: Municipality) -> float:
    boundary = getattr(municipality, "boundary", None)
    return boundary.centroid.y if boundary else 50.0


def _clusters_postgis(reports: QuerySet[Report], municipality: Municipality) -> list[RepeatLocation]:
    # Web Mercator stretches distances by 1 / cos(latitude): the radius is stretched alike.
    eps = CLUSTER_METRES / math.cos(math.radians(_latitude(municipality)))
    inner, params = reports.values("point", "created_at").query.sql_with_params()
    sql = f"""
        SELECT COUNT(*), ST_X(ST_Centroid(ST_Collect(point))), ST_Y(ST_Centroid(ST_Collect(point))),
               MIN(created_at), MAX(created_at)
        FROM (
            SELECT point, created_at,
                   ST_ClusterDBSCAN(ST_Transform(point, 3857), eps := %s, minpoints := 1) OVER () AS cid
            FROM ({inner}) AS base
        ) AS clustered
        GROUP BY cid HAVING COUNT(*) >= %s
        ORDER BY COUNT(*) DESC, MIN(created_at)
    """  # noqa: S608 - the inner query is Django's, with its parameters passed separately
    with connection.cursor() as cursor:
        cursor.execute(sql, [eps, *params, CLUSTER_MINIMUM])
        return [RepeatLocation(n, x, y, first, last) for n, x, y, first, last in cursor.fetchall()]


def _clusters_read(reports: QuerySet[Report]) -> list[RepeatLocation]:
    """The same clusters from one read of the points: a grid of CLUSTER_METRES cells finds the neighbours,
    a union-find joins them."""
    rows = list(reports.annotate(x=StX("point"), y=StY("point")).values_list("x", "y", "created_at"))
    if not rows:
        return []
    lat = sum(y for _x, y, _t in rows) / len(rows)
    kx, ky = METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01), METRES_PER_DEGREE
    metres = [(x * kx, y * ky) for x, y, _t in rows]
    grid: dict[tuple[int, int], list[int]] = {}
    for i, (mx, my) in enumerate(metres):
        grid.setdefault((int(mx // CLUSTER_METRES), int(my // CLUSTER_METRES)), []).append(i)
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (cx, cy), members in grid.items():
        near = [j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in grid.get((cx + dx, cy + dy), ())]
        for i in members:
            for j in near:
                if j > i and math.dist(metres[i], metres[j]) <= CLUSTER_METRES:
                    parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    result = []
    for members in groups.values():
        if len(members) < CLUSTER_MINIMUM:
            continue
        times = [rows[i][2] for i in members]
        result.append(
            RepeatLocation(
                len(members),
                sum(rows[i][0] for i in members) / len(members),
                sum(rows[i][1] for i in members) / len(members),
                min(times),
                max(times),
            )
        )
    return sorted(result, key=lambda c: (-c.count, c.first))
