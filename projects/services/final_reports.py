"""Final reports: the town reports what was done and the money spent; the reminders of reports due soon or
overdue (``workflow.FINAL_REPORT`` on the shared deadline engine)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import sweep
from portal.workflow import apply

from ..models import Decision, FinalReport, Proposal
from ..money import ZERO, money_text
from ..rules import require
from ..workflow import FINAL_REPORT, PROPOSAL, Status


def final_report_submit(
    *,
    proposal: Proposal,
    actor,
    summary: str,
    spent_amount: Decimal,
    results: str = "",
    cofinancing_spent: Decimal = ZERO,
    now: datetime | None = None,
) -> FinalReport:
    """The town reports what was done and the money spent; the grant spent cannot exceed the amount
    approved. The programme managers are told (the ``submit_final_report`` transition's emails)."""
    now = now or timezone.now()
    require(actor, "projects.edit_proposal", proposal)
    summary, results = (summary or "").strip(), (results or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Describe what was done.")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != Status.IN_PROGRESS:
            raise ValidationError(_("A final report is submitted while the project is in progress."))
        approved = Decision.objects.get(proposal=locked).approved_amount
        if spent_amount is None or spent_amount < 0:
            raise ValidationError({"spent_amount": _("Give the grant money spent.")})
        if spent_amount > approved:
            raise ValidationError(
                {
                    "spent_amount": _("The grant spent cannot exceed the amount approved (%(amount)s).")
                    % {"amount": money_text(approved)}
                }
            )
        report = FinalReport.objects.filter(proposal=locked).first() or FinalReport(proposal=locked)
        report.summary, report.results = summary, results
        report.spent_amount, report.cofinancing_spent = spent_amount, cofinancing_spent or ZERO
        report.submitted_by, report.submitted_at = actor, now
        report.full_clean()
        report.save()
        apply(PROPOSAL, locked, "submit_final_report", actor=actor, now=now)
    return report


@dataclass
class ReminderResult:
    reminded: int = 0
    overdue: int = 0


def final_reports_remind(*, now: datetime | None = None, batch: int = 500) -> ReminderResult:
    """Remind the towns of final reports due within 14 days, and tell them (and the programme manager) when
    one is overdue. The sweep claims each proposal before anything is queued, and the emails carry dedup
    keys: running it twice, on two workers, or after days of downtime sends each once."""
    result = sweep(FINAL_REPORT, now=now, batch=batch)
    return ReminderResult(
        reminded=result["proposal.final_report_due"], overdue=result["proposal.final_report_overdue"]
    )
