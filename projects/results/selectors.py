"""Reads of the project results: the effect panel of one project (also ``manage.py project_effect``),
control-area suggestions, and the programme's public results page.

Time windows are whole calendar months: *before* = the ``window_months`` months before the month the
implementation starts; *after* = the ``window_months`` months after the month it ends (the implementation
months are left out), cut at the last complete month. All report counts come from one grouped query
(``incidents.selectors.area_counts.monthly_area_counts``): a, b, c, d, the buffer ring, the verified-only
variant and the monthly chart are sums over its rows. The panel takes a constant number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.selectors import safe_after_dark_change
from incidents.selectors.area_counts import (
    districts_intersecting,
    districts_outside,
    monthly_area_counts,
    monthly_district_counts,
)

from ..models import Proposal
from ..models_results import Milestone, ProjectResult
from ..workflow import SUPPORTED
from . import effect as maths
from . import geometry

SUGGESTIONS = 5


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _month_key(value) -> tuple[int, int]:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return (value.year, value.month)


@dataclass
class Windows:
    before_from: date
    before_to: date  # exclusive: the first implementation month
    after_from: date  # the first month after the implementation
    after_to: date  # exclusive, cut at the current month
    months_after: int

    @property
    def months(self) -> list[date]:
        """Every month from the first before to the last after (implementation months too, for the chart)."""
        result, month = [], self.before_from
        while month < max(self.after_to, self.before_to):
            result.append(month)
            month = add_months(month, 1)
        return result

    @property
    def before_last(self) -> date:
        return add_months(self.before_to, -1)

    @property
    def after_last(self) -> date | None:
        """The last month counted after (None when none is complete yet)."""
        return add_months(self.after_to, -1) if self.months_after else None

    def side(self, month: date) -> str:
        if self.before_from <= month < self.before_to:
            return "before"
        if self.after_from <= month < self.after_to:
            return "after"
        return "implementation"


def windows_for(*, start: date, end: date | None, months: int, today: date) -> Windows:
    before_to = date(start.year, start.month, 1)
    after_from = add_months(end or start, 1)
    after_full = add_months(after_from, months)
    this_month = date(today.year, today.month, 1)
    after_to = min(after_full, this_month) if this_month > after_from else after_from
    months_after = (after_to.year - after_from.year) * 12 + after_to.month - after_from.month
    return Windows(add_months(before_to, -months), before_to, after_from, after_to, max(0, months_after))


@dataclass
class MonthRow:
    month: date
    side: str
    target: int
    control: int | None
    buffer: int | None


@dataclass
class EffectPanel:
    result: ProjectResult
    ready: bool  # area and start given
    missing: list = field(default_factory=list)
    windows: Windows | None = None
    effect: maths.Effect | None = None
    verified: maths.Effect | None = None
    target_change: dict | None = None
    control_change: dict | None = None
    months: list[MonthRow] = field(default_factory=list)
    survey: dict | None = None
    allocated: Decimal | None = None
    spent: Decimal | None = None
    cost_per_resident: Decimal | None = None
    control_names: list[str] = field(default_factory=list)
    category_names: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        data = {
            "project": self.result.proposal_id,
            "ready": self.ready,
            "missing": [str(m) for m in self.missing],
            "published": self.result.effect_published,
        }
        if self.ready:
            w = self.windows
            data.update(
                {
                    "before": [w.before_from.isoformat(), w.before_to.isoformat()],
                    "after": [w.after_from.isoformat(), w.after_to.isoformat()],
                    "months_after": w.months_after,
                    "buffer_m": self.result.buffer_m,
                    **self.effect.as_json(),
                    "verified_only": self.verified.as_json(),
                    "target_change": self.target_change,
                    "control_change": self.control_change,
                    "survey_change_points": None if self.survey is None else self.survey["change"],
                }
            )
        return data


def result_queryset() -> QuerySet[ProjectResult]:
    return ProjectResult.objects.select_related(
        "proposal__call__programme",
        "proposal__municipality",
        "proposal__decision",
        "proposal__final_report",
        "priority__audit",
        "regional_project",
        "effect_published_by",
    ).prefetch_related(
        "categories",
        "area_districts",
        "control_districts",
        Prefetch("milestones", queryset=Milestone.objects.prefetch_related("photos")),
    )


def result_for_proposal(*, proposal_id: int) -> ProjectResult | None:
    return result_queryset().filter(proposal_id=proposal_id, proposal__status__in=SUPPORTED).first()


def _money(proposal: Proposal) -> tuple[Decimal | None, Decimal | None]:
    decision = getattr(proposal, "decision", None)
    report = getattr(proposal, "final_report", None)
    return (decision.approved_amount if decision else None, report.spent_amount if report else None)


def effect_panel(result: ProjectResult, *, now: datetime | None = None) -> EffectPanel:
    """Everything the effect panel shows; ``result`` from ``result_queryset()`` (its relations prefetched).
    Two or three queries: the monthly counts, the survey (and the districts of a drawn area)."""
    now = now or timezone.now()
    allocated, spent = _money(result.proposal)
    panel = EffectPanel(result=result, ready=False, allocated=allocated, spent=spent)
    amount = spent if spent is not None else allocated
    if amount is not None and result.target_residents:
        panel.cost_per_resident = (amount / result.target_residents).quantize(Decimal("0.01"))
    categories = list(result.categories.all())
    panel.category_names = [str(c) for c in categories]
    controls = list(result.control_districts.all())
    panel.control_names = [d.name for d in controls]
    if result.area is None:
        panel.missing.append(_("the project's area"))
    if result.implementation_start is None:
        panel.missing.append(_("the implementation start"))
    if panel.missing:
        return panel
    panel.ready = True
    windows = windows_for(
        start=result.implementation_start,
        end=result.implementation_end,
        months=result.window_months,
        today=timezone.localdate(now),
    )
    panel.windows = windows
    target = result.area
    buffer = geometry.buffer_ring(target, result.buffer_m)
    control = geometry.union(d.area for d in controls) if controls else None
    areas = {"target": target}
    if buffer is not None:
        areas["buffer"] = buffer
    if control is not None:
        areas["control"] = control
    rows = monthly_area_counts(
        areas=areas,
        since=_aware(windows.before_from),
        until=_aware(max(windows.after_to, windows.before_to)),
        category_ids=[c.pk for c in categories] or None,
    )
    sums = {
        (zone, side, v): 0
        for zone in ("target", "buffer", "control")
        for side in ("before", "after", "implementation")
        for v in (0, 1)
    }
    monthly: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        year, month = _month_key(row["month"])
        side = windows.side(date(year, month, 1))
        for zone in areas:
            if row.get(zone):
                sums[(zone, side, row["verified"])] += row["n"]
                bucket = monthly.setdefault((year, month), {})
                bucket[zone] = bucket.get(zone, 0) + row["n"]

    def total(zone, side, verified_only=False):
        return sums[(zone, side, 1)] + (0 if verified_only else sums[(zone, side, 0)])

    def counts(verified_only: bool) -> maths.Counts:
        has_control = control is not None
        return maths.Counts(
            a=total("target", "before", verified_only),
            b=total("target", "after", verified_only),
            c=total("control", "before", verified_only) if has_control else None,
            d=total("control", "after", verified_only) if has_control else None,
            buffer_before=total("buffer", "before", verified_only) if buffer is not None else None,
            buffer_after=total("buffer", "after", verified_only) if buffer is not None else None,
        )

    context = maths.Context(
        months_after=windows.months_after,
        window_months=result.window_months,
        control_overlaps_buffer=bool(
            control is not None and buffer is not None and control.intersects(buffer)
        ),
        control_overlaps_target=bool(control is not None and control.intersects(target)),
    )
    if not categories:
        context.extra.append(
            maths.Warning("all_categories", _("No report categories chosen: every category is counted."))
        )
    panel.effect = maths.effect(counts(False), context)
    panel.verified = maths.effect(counts(True), maths.Context(**{**context.__dict__, "extra": []}))
    all_counts = panel.effect.counts
    panel.target_change = maths.change(all_counts.a, all_counts.b, residents=result.target_residents)
    if all_counts.has_control:
        panel.control_change = maths.change(all_counts.c, all_counts.d, residents=result.control_residents)
    for month in windows.months:
        bucket = monthly.get((month.year, month.month), {})
        panel.months.append(
            MonthRow(
                month=month,
                side=windows.side(month),
                target=bucket.get("target", 0),
                control=bucket.get("control", 0) if control is not None else None,
                buffer=bucket.get("buffer", 0) if buffer is not None else None,
            )
        )
    if result.area_kind == ProjectResult.AreaKind.DISTRICTS:
        district_ids = [d.pk for d in result.area_districts.all()]
    else:
        district_ids = districts_intersecting(area=target)
    panel.survey = safe_after_dark_change(
        district_ids=district_ids,
        before=result.implementation_start,
        after=result.implementation_end or result.implementation_start,
    )
    return panel


@dataclass
class Suggestion:
    district: object
    distance: float  # root mean square difference of the monthly counts
    total: int
    series: list[int]


def control_suggestions(
    result: ProjectResult, *, now: datetime | None = None, limit: int = SUGGESTIONS
) -> dict:
    """Candidate control districts: not overlapping the target or its buffer ring, with the most similar
    monthly counts (addressed categories) in the months before the start. Three queries.

    {"target": [monthly counts], "months": [date], "suggestions": [Suggestion]}"""
    if result.area is None or result.implementation_start is None:
        return {"target": [], "months": [], "suggestions": [], "candidates": []}
    now = now or timezone.now()
    windows = windows_for(
        start=result.implementation_start,
        end=result.implementation_end,
        months=result.window_months,
        today=timezone.localdate(now),
    )
    months = [m for m in windows.months if windows.side(m) == "before"]
    outer = result.area.union(geometry.buffer_ring(result.area, result.buffer_m) or result.area)
    candidates = districts_outside(area=outer, near=result.area)
    category_ids = [c.pk for c in result.categories.all()] or None
    target_rows = monthly_area_counts(
        areas={"target": result.area},
        since=_aware(windows.before_from),
        until=_aware(windows.before_to),
        category_ids=category_ids,
    )
    target = dict.fromkeys(months, 0)
    for row in target_rows:
        year, month = _month_key(row["month"])
        key = date(year, month, 1)
        if key in target:
            target[key] += row["n"]
    district_rows = monthly_district_counts(
        district_ids=[d.pk for d in candidates],
        since=_aware(windows.before_from),
        until=_aware(windows.before_to),
        category_ids=category_ids,
    )
    series = {d.pk: dict.fromkeys(months, 0) for d in candidates}
    for row in district_rows:
        year, month = _month_key(row["month"])
        key = date(year, month, 1)
        if key in series.get(row["district"], {}):
            series[row["district"]][key] += row["n"]
    target_list = [target[m] for m in months]
    suggestions = []
    for district in candidates:
        values = [series[district.pk][m] for m in months]
        if not sum(values):
            continue  # a district without reports says nothing about trends
        rms = (
            sum((x - y) ** 2 for x, y in zip(values, target_list, strict=True)) / max(1, len(months))
        ) ** 0.5
        suggestions.append(
            Suggestion(district=district, distance=round(rms, 2), total=sum(values), series=values)
        )
    suggestions.sort(key=lambda s: (s.distance, -s.total, s.district.name))
    return {
        "target": target_list,
        "months": months,
        "suggestions": suggestions[:limit],
        "candidates": candidates,
    }


# --- the programme's results page --------------------------------------------------------------------------


def programme_results(
    *, programme, year=None, municipality_id=None, theme=None, status=None
) -> list[Proposal]:
    """The programme's supported projects with their results record (or None), filtered; region-wide
    parents come from ``result.regional_project``. Three queries whatever the number of projects."""
    qs = (
        Proposal.objects.filter(call__programme=programme, status__in=SUPPORTED)
        .select_related("call", "municipality", "decision", "final_report", "result__regional_project")
        .order_by("-call__year", "municipality__name", "title")
    )
    if year:
        qs = qs.filter(call__year=year)
    if municipality_id:
        qs = qs.filter(municipality_id=municipality_id)
    if theme:
        qs = qs.filter(result__theme=theme)
    if status:
        qs = qs.filter(status=status)
    projects = list(qs)
    milestone_counts = {}
    ids = [p.result.pk for p in projects if _result(p) is not None]
    if ids:
        from django.db.models import Count, Q

        for row in (
            Milestone.objects.filter(result_id__in=ids)
            .values("result_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Milestone.Status.DONE)))
        ):
            milestone_counts[row["result_id"]] = row
    for project in projects:
        result = _result(project)
        project.results_record = result
        project.milestone_counts = milestone_counts.get(result.pk) if result else None
    return projects


def _result(proposal: Proposal) -> ProjectResult | None:
    try:
        return proposal.result
    except ProjectResult.DoesNotExist:
        return None


def group_by_parent(projects: list[Proposal]) -> list[tuple]:
    """[(region-wide project or None, [projects])], region-wide ones first in their order."""
    groups: dict = {}
    for project in projects:
        parent = project.results_record.regional_project if project.results_record else None
        groups.setdefault(parent, []).append(project)
    return sorted(groups.items(), key=lambda item: (item[0] is None, getattr(item[0], "order", 0)))


def member_boundaries(*, programme) -> list[tuple[str, object]]:
    """[(town name, boundary)] of the programme's member towns, for the results map (one query)."""
    from ..models import Membership

    rows = Membership.objects.filter(programme=programme).select_related("municipality")
    return [(m.municipality.name, m.municipality.boundary) for m in rows.order_by("municipality__name")]
