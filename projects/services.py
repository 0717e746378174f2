"""Writes of the projects app: programme and members, calls, proposals and their thread, the Security
Commission's assignments, reviews and meetings, the council's decisions, final reports and their reminders.

Every write runs in one transaction, logs to the activity log and queues its emails in that transaction.
Budget checks lock rows in one order everywhere: Programme, then Call, then Proposal.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from incidents import selectors as incident_selectors
from portal import roles
from portal.models import Municipality
from portal.roles import role_names
from portal.services import activity_log, notification_queue
from portal.uploads import UnacceptableFile, clean_document_or_photo

from . import selectors, workflow
from .models import (
    Assignment,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    EligibleCost,
    FinalReport,
    Meeting,
    MeetingItem,
    Membership,
    Message,
    Programme,
    Proposal,
    ProposalAttachment,
    RegionalProject,
    Review,
    Score,
)
from .workflow import TRANSITIONS, Status

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
MAX_BUDGET_LINES = 40
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_PROPOSALS_PER_TOWN_AND_CALL = 5
EVIDENCE_MONTHS = 12
FINAL_REPORT_DAYS = 60  # after the project's end
REMIND_BEFORE = timedelta(days=14)
DOUBLE_CLICK = timedelta(seconds=30)

# Tests widen the race window of a decision with this hook (called after the totals were read).
_after_budget_read = None


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _plain(value: Decimal) -> str:
    """10.00 -> "10", 12.50 -> "12.5" (no exponent notation)."""
    return f"{Decimal(value).normalize():f}"


def _money(value) -> str:
    return f"{Decimal(value):,.2f}".replace(",", " ").replace(".00", "")


# --- programme and members ------------------------------------------------------------------------------


@transaction.atomic
def programme_upsert(*, slug: str, actor=None, **fields) -> tuple[Programme, bool]:
    """Create or update a programme. Its total budget never drops below what its calls have been given."""
    programme = Programme.objects.select_for_update().filter(slug=slug).first()
    created = programme is None
    if created:
        programme = Programme(slug=slug)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    if not created:
        allotted = Call.objects.filter(programme=programme).aggregate(s=Sum("budget"))["s"] or ZERO
        if programme.total_budget < allotted:
            raise ValidationError(
                {
                    "total_budget": _("The calls already have %(amount)s; the total cannot be lower.")
                    % {"amount": _money(allotted)}
                }
            )
    programme.save()
    activity_log(actor=actor, verb="programme.created" if created else "programme.updated", target=programme)
    return programme, created


@transaction.atomic
def membership_join(
    *, programme: Programme, municipality: Municipality, joined_on: date, actor=None
) -> tuple[Membership, bool]:
    """Record that ``municipality`` joined ``programme`` on ``joined_on``. Idempotent."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        programme=programme,
        municipality=municipality,
        defaults={"status": Membership.Status.JOINED, "joined_on": joined_on},
    )
    if created or membership.status != Membership.Status.JOINED or membership.joined_on != joined_on:
        membership.status = Membership.Status.JOINED
        membership.joined_on = joined_on
        membership.full_clean()
        membership.save()
        activity_log(
            actor=actor,
            verb="programme.member_joined",
            target=programme,
            municipality=municipality.code,
            joined_on=joined_on.isoformat(),
        )
        return membership, True
    return membership, False


@transaction.atomic
def regional_project_upsert(*, programme: Programme, slug: str, actor=None, **fields) -> RegionalProject:
    project = RegionalProject.objects.select_for_update().filter(programme=programme, slug=slug).first()
    created = project is None
    if created:
        project = RegionalProject(programme=programme, slug=slug)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    activity_log(
        actor=actor,
        verb="regional_project.created" if created else "regional_project.updated",
        target=project,
    )
    return project


# --- calls ----------------------------------------------------------------------------------------------

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
    _require(actor, "projects.manage")
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
                    % {"amount": _money(available)}
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
                        % {"amount": _money(approved)}
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


# --- proposals: drafting --------------------------------------------------------------------------------


def _require(user, perm: str, obj=None) -> None:
    if not (getattr(user, "is_superuser", False) or user.has_perm(perm, obj)):
        raise PermissionDenied(_("You may not do this with this proposal."))


def _member_on(*, programme: Programme, municipality: Municipality, day: date) -> bool:
    return Membership.objects.filter(
        programme=programme,
        municipality=municipality,
        status=Membership.Status.JOINED,
        joined_on__lte=day,
    ).exists()


