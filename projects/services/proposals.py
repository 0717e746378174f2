"""Proposals: the town drafts (texts, budget, attachments) and submits; the workflow moves them on; the
programme manager and the town talk in the proposal's thread."""

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Municipality
from portal.services import activity_log, create_once, notification_queue
from portal.uploads import UnacceptableFile, clean_document_or_photo
from portal.workflow import apply

from .. import selectors
from ..models import BudgetLine, Call, EligibleCost, Message, Proposal, ProposalAttachment
from ..money import ZERO
from ..rules import require
from ..workflow import PROPOSAL, THREAD_OPEN, Status, proposal_url

MAX_BUDGET_LINES = 40
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_PROPOSALS_PER_TOWN_AND_CALL = 5
MAX_MESSAGE = 4000
# A project's dates lie within this many years before and after its call's year: a date typed as year 1 or
# 9999 is refused (the final report's deadline, 60 days after the end, could not even be computed)
PROJECT_YEARS_BEFORE, PROJECT_YEARS_AFTER = 5, 10

# What the town writes in a draft (the edit form shows these, in this order)
PROPOSAL_FIELDS = (
    "title",
    "local_need",
    "cite_reports",
    "goals",
    "activities",
    "timetable",
    "starts_on",
    "ends_on",
)
# ``requested_amount`` is not among them: the service computes it from the budget lines on every save (the
# call's rules make it exactly the total cost minus the town's part, so there is nothing to type)

_SUBMITTED = _("The proposal has been submitted and can no longer be changed.")


# --- drafting -------------------------------------------------------------------------------------------


def proposal_date_problems(*, call: Call, starts_on, ends_on) -> dict[str, str]:
    """The project's dates outside the window around its call's year: field → translated message. The
    draft form asks this too."""
    first, last = call.year - PROJECT_YEARS_BEFORE, call.year + PROJECT_YEARS_AFTER
    message = _("Enter a date in the years %(first)d to %(last)d.") % {"first": first, "last": last}
    return {
        name: message
        for name, value in (("starts_on", starts_on), ("ends_on", ends_on))
        if value is not None and not first <= value.year <= last
    }


def proposal_create(
    *,
    call: Call,
    municipality: Municipality,
    actor,
    title: str,
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Start a draft proposal of ``municipality`` in ``call``. Only member towns propose, until the call
    closes. The start form's ``submission_key``: a double click gives the draft the first click made."""
    now = now or timezone.now()
    require(actor, "projects.submit_proposal", municipality)
    if not selectors.is_member_on(
        programme=call.programme, municipality=municipality, day=timezone.localdate(now)
    ):
        raise ValidationError(_("Only member towns of the programme can submit proposals."))
    if now >= call.closes_at:
        raise ValidationError(_("This call is closed."))

    def create() -> Proposal:
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
            submission_key=submission_key,
        )
        proposal.full_clean(exclude=["submission_key"])
        proposal.save()
        activity_log(actor=actor, verb="proposal.created", target=proposal, at=now, title=proposal.title)
        return proposal

    with transaction.atomic():
        # Lock the call: two drafts started at once cannot pass the per-town limit together.
        Call.objects.select_for_update().get(pk=call.pk)
        proposal, _created = create_once(
            Proposal, submission_key=submission_key, create=create, municipality=municipality
        )
    return proposal


