"""Reads of the projects app: a constant number of queries per page, whatever the number of rows; and the
checks that only read (a proposal's problems before submission, its budget's totals, the report figures it
cites)."""

import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from incidents import selectors as incident_selectors
from portal import roles
from portal.models import Municipality
from portal.selectors import activity_for

from . import workflow
from .models import (
    Assignment,
    BudgetLine,
    Call,
    Decision,
    EligibleCost,
    FinalReport,
    Meeting,
    MeetingItem,
    Membership,
    Message,
    Programme,
    Proposal,
    Score,
)
from .money import ZERO, money_text, plain_number
from .workflow import PROPOSAL, STAFF_ONLY_NOTES, Status

EVIDENCE_MONTHS = 12


# --- people ---------------------------------------------------------------------------------------------


def _users_with_role(role: str) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .select_related("profile")
        .distinct()
        .order_by("email")
    )


def programme_managers() -> QuerySet:
    return _users_with_role(roles.PROGRAMME_MANAGER)


def commission_members() -> QuerySet:
    return _users_with_role(roles.COMMISSION_MEMBER)


def town_staff(*, municipality_id: int) -> QuerySet:
    return _users_with_role(roles.MUNICIPAL_STAFF).filter(profile__municipality_id=municipality_id)


def town_staff_many(*, municipality_ids) -> dict[int, list]:
    """{municipality id: [its municipal staff, …]} in one query."""
    staff = defaultdict(list)
    users = _users_with_role(roles.MUNICIPAL_STAFF).filter(profile__municipality_id__in=municipality_ids)
    for user in users:
        staff[user.profile.municipality_id].append(user)
    return staff


# --- programme ------------------------------------------------------------------------------------------


def programmes() -> QuerySet[Programme]:
    return Programme.objects.all()


def programmes_with_members() -> QuerySet[Programme]:
    return Programme.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("municipality"))
    )


def programme_by_slug(*, slug: str) -> Programme | None:
    return Programme.objects.filter(slug=slug).first()


def programme_for_page(*, slug: str) -> Programme | None:
    return (
        Programme.objects.filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("municipality").order_by(
                    "joined_on", "municipality__name"
                ),
            ),
            "regional_projects",
            Prefetch("calls", queryset=Call.objects.order_by("-year", "-opens_at")),
        )
        .first()
    )


def approved_total(*, call: Call | None = None, programme: Programme | None = None) -> Decimal:
    """The sum the council has approved in a call or in a whole programme."""
    qs = Decision.objects.filter(outcome=Decision.Outcome.APPROVED)
    if call is not None:
        qs = qs.filter(proposal__call_id=call.pk)
    if programme is not None:
        qs = qs.filter(proposal__call__programme_id=programme.pk)
    return qs.aggregate(total=Sum("approved_amount"))["total"] or ZERO


def programme_budget(*, programme: Programme) -> dict:
    """Total, approved, spent (per accepted final reports) and remaining budget of a programme (2 queries)."""
    approved = approved_total(programme=programme)
    spent = (
        FinalReport.objects.filter(
            proposal__call__programme_id=programme.pk, proposal__status=Status.COMPLETED
        ).aggregate(total=Sum("spent_amount"))["total"]
        or ZERO
    )
    return {
        "total": programme.total_budget,
        "approved": approved,
        "spent": spent,
        "remaining": programme.total_budget - approved,
        "approved_percent": round(approved * 100 / programme.total_budget) if programme.total_budget else 0,
    }


def is_member_on(*, programme: Programme, municipality: Municipality, day: date) -> bool:
    return Membership.objects.filter(
        programme=programme,
        municipality=municipality,
        status=Membership.Status.JOINED,
        joined_on__lte=day,
    ).exists()


