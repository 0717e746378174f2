"""Builders for the projects tests: a programme, a call, proposals in any state (written directly: the
services are tested on their own; these set the stage)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from projects.models import (
    Assignment,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    EligibleCost,
    Membership,
    Programme,
    Proposal,
)

CRITERIA = [("Relevance", Decimal("3")), ("Evidence", Decimal("2")), ("Budget", Decimal("1"))]


def make_programme(*, total=Decimal("1000000"), slug="test-programme") -> Programme:
    return Programme.objects.create(
        slug=slug, name="Testovací kraj – bezpečný kraj", region="Testovací kraj", total_budget=total
    )


def make_member(programme: Programme, municipality, joined_on=date(2010, 7, 1)) -> Membership:
    return Membership.objects.create(
        programme=programme, municipality=municipality, status=Membership.Status.JOINED, joined_on=joined_on
    )


def make_call(
    programme: Programme,
    *,
    year=None,
    budget=Decimal("500000"),
    max_per_proposal=Decimal("300000"),
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    min_cofinancing=Decimal("10"),
) -> Call:
    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=10)
    closes_at = closes_at or now + timedelta(days=20)
    call = Call.objects.create(
        programme=programme,
        year=year or opens_at.year,
        title=f"Výzva {year or opens_at.year}",
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        max_per_proposal=max_per_proposal,
        min_cofinancing_percent=min_cofinancing,
    )
    for order, (name, weight) in enumerate(CRITERIA):
        Criterion.objects.create(call=call, name=name, weight=weight, order=order)
    EligibleCost.objects.create(call=call, name="Equipment", order=0)
    EligibleCost.objects.create(call=call, name="Training", order=1)
    return call


def complete_fields(call: Call, requested=Decimal("90000")) -> dict:
    """Everything a proposal needs to pass submission, for ``services.proposal_update``."""
    return {
        "title": "Kamerový bod na náměstí",
        "local_need": "Vandalism on the square every weekend.",
        "goals": "Fewer incidents.",
        "activities": "Install two cameras; tell the public.",
        "timetable": "Spring: tender. Summer: installation.",
        "starts_on": date(call.year, 6, 1),
        "ends_on": date(call.year, 12, 31),
        "requested_amount": requested,
    }


def complete_lines(call: Call, requested=Decimal("90000")) -> list[dict]:
    """One budget line whose requested part is ``requested`` with 10 % (of 100 000) co-financing."""
    cost = call.eligible_costs.first()
    return [
        {
            "eligible_cost": cost,
            "item": "Cameras",
            "amount": requested + Decimal("10000"),
            "cofinancing": Decimal("10000"),
        }
    ]


def make_proposal(
    call: Call,
    municipality,
    *,
    status=Proposal.Status.SUBMITTED,
    requested=Decimal("90000"),
    title="Kamerový bod na náměstí",
) -> Proposal:
    fields = complete_fields(call, requested)
    fields["title"] = title
    proposal = Proposal.objects.create(
        call=call,
        municipality=municipality,
        status=status,
        submitted_at=None if status == Proposal.Status.DRAFT else timezone.now(),
        **fields,
    )
    cost = call.eligible_costs.first()
    BudgetLine.objects.create(
        proposal=proposal,
        eligible_cost=cost,
        item="Cameras",
        amount=requested + Decimal("10000"),
        cofinancing=Decimal("10000"),
    )
    return proposal


def approve(proposal: Proposal, amount: Decimal, *, status=Proposal.Status.APPROVED) -> Decision:
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    proposal.refresh_from_db()
    return Decision.objects.create(
        proposal=proposal,
        outcome=Decision.Outcome.APPROVED,
        approved_amount=amount,
        resolution_number=f"R{proposal.pk}",
        resolved_on=date.today(),
    )


def proposals_for_matrix(*, towns, reviewer) -> tuple[Proposal, ...]:
    """For tests/portal/test_permissions.py: a submitted proposal of the users' town and three of another
    town, ``reviewer`` assigned to all (the service would refuse the first; the rules must too)."""
    programme = make_programme(slug="matrix")
    call = make_call(programme)
    own_town, other_town = towns
    proposals = [make_proposal(call, own_town), *(make_proposal(call, other_town) for _ in range(3))]
    for proposal in proposals:
        Assignment.objects.create(proposal=proposal, member=reviewer)
    return tuple(proposals)
