"""Calls for proposals: their budget within the programme's, their criteria and eligible costs."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portal.services import activity_log

from .. import selectors
from ..models import BudgetLine, Call, Criterion, EligibleCost, Programme, Review, Score
from ..money import ZERO, money_text
from ..rules import require

# What the programme manager sets on a call (the call form shows these, in this order)
CALL_FIELDS = (
    "year",
    "title",
    "description",
    "budget",
    "opens_at",
    "closes_at",
    "max_per_proposal",
    "min_cofinancing_percent",
    "eligibility_notes",
)


def _replace_children(
    *, model, call: Call, rows: list[dict], fields: tuple, locked: bool, label: str
) -> None:
    """Make a call's criteria or eligible costs exactly ``rows`` ({"id": …, field: …}); ``locked`` (reviews
    or proposals already use them) allows only wording changes."""
    existing = {obj.pk: obj for obj in model.objects.filter(call=call)}
    keep = set()
    for order, row in enumerate(rows):
        obj = existing.get(row.get("id")) if row.get("id") else None
        if obj is None:
            if locked and model is Criterion:
                raise ValidationError(_("Criteria cannot be added once reviews exist."))
            obj = model(call=call)
        elif locked and model is Criterion and Decimal(row["weight"]) != obj.weight:
            raise ValidationError(_("Weights cannot change once reviews exist: the scores depend on them."))
        for name in fields:
            setattr(obj, name, row.get(name, getattr(obj, name)))
        obj.order = order
        obj.full_clean(exclude=["call"])
        obj.save()
        keep.add(obj.pk)
    removed = [pk for pk in existing if pk not in keep]
    if removed:
        if model is Criterion and Score.objects.filter(criterion_id__in=removed).exists():
            raise ValidationError(_("A criterion that reviews have scored cannot be removed."))
        if model is EligibleCost and BudgetLine.objects.filter(eligible_cost_id__in=removed).exists():
            raise ValidationError(_("A cost type that proposals use cannot be removed."))
        model.objects.filter(pk__in=removed).delete()
    if not keep:
        raise ValidationError(label)


def call_save(
    *,
    programme: Programme,
    actor,
    fields: dict,
    criteria: list[dict],
    eligible_costs: list[dict],
    call: Call | None = None,
) -> Call:
    """Create or update a call with its criteria and eligible costs. The calls of a programme never get more
    than its total budget, and a call's budget never drops below what the council has approved in it."""
    require(actor, "projects.manage")
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if call is not None:
            call = Call.objects.select_for_update().get(pk=call.pk, programme=programme)
        else:
            call = Call(programme=programme)
        for name in CALL_FIELDS:
            if name in fields:
                setattr(call, name, fields[name])
        call.full_clean()
        others = Call.objects.filter(programme=programme).exclude(pk=call.pk).aggregate(s=Sum("budget"))["s"]
        available = programme.total_budget - (others or ZERO)
        if call.budget > available:
            raise ValidationError(
                {
                    "budget": _("The programme has %(amount)s left for calls; the budget cannot be higher.")
                    % {"amount": money_text(available)}
                }
            )
        if call.max_per_proposal > call.budget:
            raise ValidationError(
                {"max_per_proposal": _("The maximum per proposal exceeds the call's budget.")}
            )
        if call.pk:
            approved = selectors.approved_total(call=call)
            if call.budget < approved:
                raise ValidationError(
                    {
                        "budget": _("The council has already approved %(amount)s in this call.")
                        % {"amount": money_text(approved)}
                    }
                )
        created = call.pk is None
        call.save()
        reviewed = Review.objects.filter(assignment__proposal__call=call).exists()
        _replace_children(
            model=Criterion,
            call=call,
            rows=criteria,
            fields=("name", "description", "weight"),
            locked=reviewed,
            label=_("Give the call at least one assessment criterion."),
        )
        _replace_children(
            model=EligibleCost,
            call=call,
            rows=eligible_costs,
            fields=("name", "description"),
            locked=False,
            label=_("Give the call at least one type of eligible cost."),
        )
        activity_log(
            actor=actor,
            verb="call.created" if created else "call.updated",
            target=call,
            budget=str(call.budget),
            opens_at=call.opens_at.isoformat(),
            closes_at=call.closes_at.isoformat(),
        )
    return call
