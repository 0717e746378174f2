"""The council's decisions: the approved sums never exceed the call's budget nor the programme's total,
also under concurrent decisions (row locks in one order everywhere: Programme, then Call, then Proposal)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log
from portal.workflow import apply

from .. import selectors
from ..models import Call, Decision, Programme, Proposal
from ..money import ZERO, money_text
from ..rules import require
from ..workflow import AWAITING_DECISION, PROPOSAL

# The transition each outcome of the council's resolution makes
OUTCOME_TRANSITIONS = {Decision.Outcome.APPROVED: "approve", Decision.Outcome.REJECTED: "reject"}


def lock_budget(call: Call) -> tuple[Programme, Call]:
    """Lock the programme's row, then the call's: the one lock order of every budget check (no deadlock)."""
    programme = Programme.objects.select_for_update().get(pk=call.programme_id)
    return programme, Call.objects.select_for_update().get(pk=call.pk)


def decision_record(
    *,
    proposal: Proposal,
    actor,
    outcome: str,
    resolution_number: str,
    resolved_on: date,
    approved_amount: Decimal | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record the council's resolution on a proposal. The approved total never exceeds the call's budget nor
    the programme's total, also when two decisions are recorded at once: the Programme and Call rows are
    locked (in that order, as everywhere) before the totals are read."""
    now = now or timezone.now()
    require(actor, "projects.decide", proposal)
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose approved or rejected.")})
    resolution_number = (resolution_number or "").strip()
    if not resolution_number:
        raise ValidationError({"resolution_number": _("Give the number of the council's resolution.")})
    if resolved_on is None or resolved_on > timezone.localdate(now):
        raise ValidationError(
            {"resolved_on": _("Give the date of the resolution; it cannot be in the future.")}
        )
    amount = approved_amount if outcome == Decision.Outcome.APPROVED else ZERO
    if outcome == Decision.Outcome.APPROVED and (amount is None or amount <= 0):
        raise ValidationError({"approved_amount": _("Give the amount approved.")})
    with transaction.atomic():
        programme, call = lock_budget(proposal.call)
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in AWAITING_DECISION or Decision.objects.filter(proposal=locked).exists():
            raise ValidationError(_("The council's decision on this proposal has already been recorded."))
        if outcome == Decision.Outcome.APPROVED:
            if amount > (locked.requested_amount or ZERO):
                raise ValidationError(
                    {"approved_amount": _("The amount approved exceeds the amount requested.")}
                )
            if amount > call.max_per_proposal:
                raise ValidationError(
                    {"approved_amount": _("The amount approved exceeds the call's maximum per proposal.")}
                )
            call_total = selectors.approved_total(call=call)
            programme_total = selectors.approved_total(programme=programme)
            if call_total + amount > call.budget:
                raise ValidationError(
                    {
                        "approved_amount": _(
                            "Approving %(amount)s would exceed the call's budget: "
                            "%(left)s is left of %(budget)s."
                        )
                        % {
                            "amount": money_text(amount),
                            "left": money_text(call.budget - call_total),
                            "budget": money_text(call.budget),
                        }
                    }
                )
            if programme_total + amount > programme.total_budget:
                raise ValidationError(
                    {
                        "approved_amount": _(
                            "Approving %(amount)s would exceed the programme's total: "
                            "%(left)s is left of %(budget)s."
                        )
                        % {
                            "amount": money_text(amount),
                            "left": money_text(programme.total_budget - programme_total),
                            "budget": money_text(programme.total_budget),
                        }
                    }
                )
        decision = Decision(
            proposal=locked,
            outcome=outcome,
            approved_amount=amount,
            resolution_number=resolution_number,
            resolved_on=resolved_on,
            recorded_by=actor,
            recorded_at=now,
        )
        decision.full_clean()
        decision.save()
        activity_log(
            actor=actor,
            verb="proposal.decision_recorded",
            target=locked,
            at=now,
            outcome=outcome,
            approved_amount=str(amount),
            resolution_number=resolution_number,
            resolved_on=resolved_on.isoformat(),
        )
        note = _("Resolution %(number)s of %(date)s") % {"number": resolution_number, "date": resolved_on}
        apply(PROPOSAL, locked, OUTCOME_TRANSITIONS[outcome], actor=actor, inputs={"note": note}, now=now)
    return decision