def membership_waves(memberships) -> list[tuple]:
    """Members grouped by the day they joined: [(date or None, [membership, …]), …], the preparing ones
    last."""
    waves: OrderedDict = OrderedDict()
    for membership in sorted(
        memberships, key=lambda m: (m.joined_on is None, m.joined_on or 0, m.municipality.name)
    ):
        key = membership.joined_on if membership.status == Membership.Status.JOINED else None
        waves.setdefault(key, []).append(membership)
    return list(waves.items())


def members_geojson(*, programme: Programme) -> str:
    """The member towns as a GeoJSON FeatureCollection (serialised by the database, one query); each feature
    knows when its town joined and in which wave, for the map's timeline."""
    rows = (
        Membership.objects.filter(programme=programme)
        .exclude(municipality__boundary=None)
        .annotate(geojson=AsGeoJSON("municipality__boundary", precision=5))
        .order_by("joined_on", "municipality__name")
        .values_list("municipality__name", "municipality__code", "status", "joined_on", "geojson")
    )
    rows = list(rows)
    wave_dates = sorted({joined for _n, _c, status, joined, _g in rows if status == "joined" and joined})
    features = []
    for name, code, status, joined_on, geometry in rows:
        properties = {
            "name": name,
            "code": code,
            "status": status,
            "joined_on": joined_on.isoformat() if joined_on and status == "joined" else None,
            "wave": wave_dates.index(joined_on) + 1 if status == "joined" and joined_on else None,
        }
        features.append(
            '{"type":"Feature","properties":'
            + json.dumps(properties, ensure_ascii=False)
            + ',"geometry":'
            + geometry
            + "}"
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def member_districts(*, memberships) -> dict[int, list]:
    """The safety districts (from incidents/) of each member town, with their responsible officers:
    {municipality id: [district, …]}."""
    ids = [m.municipality_id for m in memberships]
    return incident_selectors.districts_of_municipalities(municipality_ids=ids)


# --- calls ----------------------------------------------------------------------------------------------


def call_for_page(*, pk: int) -> Call | None:
    return (
        Call.objects.filter(pk=pk)
        .select_related("programme")
        .prefetch_related("criteria", "eligible_costs")
        .first()
    )


def calls_open(*, now) -> QuerySet[Call]:
    return Call.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("programme")


def eligible_costs(*, call: Call) -> QuerySet[EligibleCost]:
    return EligibleCost.objects.filter(call_id=call.pk)


# --- supported projects (public) ------------------------------------------------------------------------


def supported_projects(
    *, programme: Programme, year: int | None = None, municipality_id: int | None = None
) -> QuerySet[Proposal]:
    qs = (
        Proposal.objects.filter(call__programme=programme, status__in=workflow.SUPPORTED)
        .select_related("call", "municipality", "decision")
        .order_by("-call__year", "municipality__name", "title")
    )
    if year:
        qs = qs.filter(call__year=year)
    if municipality_id:
        qs = qs.filter(municipality_id=municipality_id)
    return qs


def supported_by_year(*, programme: Programme) -> list[dict]:
    """[{year, count, amount}, …], newest first."""
    rows = (
        Proposal.objects.filter(call__programme=programme, status__in=workflow.SUPPORTED)
        .values("call__year")
        .annotate(count=Count("pk"), amount=Sum("decision__approved_amount"))
        .order_by("-call__year")
    )
    return [{"year": r["call__year"], "count": r["count"], "amount": r["amount"] or ZERO} for r in rows]


def supported_towns(*, programme: Programme) -> list[tuple[int, str]]:
    rows = (
        Proposal.objects.filter(call__programme=programme, status__in=workflow.SUPPORTED)
        .values_list("municipality_id", "municipality__name")
        .distinct()
        .order_by("municipality__name")
    )
    return list(rows)


# --- proposals ------------------------------------------------------------------------------------------


def proposals_of_town(*, municipality_id: int) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(municipality_id=municipality_id)
        .select_related("call", "decision")
        .order_by("-call__year", "-created_at")
    )


