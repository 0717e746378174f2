"""The "next step" panel of a proposal for the programme manager: what to do now, from the workflow's
declarations (``workflow.MANAGER_NEXT_STEP``) and, while the commission reviews, from its reviews."""

from django.utils.translation import ngettext

from .models import Assignment, Proposal
from .workflow import MANAGER_NEXT_STEP, REVIEW_NEXT_STEP, Status


def _name(assignment: Assignment) -> str:
    profile = getattr(assignment.member, "profile", None)
    return (profile.full_name if profile is not None and profile.full_name else "") or assignment.member.email


def _has_review(assignment: Assignment) -> bool:
    try:
        return assignment.review is not None
    except Assignment.review.RelatedObjectDoesNotExist:
        return False


def manager_next_step(*, proposal: Proposal, assignments: list[Assignment]) -> str | None:
    """The sentence the manager reads; None for a closed proposal."""
    if proposal.status != Status.IN_REVIEW:
        text = MANAGER_NEXT_STEP.get(proposal.status)
        return str(text) if text else None
    # Members who declared a conflict of interest do not review: they are not waited for
    reviewers = [a for a in assignments if a.conflict != Assignment.Conflict.CONFLICT]
    if not reviewers:
        return str(REVIEW_NEXT_STEP["unassigned"])
    waiting = [a for a in reviewers if not _has_review(a)]
    if not waiting:
        return str(REVIEW_NEXT_STEP["all_in"]) % {"done": len(reviewers), "total": len(reviewers)}
    return ngettext(
        "Waiting for %(count)d review (%(names)s); %(done)d of %(total)d in.",
        "Waiting for %(count)d reviews (%(names)s); %(done)d of %(total)d in.",
        len(waiting),
    ) % {
        "count": len(waiting),
        "names": ", ".join(_name(a) for a in waiting),
        "done": len(reviewers) - len(waiting),
        "total": len(reviewers),
    }