def proposal_create(
    *, call: Call, municipality: Municipality, actor, title: str, now: datetime | None = None
) -> Proposal:
    """Start a draft proposal of ``municipality`` in ``call``. Only member towns propose, until the call
    closes."""
    now = now or timezone.now()
    _require(actor, "projects.submit_proposal", municipality)
    if not _member_on(programme=call.programme, municipality=municipality, day=now.date()):
        raise ValidationError(_("Only member towns of the programme can submit proposals."))
    if now >= call.closes_at:
        raise ValidationError(_("This call is closed."))
    with transaction.atomic():
        # Lock the call: two quick clicks cannot pass the per-town limit together, and a double click
        # gives the draft the first click made.
        Call.objects.select_for_update().get(pk=call.pk)
        twin = Proposal.objects.filter(
            call=call,
            municipality=municipality,
            status=Status.DRAFT,
            title=(title or "").strip(),
            created_at__gte=now - DOUBLE_CLICK,
        ).first()
        if twin is not None:
            return twin
        count = (
            Proposal.objects.filter(call=call, municipality=municipality)
            .exclude(status=Status.WITHDRAWN)
            .count()
        )
        if count >= MAX_PROPOSALS_PER_TOWN_AND_CALL:
            raise ValidationError(
                _("A town may have at most %(count)d proposals in a call.")
                % {"count": MAX_PROPOSALS_PER_TOWN_AND_CALL}
            )
        proposal = Proposal(
            call=call,
            municipality=municipality,
            title=(title or "").strip(),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        proposal.full_clean()
        proposal.save()
        activity_log(actor=actor, verb="proposal.created", target=proposal, title=proposal.title)
    return proposal


PROPOSAL_FIELDS = (
    "title",
    "local_need",
    "goals",
    "activities",
    "timetable",
    "starts_on",
    "ends_on",
    "requested_amount",
    "cite_reports",
)


def report_evidence(*, municipality: Municipality, now: datetime | None = None) -> dict:
    """The town's threat-report figures of the last 12 months (public categories only) from incidents/, as
    the snapshot a proposal cites."""
    now = now or timezone.now()
    since = now - timedelta(days=365 * EVIDENCE_MONTHS // 12)
    rows = incident_selectors.report_counts_for_municipality(municipality=municipality, since=since)
    return {
        "since": since.date().isoformat(),
        "until": now.date().isoformat(),
        "total": sum(row["total"] for row in rows),
        "rows": rows,
    }


def proposal_update(
    *,
    proposal: Proposal,
    actor,
    fields: dict,
    budget_lines: list[dict],
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Save a draft: its texts and its budget lines (replaced as a whole). Drafts may be incomplete; what
    is there must be valid. Two people saving the same draft: the second is told to reload."""
    now = now or timezone.now()
    _require(actor, "projects.edit_proposal", proposal)
    if len(budget_lines) > MAX_BUDGET_LINES:
        raise ValidationError(_("A budget may have at most %(count)d lines.") % {"count": MAX_BUDGET_LINES})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        if not locked.is_editable:
            raise ValidationError(_("The proposal has been submitted and can no longer be changed."))
        if expected_version is not None and locked.version != expected_version:
            raise ValidationError(
                _("Someone else has just saved this proposal. Reload the page and make your changes again.")
            )
        for name in PROPOSAL_FIELDS:
            if name in fields:
                value = fields[name]
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.evidence = (
            report_evidence(municipality=locked.municipality, now=now) if locked.cite_reports else {}
        )
        locked.updated_at = now
        locked.version += 1
        locked.full_clean()
        locked.save()
        costs = {cost.pk: cost for cost in EligibleCost.objects.filter(call_id=locked.call_id)}
        lines = []
        for order, row in enumerate(budget_lines):
            cost_id = row.get("eligible_cost").pk if row.get("eligible_cost") else row.get("eligible_cost_id")
            if cost_id is not None and cost_id not in costs:
                raise ValidationError(_("A budget line names a cost type this call does not pay for."))
            line = BudgetLine(
                proposal=locked,
                eligible_cost_id=cost_id,
                item=(row.get("item") or "").strip(),
                amount=row.get("amount") if row.get("amount") is not None else ZERO,
                cofinancing=row.get("cofinancing") or ZERO,
                order=order,
            )
            line.full_clean(exclude=["proposal"])
            if line.cofinancing > line.amount:
                raise ValidationError(
                    _("Budget line “%(item)s”: the town's part cannot exceed the total cost.")
                    % {"item": line.item}
                )
            lines.append(line)
        BudgetLine.objects.filter(proposal=locked).delete()
        BudgetLine.objects.bulk_create(lines)
        activity_log(actor=actor, verb="proposal.saved", target=locked, version=locked.version)
    proposal.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


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


def proposal_problems(*, proposal: Proposal, now: datetime | None = None) -> list[str]:
    """Everything that stops ``proposal`` from being submitted: missing parts, sums, the call's limits and
    window. Empty when it can be submitted."""
    now = now or timezone.now()
    call = proposal.call
    problems = []
    required = [
        ("title", _("Give the proposal a title.")),
        ("local_need", _("Describe the local need.")),
        ("goals", _("State the goals.")),
        ("activities", _("Describe the activities.")),
        ("timetable", _("Give the timetable.")),
    ]
    problems += [message for name, message in required if not (getattr(proposal, name) or "").strip()]
    if not proposal.starts_on or not proposal.ends_on:
        problems.append(_("Give the start and the end of the project."))
    elif proposal.ends_on < proposal.starts_on:
        problems.append(_("The project cannot end before it starts."))
    elif proposal.starts_on.year < call.year:
        problems.append(_("The project cannot start before the call's year."))
    lines = list(proposal.budget_lines.all())
    if not lines:
        problems.append(_("Add at least one budget line."))
    if any(line.eligible_cost_id is None for line in lines):
        problems.append(_("Choose the cost type of every budget line."))
    if any(not line.item or line.amount <= 0 for line in lines):
        problems.append(_("Every budget line needs an item and a cost above zero."))
    totals = budget_totals(lines)
    if proposal.requested_amount is None or proposal.requested_amount <= 0:
        problems.append(_("State the amount requested."))
    elif lines and proposal.requested_amount != totals.requested:
        problems.append(
            _(
                "The amount requested (%(requested)s) must equal the budget's total cost minus the town's "
                "part (%(difference)s)."
            )
            % {"requested": _money(proposal.requested_amount), "difference": _money(totals.requested)}
        )
    if proposal.requested_amount and proposal.requested_amount > call.max_per_proposal:
        problems.append(
            _("The call gives at most %(amount)s per proposal.") % {"amount": _money(call.max_per_proposal)}
        )
    if lines and totals.total and totals.cofinancing_percent < call.min_cofinancing_percent:
        problems.append(
            _(
                "The town must pay at least %(percent)s %% of the total cost itself; "
                "the budget has %(actual)s %%."
            )
            % {
                "percent": _plain(call.min_cofinancing_percent),
                "actual": _plain(totals.cofinancing_percent),
            }
        )
    if now < call.opens_at:
        problems.append(_("The call opens for submissions on %(date)s.") % {"date": call.opens_at.date()})
    elif now >= call.closes_at:
        problems.append(_("The call closed for submissions on %(date)s.") % {"date": call.closes_at.date()})
    if not _member_on(programme=call.programme, municipality=proposal.municipality, day=now.date()):
        problems.append(_("Only member towns of the programme can submit proposals."))
    return problems


def proposal_submit(*, proposal: Proposal, actor, now: datetime | None = None) -> Proposal:
    """Validate the proposal fully and submit it; from now on its content is locked."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update()
            .select_related("call__programme", "municipality")
            .get(pk=proposal.pk)
        )
        if locked.status != Status.DRAFT:
            raise ValidationError(_("The proposal has already been submitted."))
        problems = proposal_problems(proposal=locked, now=now)
        if problems:
            raise ValidationError(problems)
        if locked.cite_reports:
            Proposal.objects.filter(pk=locked.pk).update(
                evidence=report_evidence(municipality=locked.municipality, now=now)
            )
        locked = proposal_transition(proposal=locked, action="submit", actor=actor, now=now, prepared=True)
        for user in selectors.programme_managers():
            notification_queue(
                kind="projects_proposal_submitted",
                to_email=user.email,
                recipient=user,
                context={
                    "proposal": locked,
                    "town": locked.municipality.name,
                    "amount": _money(locked.requested_amount),
                    "url": _url("projects:proposal", locked.pk),
                },
                dedup_key=f"proposal:{locked.pk}:submitted:{locked.version}:{user.pk}",
            )
    return locked


# --- the one service that moves a proposal ---------------------------------------------------------------


def transition_allowed(*, proposal: Proposal, action: str, user) -> bool:
    transition = TRANSITIONS.get(action)
    if transition is None or proposal.status not in transition.sources:
        return False
    return bool(getattr(user, "is_superuser", False) or user.has_perm(transition.perm, proposal))


def proposal_transition(
    *,
    proposal: Proposal,
    action: str,
    actor,
    note: str = "",
    now: datetime | None = None,
    prepared: bool = False,
) -> Proposal:
    """Apply one workflow transition, as ``workflow.TRANSITIONS`` defines it, and refuse anything else.

    Transitions that need more than a note (submission, commission outcome, council decision, final report)
    are ``direct=False``: only their dedicated service applies them, passing ``prepared=True`` after its own
    checks. Logs the transition and tells the town's staff what changed (in the public wording)."""
    now = now or timezone.now()
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(pgettext("grants", "Unknown action."))
    if not transition.direct and not prepared:
        raise ValidationError(_("This step is recorded on its own page."))
    note = (note or "").strip()
    if transition.note_required and not note:
        raise ValidationError({"note": _("Please explain the reason in a note.")})
    if len(note) > 4000:
        raise ValidationError({"note": _("The note is too long (at most 4000 characters).")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in transition.sources:
            raise ValidationError(
                _("“%(action)s” is not possible for a proposal that is %(status)s.")
                % {"action": transition.label, "status": locked.get_status_display()}
            )
        if not transition_allowed(proposal=locked, action=action, user=actor):
            raise PermissionDenied(_("You may not do this with this proposal."))
        before = locked.status
        changes = {"status": transition.target, "updated_at": now, "version": models.F("version") + 1}
        for stamp in transition.stamps:
            changes[stamp] = now
        if action == "start":
            end = locked.ends_on or now.date()
            changes["final_report_due_on"] = max(end, now.date()) + timedelta(days=FINAL_REPORT_DAYS)
            changes["final_report_reminded"] = False
            changes["final_report_overdue_notified"] = False
        if action == "return_for_changes":
            changes["submitted_at"] = None
        Proposal.objects.filter(pk=locked.pk, status=before).update(**changes)
        locked.refresh_from_db()
        activity_log(
            actor=actor,
            verb=f"proposal.{action}",
            target=locked,
            from_status=before,
            to_status=locked.status,
            note=note,
            at=now.isoformat(),
        )
        for user in selectors.town_staff(municipality_id=locked.municipality_id):
            if user == actor:
                continue
            notification_queue(
                kind="projects_proposal_status",
                to_email=user.email,
                recipient=user,
                context={
                    "proposal": locked,
                    "public_label": str(transition.public_label),
                    "status": str(locked.public_status),
                    "note": note,
                    "url": _url("projects:proposal", locked.pk),
                },
                dedup_key=f"proposal:{locked.pk}:{action}:{locked.version}:{user.pk}",
            )
    proposal.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


# --- attachments ----------------------------------------------------------------------------------------


def _clean_upload(upload: UploadedFile) -> tuple[str, bytes, str]:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file may have at most 5 MB.")})
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file may have at most 5 MB.")})
    name = (upload.name or "attachment").replace("/", "_").replace("\\", "_")[-150:]
    try:
        return clean_document_or_photo(name, data)
    except UnacceptableFile:
        raise ValidationError(
            {"file": _("“%(name)s” is not a PDF document or a photo (JPEG, PNG).") % {"name": name}}
        ) from None


def attachment_add(*, proposal: Proposal, actor, upload: UploadedFile) -> ProposalAttachment:
    """Attach a PDF or a photo (re-encoded, metadata dropped) to a draft: at most 10 files of 5 MB."""
    _require(actor, "projects.edit_proposal", proposal)
    name, data, content_type = _clean_upload(upload)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not locked.is_editable:
            raise ValidationError(_("The proposal has been submitted and can no longer be changed."))
        if ProposalAttachment.objects.filter(proposal=locked).count() >= MAX_ATTACHMENTS:
            raise ValidationError(
                {"file": _("A proposal may have at most %(count)d files.") % {"count": MAX_ATTACHMENTS}}
            )
        attachment = ProposalAttachment(
            proposal=locked, content_type=content_type, size=len(data), original_name=name, uploaded_by=actor
        )
        attachment.file.save(name, ContentFile(data), save=False)
        try:
            attachment.full_clean(exclude=["file"])
            attachment.save()
            activity_log(actor=actor, verb="proposal.attachment_added", target=locked, name=name)
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_delete(*, attachment: ProposalAttachment, actor) -> None:
    proposal = attachment.proposal
    _require(actor, "projects.edit_proposal", proposal)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not locked.is_editable:
            raise ValidationError(_("The proposal has been submitted and can no longer be changed."))
        name = attachment.file.name
        attachment.delete()
        activity_log(
            actor=actor, verb="proposal.attachment_removed", target=locked, name=attachment.original_name
        )
        transaction.on_commit(lambda: attachment.file.storage.delete(name))


# --- questions thread -----------------------------------------------------------------------------------


def message_post(*, proposal: Proposal, actor, body: str, now: datetime | None = None) -> Message:
    """A question from the programme manager or an answer from the town, in the proposal's thread; the other
    side gets an email."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("The message is too long (at most 4000 characters).")})
    manager = actor.has_perm("projects.manage") or getattr(actor, "is_superuser", False)
    town = actor.has_perm("projects.edit_proposal", proposal)
    if not (manager or town):
        raise PermissionDenied(_("You may not do this with this proposal."))
    if proposal.status not in workflow.THREAD_OPEN:
        raise ValidationError(_("Questions can be asked once the proposal has been submitted."))
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        twin = Message.objects.filter(
            proposal=proposal, author=actor, body=body, created_at__gte=now - DOUBLE_CLICK
        ).first()
        if twin is not None:  # a double click sends one message
            return twin
        message = Message(
            proposal=proposal, author=actor, from_manager=manager and not town, body=body, created_at=now
        )
        message.full_clean()
        message.save()
        activity_log(actor=actor, verb="proposal.message", target=proposal, message=message.pk)
        recipients = (
            selectors.town_staff(municipality_id=proposal.municipality_id)
            if message.from_manager
            else selectors.programme_managers()
        )
        for user in recipients:
            if user == actor:
                continue
            notification_queue(
                kind="projects_question" if message.from_manager else "projects_answer",
                to_email=user.email,
                recipient=user,
                context={"proposal": proposal, "body": body, "url": _url("projects:proposal", proposal.pk)},
                dedup_key=f"proposal-message:{message.pk}:{user.pk}",
            )
    return message


# --- Security Commission --------------------------------------------------------------------------------


def assignments_set(
    *, proposal: Proposal, members: list, actor, now: datetime | None = None
) -> list[Assignment]:
    """The programme manager sets who of the commission reviews ``proposal``. A member from the applicant
    town cannot be assigned; a member who has reviewed stays. A submitted proposal goes to review."""
    now = now or timezone.now()
    _require(actor, "projects.manage", proposal)
    members = list({member.pk: member for member in members}.values())
    for member in members:
        if roles.COMMISSION_MEMBER not in role_names(member):
            raise ValidationError(
                _("%(email)s is not a Security Commission member.") % {"email": member.email}
            )
        profile = getattr(member, "profile", None)
        if profile is not None and profile.municipality_id == proposal.municipality_id:
            raise ValidationError(
                _("%(email)s is from the applicant town and cannot review this proposal.")
                % {"email": member.email}
            )
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in (Status.SUBMITTED, Status.IN_REVIEW):
            raise ValidationError(
                _("Reviewers can be assigned while the proposal waits for or is in review.")
            )
        current = {
            a.member_id: a for a in Assignment.objects.filter(proposal=locked).select_related("review")
        }
        wanted = {member.pk for member in members}
        for member_id, assignment in current.items():
            if member_id not in wanted:
                if hasattr(assignment, "review"):
                    raise ValidationError(
                        _("%(email)s has already reviewed the proposal and stays assigned.")
                        % {"email": assignment.member.email}
                    )
                assignment.delete()
                activity_log(actor=actor, verb="proposal.reviewer_removed", target=locked, member=member_id)
        created = []
        for member in members:
            if member.pk in current:
                continue
            assignment = Assignment.objects.create(
                proposal=locked, member=member, assigned_by=actor, assigned_at=now
            )
            created.append(assignment)
            activity_log(actor=actor, verb="proposal.reviewer_assigned", target=locked, member=member.pk)
            notification_queue(
                kind="projects_review_assigned",
                to_email=member.email,
                recipient=member,
                context={
                    "proposal": locked,
                    "town": locked.municipality.name,
                    "url": _url("projects:review", locked.pk),
                },
                dedup_key=f"assignment:{assignment.pk}",
            )
        if locked.status == Status.SUBMITTED and wanted:
            locked = proposal_transition(proposal=locked, action="start_review", actor=actor, now=now)
    return created


def conflict_declare(
    *, assignment: Assignment, actor, conflict: bool, note: str = "", now=None
) -> Assignment:
    """The member declares whether they have a conflict of interest; with one, they do not review."""
    now = now or timezone.now()
    if assignment.member_id != actor.pk:
        raise PermissionDenied(_("You may not do this with this proposal."))
    note = (note or "").strip()
    if conflict and not note:
        raise ValidationError({"conflict_note": _("Describe the conflict of interest briefly.")})
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("proposal").get(pk=assignment.pk)
        if hasattr(locked, "review"):
            raise ValidationError(_("You have already reviewed this proposal."))
        if locked.proposal.status != Status.IN_REVIEW:
            raise ValidationError(_("The proposal is not in review."))
        locked.conflict = Assignment.Conflict.CONFLICT if conflict else Assignment.Conflict.NONE
        locked.conflict_note = note[:500]
        locked.declared_at = now
        locked.full_clean()
        locked.save()
        activity_log(
            actor=actor,
            verb="proposal.conflict_declared",
            target=locked.proposal,
            conflict=locked.conflict,
            note=note,
        )
    return locked


def weighted_average(pairs) -> Decimal | None:
    """The weighted average of (weight, score) pairs, ignoring None scores (n/a); None when all are n/a."""
    scored = [(Decimal(weight), Decimal(score)) for weight, score in pairs if score is not None]
    weights = sum((weight for weight, _score in scored), ZERO)
    if not weights:
        return None
    return (sum((weight * score for weight, score in scored), ZERO) / weights).quantize(Decimal("0.01"))


def _refresh_proposal_score(proposal_id: int) -> None:
    """A proposal's score: the mean of its reviews' weighted averages (reviews scoring everything n/a do not
    count)."""
    scores = list(Review.objects.filter(assignment__proposal_id=proposal_id).values_list("score", flat=True))
    counted = [score for score in scores if score is not None]
    average = (sum(counted, ZERO) / len(counted)).quantize(Decimal("0.01")) if counted else None
    Proposal.objects.filter(pk=proposal_id).update(score=average, review_count=len(scores))


def review_save(
    *,
    assignment: Assignment,
    actor,
    scores: dict[int, int | None],
    recommendation: str,
    comment: str = "",
    now: datetime | None = None,
) -> Review:
    """Save (or update) a commission member's review: 0–5 or n/a for every criterion of the call, a comment
    and a recommendation. Possible while the proposal is in review and the member declared no conflict."""
    now = now or timezone.now()
    proposal = assignment.proposal
    if assignment.member_id != actor.pk:
        raise PermissionDenied(_("You may not do this with this proposal."))
    _require(actor, "projects.review_proposal", proposal)
    if recommendation not in Review.Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    comment = (comment or "").strip()
    if len(comment) > 4000:
        raise ValidationError({"comment": _("The comment is too long (at most 4000 characters).")})
    criteria = list(Criterion.objects.filter(call_id=proposal.call_id))
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise ValidationError(
            _("Score every criterion (or mark it n/a): %(names)s.") % {"names": ", ".join(missing)}
        )
    for criterion in criteria:
        value = scores[criterion.pk]
        if value is not None and not (0 <= int(value) <= 5):
            raise ValidationError(_("Scores go from 0 to 5."))
    if all(scores[c.pk] is None for c in criteria):
        raise ValidationError(_("Score at least one criterion; not everything can be n/a."))
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("proposal").get(pk=assignment.pk)
        if locked.proposal.status != Status.IN_REVIEW:
            raise ValidationError(_("The proposal is not in review any more; the review cannot change."))
        if locked.conflict == Assignment.Conflict.UNDECLARED:
            raise ValidationError(_("Declare first whether you have a conflict of interest."))
        if locked.conflict == Assignment.Conflict.CONFLICT:
            raise ValidationError(_("You declared a conflict of interest and do not review this proposal."))
        review = Review.objects.filter(assignment=locked).first()
        created = review is None
        if created:
            review = Review(assignment=locked, submitted_at=now)
        review.recommendation = recommendation
        review.comment = comment
        review.updated_at = now
        review.score = weighted_average((c.weight, scores[c.pk]) for c in criteria)
        review.full_clean()
        review.save()
        Score.objects.filter(review=review).delete()
        Score.objects.bulk_create(
            [
                Score(review=review, criterion=c, value=None if scores[c.pk] is None else int(scores[c.pk]))
                for c in criteria
            ]
        )
        _refresh_proposal_score(locked.proposal_id)
        activity_log(
            actor=actor,
            verb="proposal.reviewed" if created else "proposal.review_updated",
            target=locked.proposal,
            score=str(review.score) if review.score is not None else None,
            recommendation=recommendation,
        )
    return review


@transaction.atomic
def meeting_create(
    *, call: Call, actor, held_on: date, place: str = "", attendees: str = "", notes: str = ""
) -> Meeting:
    _require(actor, "projects.manage")
    meeting = Meeting(
        call=call, held_on=held_on, place=place.strip(), attendees=attendees.strip(), notes=notes.strip()
    )
    meeting.full_clean()
    meeting.save()
    meeting_refresh(meeting=meeting, actor=actor)
    activity_log(actor=actor, verb="meeting.created", target=meeting, held_on=held_on.isoformat())
    return meeting


def meeting_refresh(*, meeting: Meeting, actor) -> None:
    """Put on the list every proposal of the call that is in review and not yet on it, and rank the list by
    score (best first; unscored last)."""
    _require(actor, "projects.manage")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.is_closed:
            raise ValidationError(_("The meeting is closed; its list cannot change."))
        present = set(MeetingItem.objects.filter(meeting=locked).values_list("proposal_id", flat=True))
        for proposal in Proposal.objects.filter(call_id=locked.call_id, status=Status.IN_REVIEW).exclude(
            pk__in=present
        ):
            MeetingItem.objects.create(meeting=locked, proposal=proposal)
        # Drop proposals that left review (withdrawn, returned) meanwhile.
        MeetingItem.objects.filter(meeting=locked).exclude(proposal__status=Status.IN_REVIEW).delete()
        items = list(MeetingItem.objects.filter(meeting=locked).select_related("proposal"))
        for item in items:
            item.score, item.review_count = item.proposal.score, item.proposal.review_count
        items.sort(
            key=lambda i: (
                i.score is None,
                -(i.score or 0),
                i.proposal.submitted_at or timezone.now(),
                i.proposal_id,
            )
        )
        for rank, item in enumerate(items, start=1):
            item.rank = rank
        MeetingItem.objects.bulk_update(items, ["rank", "score", "review_count"])


def meeting_save_items(*, meeting: Meeting, actor, items: dict[int, dict]) -> None:
    """Record the commission's recommendation per proposal: recommend or not, the amount proposed, a note."""
    _require(actor, "projects.manage")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.is_closed:
            raise ValidationError(_("The meeting is closed; its list cannot change."))
        rows = {
            item.pk: item for item in MeetingItem.objects.filter(meeting=locked).select_related("proposal")
        }
        errors = []
        for pk, data in items.items():
            item = rows.get(pk)
            if item is None:
                continue
            item.recommend = data.get("recommend")
            item.proposed_amount = data.get("proposed_amount") if item.recommend else None
            item.note = (data.get("note") or "").strip()[:500]
            if item.recommend and not item.proposed_amount:
                errors.append(_("%(title)s: give the amount proposed.") % {"title": item.proposal.title})
            elif item.recommend and item.proposed_amount > (item.proposal.requested_amount or ZERO):
                errors.append(
                    _("%(title)s: the amount proposed exceeds the amount requested.")
                    % {"title": item.proposal.title}
                )
            item.save(update_fields=["recommend", "proposed_amount", "note"])
        if errors:
            raise ValidationError(errors)
        activity_log(actor=actor, verb="meeting.recommendations_saved", target=locked)


def meeting_close(*, meeting: Meeting, actor, now: datetime | None = None) -> Meeting:
    """Close the meeting: every proposal on the list must have a recommendation, and the amounts proposed
    must fit in what the call has left. Each proposal becomes recommended or not recommended."""
    now = now or timezone.now()
    _require(actor, "projects.manage")
    with transaction.atomic():
        _programme, call = _lock_budget(meeting.call)
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.is_closed:
            raise ValidationError(_("The meeting has already been closed."))
        items = list(MeetingItem.objects.filter(meeting=locked).select_related("proposal"))
        if not items:
            raise ValidationError(_("There is no proposal on the list."))
        undecided = [item.proposal.title for item in items if item.recommend is None]
        if undecided:
            raise ValidationError(
                _("Record the commission's recommendation for: %(titles)s.")
                % {"titles": ", ".join(undecided)}
            )
        proposed = sum((item.proposed_amount or ZERO for item in items if item.recommend), ZERO)
        left = call.budget - selectors.approved_total(call=call)
        if proposed > left:
            raise ValidationError(
                _("The amounts proposed (%(proposed)s) exceed what the call has left (%(left)s).")
                % {"proposed": _money(proposed), "left": _money(left)}
            )
        for item in items:
            proposal_transition(
                proposal=item.proposal,
                action="recommend" if item.recommend else "not_recommend",
                actor=actor,
                note=item.note,
                now=now,
                prepared=True,
            )
        locked.closed_at, locked.closed_by = now, actor
        locked.save(update_fields=["closed_at", "closed_by"])
        activity_log(
            actor=actor, verb="meeting.closed", target=locked, proposals=len(items), proposed=str(proposed)
        )
    return locked


# --- council decisions -----------------------------------------------------------------------------------


def _lock_budget(call: Call) -> tuple[Programme, Call]:
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
    _require(actor, "projects.decide", proposal)
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose approved or rejected.")})
    resolution_number = (resolution_number or "").strip()
    if not resolution_number:
        raise ValidationError({"resolution_number": _("Give the number of the council's resolution.")})
    if resolved_on is None or resolved_on > now.date():
        raise ValidationError(
            {"resolved_on": _("Give the date of the resolution; it cannot be in the future.")}
        )
    amount = approved_amount if outcome == Decision.Outcome.APPROVED else ZERO
    if outcome == Decision.Outcome.APPROVED and (amount is None or amount <= 0):
        raise ValidationError({"approved_amount": _("Give the amount approved.")})
    with transaction.atomic():
        programme, call = _lock_budget(proposal.call)
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if (
            locked.status not in workflow.AWAITING_DECISION
            or Decision.objects.filter(proposal=locked).exists()
        ):
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
            if _after_budget_read is not None:
                _after_budget_read()
            if call_total + amount > call.budget:
                raise ValidationError(
                    {
                        "approved_amount": _(
                            "Approving %(amount)s would exceed the call's budget: "
                            "%(left)s is left of %(budget)s."
                        )
                        % {
                            "amount": _money(amount),
                            "left": _money(call.budget - call_total),
                            "budget": _money(call.budget),
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
                            "amount": _money(amount),
                            "left": _money(programme.total_budget - programme_total),
                            "budget": _money(programme.total_budget),
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
            outcome=outcome,
            approved_amount=str(amount),
            resolution_number=resolution_number,
            resolved_on=resolved_on.isoformat(),
        )
        proposal_transition(
            proposal=locked,
            action="approve" if outcome == Decision.Outcome.APPROVED else "reject",
            actor=actor,
            note=_("Resolution %(number)s of %(date)s") % {"number": resolution_number, "date": resolved_on},
            now=now,
            prepared=True,
        )
    return decision


# --- final reports --------------------------------------------------------------------------------------


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
    approved."""
    now = now or timezone.now()
    _require(actor, "projects.edit_proposal", proposal)
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
                    % {"amount": _money(approved)}
                }
            )
        report = FinalReport.objects.filter(proposal=locked).first() or FinalReport(proposal=locked)
        report.summary, report.results = summary, results
        report.spent_amount, report.cofinancing_spent = spent_amount, cofinancing_spent or ZERO
        report.submitted_by, report.submitted_at = actor, now
        report.full_clean()
        report.save()
        proposal_transition(
            proposal=locked, action="submit_final_report", actor=actor, now=now, prepared=True
        )
        for user in selectors.programme_managers():
            notification_queue(
                kind="projects_final_report_submitted",
                to_email=user.email,
                recipient=user,
                context={
                    "proposal": locked,
                    "town": locked.municipality.name,
                    "url": _url("projects:proposal", locked.pk),
                },
                dedup_key=f"proposal:{locked.pk}:final_report:{report.submitted_at.isoformat()}:{user.pk}",
            )
    return report


@dataclass
class ReminderResult:
    reminded: int = 0
    overdue: int = 0


def final_reports_remind(*, today: date | None = None, batch: int = 500) -> ReminderResult:
    """Remind the towns of final reports due within 14 days, and tell them (and the programme manager) when
    one is overdue. Each proposal is claimed with a conditional UPDATE before anything is queued, and the
    emails carry dedup keys: running it twice, on two workers, or after days of downtime sends each once."""
    today = today or timezone.localdate()
    result = ReminderResult()
    due_soon = Proposal.objects.filter(
        status=Status.IN_PROGRESS,
        final_report_reminded=False,
        final_report_due_on__lte=today + REMIND_BEFORE,
        final_report_due_on__gte=today,
    ).values_list("pk", flat=True)[:batch]
    for pk in list(due_soon):
        with transaction.atomic():
            claimed = Proposal.objects.filter(
                pk=pk, status=Status.IN_PROGRESS, final_report_reminded=False
            ).update(final_report_reminded=True)
            if claimed != 1:
                continue
            _final_report_notify(pk, kind="projects_final_report_due", managers=False)
            result.reminded += 1
    overdue = Proposal.objects.filter(
        status=Status.IN_PROGRESS, final_report_overdue_notified=False, final_report_due_on__lt=today
    ).values_list("pk", flat=True)[:batch]
    for pk in list(overdue):
        with transaction.atomic():
            claimed = Proposal.objects.filter(
                pk=pk, status=Status.IN_PROGRESS, final_report_overdue_notified=False
            ).update(final_report_overdue_notified=True, final_report_reminded=True)
            if claimed != 1:
                continue
            _final_report_notify(pk, kind="projects_final_report_overdue", managers=True)
            result.overdue += 1
    return result


def _final_report_notify(pk: int, *, kind: str, managers: bool) -> None:
    proposal = Proposal.objects.select_related("call", "municipality").get(pk=pk)
    recipients = list(selectors.town_staff(municipality_id=proposal.municipality_id))
    if managers:
        recipients += list(selectors.programme_managers())
    for user in recipients:
        notification_queue(
            kind=kind,
            to_email=user.email,
            recipient=user,
            context={
                "proposal": proposal,
                "town": proposal.municipality.name,
                "due_on": proposal.final_report_due_on,
                "url": _url("projects:proposal", proposal.pk),
            },
            dedup_key=f"proposal:{pk}:{kind}:{proposal.final_report_due_on.isoformat()}:{user.pk}",
        )
    activity_log(
        verb=f"proposal.{kind.removeprefix('projects_')}",
        target=proposal,
        due_on=proposal.final_report_due_on.isoformat(),
    )