def proposal_for_page(*, pk: int) -> Proposal | None:
    return (
        Proposal.objects.filter(pk=pk)
        .select_related("call__programme", "municipality", "decision", "final_report", "created_by")
        .prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("eligible_cost")),
            "attachments",
            Prefetch("messages", queryset=Message.objects.select_related("author__profile")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("member__profile", "review").prefetch_related(
                    Prefetch("review__scores", queryset=Score.objects.select_related("criterion"))
                ),
            ),
            "call__criteria",
            "call__eligible_costs",
        )
        .first()
    )


def proposal_history(*, proposal: Proposal, staff: bool) -> list[dict]:
    """The proposal's transitions from the activity log, labelled for the reader (staff or the town)."""
    entries = []
    for entry in activity_for(target=proposal).order_by("at", "id"):
        transition = PROPOSAL.transition(entry.verb.removeprefix(f"{PROPOSAL.name}."))
        if transition is None:
            continue
        note = entry.data.get("note", "")
        entries.append(
            {
                "at": entry.at,
                "label": transition.label if staff else transition.public_label,
                "actor": entry.actor if staff else None,
                "note": note if (staff or transition.name not in STAFF_ONLY_NOTES) else "",
            }
        )
    return entries


def report_evidence(*, municipality: Municipality, now: datetime | None = None) -> dict:
    """The town's threat-report figures of the last 12 months (public categories only) from incidents/, as
    the snapshot a proposal cites."""
    now = now or timezone.now()
    since = now - timedelta(days=365 * EVIDENCE_MONTHS // 12)
    rows = incident_selectors.report_counts_for_municipality(municipality=municipality, since=since)
    return {
        "since": timezone.localdate(since).isoformat(),
        "until": timezone.localdate(now).isoformat(),
        "total": sum(row["total"] for row in rows),
        "rows": rows,
    }


@dataclass
class BudgetTotals:
    total: Decimal
    cofinancing: Decimal
    requested: Decimal

    @property
    def cofinancing_percent(self) -> Decimal:
        return (self.cofinancing * 100 / self.total).quantize(Decimal("0.01")) if self.total else ZERO


def budget_totals(lines) -> BudgetTotals:
    total = sum((line.amount for line in lines), ZERO)
    cofinancing = sum((line.cofinancing for line in lines), ZERO)
    return BudgetTotals(total=total, cofinancing=cofinancing, requested=total - cofinancing)


BUDGET = "budget"  # the key of the budget's problems in ``proposal_problems_by_field``


def proposal_problems(*, proposal: Proposal, now: datetime | None = None) -> list[str]:
    """Everything that stops ``proposal`` from being submitted: missing parts, sums, the call's limits and
    window. Empty when it can be submitted."""
    by_field = proposal_problems_by_field(proposal=proposal, now=now)
    return [message for messages in by_field.values() for message in messages]


def proposal_problems_by_field(*, proposal: Proposal, now: datetime | None = None) -> dict[str, list[str]]:
    """``proposal_problems`` keyed by the draft form's field they concern (``BUDGET``: the budget lines;
    ``NON_FIELD_ERRORS``: the call's window and the town's membership): the form shows each at its field."""
    now = now or timezone.now()
    call = proposal.call
    problems: dict[str, list[str]] = {}

    def add(field: str, message) -> None:
        problems.setdefault(field, []).append(message)

    required = [
        ("title", _("Give the proposal a title.")),
        ("local_need", _("Describe the local need.")),
        ("goals", _("State the goals.")),
        ("activities", _("Describe the activities.")),
        ("timetable", _("Give the timetable.")),
    ]
    for name, message in required:
        if not (getattr(proposal, name) or "").strip():
            add(name, message)
    if not proposal.starts_on or not proposal.ends_on:
        add(
            "starts_on" if not proposal.starts_on else "ends_on",
            _("Give the start and the end of the project."),
        )
    elif proposal.ends_on < proposal.starts_on:
        add("ends_on", _("The project cannot end before it starts."))
    elif proposal.starts_on.year < call.year:
        add("starts_on", _("The project cannot start before the call's year."))
    lines = list(proposal.budget_lines.all())
    if not lines:
        add(BUDGET, _("Add at least one budget line."))
    if any(line.eligible_cost_id is None for line in lines):
        add(BUDGET, _("Choose the cost type of every budget line."))
    if any(not line.item or line.amount <= 0 for line in lines):
        add(BUDGET, _("Every budget line needs an item and a cost above zero."))
    totals = budget_totals(lines)
    if proposal.requested_amount is None or proposal.requested_amount <= 0:
        add(BUDGET, _("State the amount requested."))
    elif lines and proposal.requested_amount != totals.requested:
        add(
            BUDGET,
            _(
                "The amount requested (%(requested)s) must equal the budget's total cost minus the town's "
                "part (%(difference)s)."
            )
            % {
                "requested": money_text(proposal.requested_amount),
                "difference": money_text(totals.requested),
            },
        )
    if proposal.requested_amount and proposal.requested_amount > call.max_per_proposal:
        add(
            BUDGET,
            _("The call gives at most %(amount)s per proposal.")
            % {"amount": money_text(call.max_per_proposal)},
        )
    if lines and totals.total and totals.cofinancing_percent < call.min_cofinancing_percent:
        add(
            BUDGET,
            _(
                "The town must pay at least %(percent)s %% of the total cost itself; "
                "the budget has %(actual)s %%."
            )
            % {
                "percent": plain_number(call.min_cofinancing_percent),
                "actual": plain_number(totals.cofinancing_percent),
            },
        )
    if now < call.opens_at:
        add(
            NON_FIELD_ERRORS,
            _("The call opens for submissions on %(date)s.")
            % {"date": date_format(timezone.localdate(call.opens_at))},
        )
    elif now >= call.closes_at:
        add(
            NON_FIELD_ERRORS,
            _("The call closed for submissions on %(date)s.")
            % {"date": date_format(timezone.localdate(call.closes_at))},
        )
    if not is_member_on(
        programme=call.programme, municipality=proposal.municipality, day=timezone.localdate(now)
    ):
        add(NON_FIELD_ERRORS, _("Only member towns of the programme can submit proposals."))
    return problems


def proposals_of_call(*, call: Call, statuses=None) -> QuerySet[Proposal]:
    qs = (
        Proposal.objects.filter(call=call)
        .exclude(status=Status.DRAFT)
        .select_related("municipality", "decision")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("member", "review"))
        )
        .order_by("status", "-score", "submitted_at")
    )
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs


