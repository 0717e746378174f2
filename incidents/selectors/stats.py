"""The public statistics: counts by status, category, month and district, the confirmation rate and the
median times to take-up and verification; and the one median both they and the coordinator dashboard use."""

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, Func, QuerySet
from django.db.models.functions import Floor, TruncMonth
from django.utils import timezone

from ..models import PUBLIC_STATUSES, Category, District, Report, Status
from .public import STATS_MAX_DAYS, public_reports_in_period

STATS_CACHE_SECONDS = 300
MEDIAN_BUCKET_SECONDS = 360  # PostgreSQL's medians are exact to 6 minutes (0.1 h, what the pages show)
VERIFIED_STATUSES = (
    Status.CONFIRMED,
    Status.NOT_CONFIRMED,
    Status.JOKE_OR_MISTAKE,
    Status.ELIMINATED,
    Status.HANDED_OVER,
)
CONFIRMED_STATUSES = (Status.CONFIRMED, Status.ELIMINATED, Status.HANDED_OVER)


def median(counts: Mapping[float, int]) -> float | None:
    """The median of values given as {value: how many times} (a ``Counter`` of the values, or a histogram):
    the middle value, or the mean of the middle two. None when there are no values."""
    total = sum(counts.values())
    if not total:
        return None
    positions = sorted({(total - 1) // 2, total // 2})  # the middle value, or the middle two
    middle, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        while positions and positions[0] < seen:
            middle.append(value)
            positions.pop(0)
    return sum(middle) / len(middle)


class _Epoch(Func):
    """Seconds of a PostgreSQL interval, as a double (EXTRACT gives a slower numeric)."""

    template = "DATE_PART('epoch', %(expressions)s)"
    output_field = FloatField()


_SPANS = (("created_at", "taken_up_at"), ("taken_up_at", "verified_at"))  # take-up, then verification


def _durations_counted(reports: QuerySet[Report]) -> Iterator[tuple[int, int | None, float, int]]:
    """(span, district id, seconds, how many) counted by PostgreSQL in 6-minute buckets: two hash
    aggregations, no sort of a million rows."""
    base = reports.order_by().filter(taken_up_at__isnull=False)
    for span, (start, end) in enumerate(_SPANS):
        bucket = Floor(_Epoch(F(end) - F(start)) / MEDIAN_BUCKET_SECONDS + 0.5)
        rows = (
            base.filter(**{f"{end}__isnull": False})
            .annotate(bucket=bucket)
            .values_list("district_id", "bucket")
            .annotate(n=Count("pk"))
        )
        for district_id, value, n in rows:
            yield span, district_id, int(value) * MEDIAN_BUCKET_SECONDS, n


def _durations_read(reports: QuerySet[Report]) -> Iterator[tuple[int, int | None, float, int]]:
    """The same, exact, from one narrow read of the taken-up reports' timestamps (SpatiaLite has no
    arithmetic on timestamps)."""
    rows = (
        reports.order_by()
        .filter(taken_up_at__isnull=False)
        .values_list("district_id", "created_at", "taken_up_at", "verified_at")
    )
    for district_id, created, taken, verified in rows.iterator(chunk_size=5000):
        yield 0, district_id, (taken - created).total_seconds(), 1
        if verified is not None:
            yield 1, district_id, (verified - taken).total_seconds(), 1


def report_median_times(
    *, reports: QuerySet[Report], by_district: bool = False
) -> dict[int | str | None, tuple[timedelta | None, timedelta | None]]:
    """Median time from submission to take-up and from take-up to verification: for all ``reports`` (key
    "all") and, with ``by_district``, per district id (None: outside every district). The durations are
    counted into histograms (by the database on PostgreSQL), and the medians come out of them."""
    durations = _durations_counted if connection.vendor == "postgresql" else _durations_read
    histograms: dict = {"all": (Counter(), Counter())}
    for span, district_id, seconds, n in durations(reports):
        for key in ("all", district_id) if by_district else ("all",):
            histograms.setdefault(key, (Counter(), Counter()))[span][seconds] += n

    def duration(counts: Counter) -> timedelta | None:
        middle = median(counts)
        return None if middle is None else timedelta(seconds=round(middle))

    return {key: (duration(take_up), duration(verify)) for key, (take_up, verify) in histograms.items()}


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
    by_status = [(status.value, statuses.get(status, 0)) for status in PUBLIC_STATUSES]
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
    filter combination, not on every visit. The cached numbers hold no translated text (the key names the
    version of the pickled classes: v2 since they live in ``selectors.stats``)."""
    key = ":".join(
        str(part or "")
        for part in ("incidents:public-stats:v2", days, category, status, district, municipality)
    )
    stats = cache.get(key)
    if stats is None:
        stats = public_stats(
            days=days, category=category, status=status, district=district, municipality=municipality
        )
        cache.set(key, stats, STATS_CACHE_SECONDS)
    return stats
