"""What a town's local safety audit (``audits/``) reads from the reports: counts by category group, district
and status, the monthly trend, the median take-up and verification times, and repeat locations (clusters of
reports within ~150 m of each other). Public categories only, withdrawn reports left out. A constant number of
queries whatever the number of reports; the repeat locations are counted per small grid cell by the database
(the same on PostGIS and SpatiaLite)."""

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, Min, QuerySet, Sum
from django.db.models.functions import Floor, TruncMonth
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
    repeat_share: float | None  # of the reports, how many lie in the repeat locations listed


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
    """The places with the most reports: squares of about CLUSTER_METRES a side holding at least
    CLUSTER_MINIMUM reports, the largest first (at most CLUSTERS_SHOWN).

    The database counts the reports per cell of a third of that size (one grouped query, the same on PostGIS
    and SpatiaLite, whatever the number of reports); each place is then the 3 × 3 block of cells with the most
    reports, taken greedily, so that a hot spot on a cell boundary is not split. (Single-linkage clustering —
    "within 150 m of another report" — chains a whole dense town into one cluster, so it is not used.)"""
    cell = CLUSTER_METRES / 3
    kx = METRES_PER_DEGREE * max(math.cos(math.radians(_latitude(municipality))), 0.01) / cell
    ky = METRES_PER_DEGREE / cell
    rows = (
        reports.annotate(x=StX("point"), y=StY("point"))
        .annotate(cx=Floor(F("x") * kx), cy=Floor(F("y") * ky))
        .values("cx", "cy")
        .annotate(n=Count("pk"), sx=Sum("x"), sy=Sum("y"), first=Min("created_at"), last=Max("created_at"))
        .values_list("cx", "cy", "n", "sx", "sy", "first", "last")
        .order_by()
    )
    cells = {
        (int(cx), int(cy)): {"n": n, "sx": sx, "sy": sy, "first": first, "last": last}
        for cx, cy, n, sx, sy, first, last in rows
    }

    def block(cx, cy):
        return [(cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (cx + dx, cy + dy) in cells]

    taken: set = set()

    def free(key):
        return [k for k in block(*key) if k not in taken]

    # Greedy with lazy re-evaluation: a block whose cells partly went to a bigger place is weighed again
    heap = [(-sum(cells[k]["n"] for k in block(*key)), key) for key in cells]
    heapq.heapify(heap)
    result: list[RepeatLocation] = []
    while heap and len(result) < CLUSTERS_SHOWN:
        stored, key = heapq.heappop(heap)
        members = free(key)
        count = sum(cells[k]["n"] for k in members)
        if count < CLUSTER_MINIMUM:
            if -stored < CLUSTER_MINIMUM:
                break  # nothing left that is big enough
            continue
        if heap and count < -heap[0][0]:
            heapq.heappush(heap, (-count, key))
            continue
        taken.update(members)
        result.append(
            RepeatLocation(
                count,
                sum(cells[k]["sx"] for k in members) / count,
                sum(cells[k]["sy"] for k in members) / count,
                min(cells[k]["first"] for k in members),
                max(cells[k]["last"] for k in members),
            )
        )
    return sorted(result, key=lambda c: (-c.count, c.first))


def _latitude(municipality: Municipality) -> float:
    boundary = getattr(municipality, "boundary", None)
    return boundary.centroid.y if boundary else 50.0
