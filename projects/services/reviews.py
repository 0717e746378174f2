"""The Security Commission's reviews: who reviews a proposal, conflicts of interest, the scores and their
weighted averages."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import roles
from portal.roles import role_names
from portal.services import activity_log, notification_queue
from portal.web import absolute_reverse
from portal.workflow import apply

from ..models import Assignment, Criterion, Proposal, Review, Score
from ..money import ZERO
from ..rules import require
from ..workflow import ASSIGNABLE, PROPOSAL, Status

MAX_COMMENT = 4000


def assignments_set(
    *, proposal: Proposal, members: list, actor, now: datetime | None = None
) -> list[Assignment]:
    """The programme manager sets who of the commission reviews ``proposal``. A member from the applicant
    town cannot be assigned; a member who has reviewed stays. A submitted proposal goes to review."""
    now = now or timezone.now()
    require(actor, "projects.manage", proposal)
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
        if locked.status not in ASSIGNABLE:
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
            activity_log(
                actor=actor, verb="proposal.reviewer_assigned", target=locked, at=now, member=member.pk
            )
            notification_queue(
                kind="projects_review_assigned",
                to_email=member.email,
                recipient=member,
                context={
                    "proposal": locked,
                    "town": locked.municipality.name,
                    "url": absolute_reverse("projects:review", locked.pk),
                },
                dedup_key=f"assignment:{assignment.pk}",
            )
        if locked.status == Status.SUBMITTED and wanted:
            apply(PROPOSAL, locked, "start_review", actor=actor, now=now)
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
            at=now,
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
    declared = Assignment.objects.filter(pk=assignment.pk, conflict=Assignment.Conflict.CONFLICT)
    if declared.exists():  # their own declaration: say so, not just "you may not"
        raise ValidationError(_("You declared a conflict of interest and do not review this proposal."))
    require(actor, "projects.review_proposal", proposal)
    if recommendation not in Review.Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
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
            at=now,
            score=str(review.score) if review.score is not None else None,
            recommendation=recommendation,
        )
    return review