def _budget_lines(proposal: Proposal, rows: list[dict]) -> list[BudgetLine]:
    costs = {cost.pk for cost in EligibleCost.objects.filter(call_id=proposal.call_id)}
    lines = []
    for order, row in enumerate(rows):
        cost_id = row.get("eligible_cost").pk if row.get("eligible_cost") else row.get("eligible_cost_id")
        if cost_id is not None and cost_id not in costs:
            raise ValidationError(_("A budget line names a cost type this call does not pay for."))
        line = BudgetLine(
            proposal=proposal,
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
    return lines


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
    require(actor, "projects.edit_proposal", proposal)
    if len(budget_lines) > MAX_BUDGET_LINES:
        raise ValidationError(_("A budget may have at most %(count)d lines.") % {"count": MAX_BUDGET_LINES})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        if not locked.is_editable:
            raise ValidationError(_SUBMITTED)
        if expected_version is not None and locked.version != expected_version:
            raise ValidationError(
                _("Someone else has just saved this proposal. Reload the page and make your changes again.")
            )
        for name in PROPOSAL_FIELDS:
            if name in fields:
                value = fields[name]
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if problems := proposal_date_problems(
            call=locked.call, starts_on=locked.starts_on, ends_on=locked.ends_on
        ):
            raise ValidationError(problems)
        locked.evidence = (
            selectors.report_evidence(municipality=locked.municipality, now=now)
            if locked.cite_reports
            else {}
        )
        lines = _budget_lines(locked, budget_lines)
        # Never taken from the client: the total cost minus the town's part (none without a budget)
        locked.requested_amount = selectors.budget_totals(lines).requested if lines else None
        locked.updated_at = now
        locked.version += 1
        locked.full_clean(exclude=["submission_key"])
        locked.save()
        BudgetLine.objects.filter(proposal=locked).delete()
        BudgetLine.objects.bulk_create(lines)
        activity_log(actor=actor, verb="proposal.saved", target=locked, at=now, version=locked.version)
    proposal.refresh_from_db()
    return locked


def proposal_submit(*, proposal: Proposal, actor, now: datetime | None = None) -> Proposal:
    """Validate the proposal fully and submit it; from now on its content is locked. The programme
    managers are told (``workflow``: the ``submit`` transition's emails)."""
    now = now or timezone.now()
    require(actor, "projects.edit_proposal", proposal)
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update()
            .select_related("call__programme", "municipality")
            .get(pk=proposal.pk)
        )
        if locked.status != Status.DRAFT:
            raise ValidationError(_("The proposal has already been submitted."))
        problems = selectors.proposal_problems_by_field(proposal=locked, now=now)
        if problems:
            raise ValidationError(problems)  # keyed by field: the draft form shows each at its field
        if locked.cite_reports:
            Proposal.objects.filter(pk=locked.pk).update(
                evidence=selectors.report_evidence(municipality=locked.municipality, now=now)
            )
        return apply(PROPOSAL, locked, "submit", actor=actor, now=now)


# --- the generic action form ----------------------------------------------------------------------------


def proposal_transition(
    *, proposal: Proposal, action: str, actor, note: str = "", now: datetime | None = None
) -> Proposal:
    """Apply one of the workflow's direct transitions (``workflow.PROPOSAL``), as the generic action form
    asks, and refuse anything else. Steps that need more than a note (submission, commission outcome,
    council decision, final report) are applied by their own services."""
    return apply(PROPOSAL, proposal, action, actor=actor, inputs={"note": note}, direct_only=True, now=now)


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
    except UnacceptableFile as refused:
        raise ValidationError(
            {
                "file": refused.message
                or _("“%(name)s” is not a PDF document or a photo (JPEG, PNG).") % {"name": name}
            }
        ) from None


def _lock_draft(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_editable:
        raise ValidationError(_SUBMITTED)
    return locked


def attachment_add(*, proposal: Proposal, actor, upload: UploadedFile) -> ProposalAttachment:
    """Attach a PDF or a photo (re-encoded, metadata dropped) to a draft: at most 10 files of 5 MB."""
    require(actor, "projects.edit_proposal", proposal)
    name, data, content_type = _clean_upload(upload)
    with transaction.atomic():
        locked = _lock_draft(proposal)
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
    require(actor, "projects.edit_proposal", attachment.proposal)
    with transaction.atomic():
        locked = _lock_draft(attachment.proposal)
        name = attachment.file.name
        attachment.delete()
        activity_log(
            actor=actor, verb="proposal.attachment_removed", target=locked, name=attachment.original_name
        )
        transaction.on_commit(lambda: attachment.file.storage.delete(name))


# --- questions thread -----------------------------------------------------------------------------------


def message_post(
    *,
    proposal: Proposal,
    actor,
    body: str,
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Message:
    """A question from the programme manager or an answer from the town, in the proposal's thread; the other
    side gets an email. The form's ``submission_key``: a double click sends one message."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    if len(body) > MAX_MESSAGE:
        raise ValidationError({"body": _("The message is too long (at most 4000 characters).")})
    manager = actor.has_perm("projects.manage")
    town = actor.has_perm("projects.edit_proposal", proposal)
    if not (manager or town):
        raise PermissionDenied(_("You may not do this with this proposal."))
    if proposal.status not in THREAD_OPEN:
        raise ValidationError(_("Questions can be asked once the proposal has been submitted."))

    def create() -> Message:
        message = Message(
            proposal=proposal,
            author=actor,
            from_manager=manager and not town,
            body=body,
            created_at=now,
            submission_key=submission_key,
        )
        message.full_clean(exclude=["submission_key"])
        message.save()
        activity_log(actor=actor, verb="proposal.message", target=proposal, at=now, message=message.pk)
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
                context={"proposal": proposal, "body": body, "url": proposal_url(proposal)},
                dedup_key=f"proposal-message:{message.pk}:{user.pk}",
            )
        return message

    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        message, _created = create_once(
            Message, submission_key=submission_key, create=create, proposal=proposal, author=actor
        )
    return message