def manager_overview() -> QuerySet[Call]:
    """Calls with their proposals counted by status (one query)."""
    counts = {
        f"n_{status}": Count("proposals", filter=Q(proposals__status=status)) for status in Status.values
    }
    return Call.objects.select_related("programme").annotate(**counts).order_by("-year", "-opens_at")


def assignments_of_member(*, user) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(member=user)
        .select_related("proposal__call", "proposal__municipality", "review")
        .order_by("-proposal__call__year", "proposal__status", "assigned_at")
    )


def assignment_of(*, proposal: Proposal, user) -> Assignment | None:
    return (
        Assignment.objects.filter(proposal=proposal, member=user)
        .select_related("review")
        .prefetch_related("review__scores")
        .first()
    )


def meetings_of_call(*, call: Call) -> QuerySet[Meeting]:
    return Meeting.objects.filter(call=call).annotate(item_count=Count("items"))


def meeting_for_page(*, pk: int) -> Meeting | None:
    return (
        Meeting.objects.filter(pk=pk)
        .select_related("call__programme", "closed_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=MeetingItem.objects.select_related("proposal__municipality").order_by("rank", "id"),
            )
        )
        .first()
    )


def latest_recommendation(*, proposal: Proposal) -> MeetingItem | None:
    """The commission's recommendation on ``proposal`` at its last closed meeting."""
    return (
        MeetingItem.objects.filter(proposal=proposal, meeting__closed_at__isnull=False)
        .select_related("meeting")
        .order_by("-meeting__held_on")
        .first()
    )
