"""The Security Commission's meetings: the list of reviewed proposals ranked by score, the recommendation
and amount proposed for each, and closing the meeting, which moves each proposal on."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log
from portal.workflow import apply

from .. import selectors
from ..models import Call, Meeting, MeetingItem, Proposal
from ..money import ZERO, money_text
from ..rules import require
from ..workflow import PROPOSAL, Status
from .decisions import lock_budget

MAX_ITEM_NOTE = 500


def meeting_create(
    *,
    call: Call,
    actor,
    held_on: date,
    place: str = "",
    attendees: str = "",
    notes: str = "",
    now: datetime | None = None,
) -> Meeting:
    """A meeting on ``call``, its list filled with the call's proposals in review."""
    now = now or timezone.now()
    require(actor, "projects.manage")
    with transaction.atomic():
        meeting = Meeting(
            call=call,
            held_on=held_on,
            place=place.strip(),
            attendees=attendees.strip(),
            notes=notes.strip(),
            created_at=now,
        )
        meeting.full_clean()
        meeting.save()
        meeting_refresh(meeting=meeting, actor=actor)
        activity_log(actor=actor, verb="meeting.created", target=meeting, at=now, held_on=held_on.isoformat())
    return meeting


def meeting_refresh(*, meeting: Meeting, actor) -> None:
    """Put on the list every proposal of the call that is in review and not yet on it, and rank the list by
    score (best first; unscored last)."""
    require(actor, "projects.manage")
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
    require(actor, "projects.manage")
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
            item.note = (data.get("note") or "").strip()[:MAX_ITEM_NOTE]
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
    """Close the meeting: every reviewed proposal on the list must have a recommendation, and the amounts
    proposed must fit in what the call has left. Each becomes recommended or not recommended; a proposal
    nobody has reviewed stays in review, off the list, named in the meeting's notes."""
    now = now or timezone.now()
    require(actor, "projects.manage")
    with transaction.atomic():
        _programme, call = lock_budget(meeting.call)
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.is_closed:
            raise ValidationError(_("The meeting has already been closed."))
        items = list(MeetingItem.objects.filter(meeting=locked).select_related("proposal"))
        if not items:
            raise ValidationError(_("There is no proposal on the list."))
        # Nobody has reviewed these: the commission cannot recommend them yet. They stay in review, leave the
        # ranked list and are named in the meeting's notes, for a later meeting.
        # ``review_count``: the reviews submitted (``reviews._refresh_proposal_score`` keeps it)
        unreviewed = [item for item in items if not item.proposal.review_count]
        items = [item for item in items if item.proposal.review_count]
        if not items:
            raise ValidationError(
                _("No proposal on the list has a review yet; the commission cannot recommend any.")
            )
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
                % {"proposed": money_text(proposed), "left": money_text(left)}
            )
        for item in items:
            outcome = "recommend" if item.recommend else "not_recommend"
            apply(PROPOSAL, item.proposal, outcome, actor=actor, inputs={"note": item.note}, now=now)
        if unreviewed:
            _leave_unreviewed(locked, unreviewed, actor=actor, now=now)
            for rank, item in enumerate(items, start=1):
                item.rank = rank
            MeetingItem.objects.bulk_update(items, ["rank"])
        locked.closed_at, locked.closed_by = now, actor
        locked.save(update_fields=["closed_at", "closed_by", "notes"])
        activity_log(
            actor=actor,
            verb="meeting.closed",
            target=locked,
            at=now,
            proposals=len(items),
            proposed=str(proposed),
        )
    return locked


def _leave_unreviewed(meeting: Meeting, items: list[MeetingItem], *, actor, now: datetime) -> None:
    """Take the proposals nobody reviewed off the closing meeting's list (they stay in review) and say so in
    the meeting's notes and each proposal's history."""
    titles = ", ".join(item.proposal.title for item in items)
    note = _("Not reviewed, so left in review for a later meeting: %(titles)s.") % {"titles": titles}
    meeting.notes = "\n".join(part for part in (meeting.notes, note) if part)[:5000]
    MeetingItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    for item in items:
        activity_log(
            actor=actor, verb="proposal.left_in_review", target=item.proposal, at=now, meeting=meeting.pk
        )


# --- council decisions -----------------------------------------------------------------------------------
