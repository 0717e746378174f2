"""Writes of the report workflow: transitions, withdrawal by the reporter, citizens' support, and the
deadline sweep."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.deadlines import sweep
from portal.models import PartnerBody
from portal.services import activity_log, client_fingerprint
from portal.workflow import apply

from .. import follow, selectors
from ..models import OPEN_STATUSES, District, Report, ReportEvent, Support
from ..workflow import PARTNER_RESOLVE, REPORT, TAKE_UP, VERIFY, TrackingTokenHolder


def report_support(*, report: Report, ip: str, email: str = "", language: str = "") -> bool:
    """Add a citizen's support to an open report. Returns False if this client already supported it.

    ``email`` (optional): the supporter hears of the report's changes of status (``follow``); given again
    with a support this client made before, it is added to that support."""
    if report.status not in OPEN_STATUSES:
        raise ValidationError(_("This report is already closed."))
    email = (email or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address.")}) from None
    with transaction.atomic():
        support, created = Support.objects.get_or_create(
            report=report,
            ip_hash=client_fingerprint(ip=ip),
            defaults={"email": email, "language": language if email else ""},
        )
        if not created and email and support.email.lower() != email.lower():
            Support.objects.filter(pk=support.pk).update(email=email, language=language)
        if created:
            Report.objects.filter(pk=report.pk).update(support_count=models.F("support_count") + 1)
            ReportEvent.objects.create(report=report, action="supported")
            activity_log(verb="report.supported", target=report)
    return created


# --- the workflow ---------------------------------------------------------------------------------------


def report_transition(
    *,
    report: Report,
    action: str,
    actor,
    public_answer: str = "",
    internal_note: str = "",
    partner_body: PartnerBody | None = None,
    assignee=None,
    district: District | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Report:
    """Apply one workflow action (``workflow.REPORT``). Refuses, with a clear message, anything the workflow
    does not allow; when two people act on the same report at once, the first wins and the second is told
    the report changed. Supporters who left an email hear of it like the reporter (``follow``).

    A report is handed over only to a body that serves its place (``selectors.hand_over_targets``),
    whatever form the body came from. Who may act is asked first: somebody who may not is told that, and
    learns nothing about the bodies."""
    if partner_body is not None and REPORT.may(actor, report, action) and not _serves(partner_body, report):
        raise ValidationError(
            {
                "partner_body": _(
                    "%(body)s does not serve the place of this report. Choose one of the bodies offered."
                )
                % {"body": partner_body.name}
            }
        )
    with transaction.atomic():
        updated = _apply_report(
            report,
            action,
            actor,
            public_answer=public_answer,
            internal_note=internal_note,
            partner_body=partner_body,
            assignee=assignee,
            district=district,
            expected_version=expected_version,
            now=now,
        )
        follow.supporters_notify(updated, follow.latest_event(updated))
    return updated


def _apply_report(
    report,
    action,
    actor,
    *,
    public_answer,
    internal_note,
    partner_body,
    assignee,
    district,
    expected_version,
    now,
) -> Report:
    return apply(
        REPORT,
        report,
        action,
        actor=actor,
        inputs={
            "public_answer": public_answer,
            "internal_note": internal_note,
            "partner_body": partner_body,
            "assignee": assignee,
            "district": district,
        },
        expected_version=expected_version,
        now=now,
    )


def _serves(partner_body: PartnerBody, report: Report) -> bool:
    return selectors.hand_over_targets(report=report).bodies.filter(pk=partner_body.pk).exists()


WITHDRAW_TOO_LATE = gettext_lazy(
    "The police have already taken up this report; it can no longer be withdrawn."
)


def report_withdraw(*, token: str = "", report: Report | None = None, now: datetime | None = None) -> Report:
    """The reporter takes their report back (``workflow`` "withdraw"), by the private tracking link: holding
    the token is the authorization. Only a report the police have not taken up yet: the engine's conditional
    update decides when the police act at the same moment. ``report``: the report a signed tracking link
    (``selectors.report_by_link``) opened, which authorizes like the token."""
    report = report if report is not None else selectors.report_by_token(token) if token else None
    if report is None:
        raise ValidationError(_("This tracking link is not valid."))
    if report.status not in REPORT.transitions["withdraw"].sources:
        raise ValidationError(WITHDRAW_TOO_LATE)
    with transaction.atomic():
        updated = apply(REPORT, report, "withdraw", actor=TrackingTokenHolder(report_id=report.pk), now=now)
        follow.supporters_notify(updated, follow.latest_event(updated))
    return updated


# --- deadlines ------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    take_up_overdue: int = 0
    verify_overdue: int = 0
    take_up_reminders: int = 0
    verify_reminders: int = 0
    partner_overdue: int = 0
    partner_reminders: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


def deadlines_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Mark overdue reports and send reminders before each deadline (``workflow.TAKE_UP``, ``VERIFY``,
    ``PARTNER_RESOLVE``) through the shared deadline engine: exactly once per event, whatever runs it twice,
    after a downtime or on two workers at once; the cost grows with what is due."""
    now = now or timezone.now()
    take_up, verify = sweep(TAKE_UP, now=now, batch=batch), sweep(VERIFY, now=now, batch=batch)
    partner = sweep(PARTNER_RESOLVE, now=now, batch=batch)
    return SweepResult(
        partner_overdue=partner["report.partner_resolve_overdue"],
        partner_reminders=partner["report.partner_resolve_reminder"],
        take_up_overdue=take_up["report.take_up_overdue"],
        verify_overdue=verify["report.verify_overdue"],
        take_up_reminders=take_up["report.take_up_reminder"],
        verify_reminders=verify["report.verify_reminder"],
    )
