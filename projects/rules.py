"""Object rules of the projects app (django-rules), registered when the app loads (``apps.ready``).

Objects: the applicant ``Municipality`` for ``submit_proposal``; a ``Proposal`` for the others (the
page-level ones ignore it). The workflow's transitions (``workflow.py``) name the predicate that allows each
step; services check them (``require`` or the workflow's apply), views ask the same rules early for a nicer
page.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.permissions import (
    belongs_to_municipality,
    is_commission_member,
    is_municipal_staff,
    is_programme_manager,
    user_profile,
)

from .statuses import Status


@rules.predicate
def is_applicant_town(user, proposal) -> bool:
    profile = user_profile(user)
    return bool(profile and proposal is not None and profile.municipality_id == proposal.municipality_id)


@rules.predicate
def is_submitted(user, proposal) -> bool:
    return proposal is not None and proposal.status != Status.DRAFT


@rules.predicate
def is_assigned_reviewer(user, proposal) -> bool:
    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    return proposal.status != Status.DRAFT and proposal.assignments.filter(member_id=user.pk).exists()


@rules.predicate
def has_declared_conflict(user, proposal) -> bool:
    """The user is assigned to the proposal and declared a conflict of interest on it."""
    from .models import Assignment  # models import the workflow, which imports these rules

    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    return proposal.assignments.filter(member_id=user.pk, conflict=Assignment.Conflict.CONFLICT).exists()


@rules.predicate
def has_reviewed(user, proposal) -> bool:
    """The user has submitted their own review of the proposal."""
    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    return proposal.assignments.filter(member_id=user.pk, review__isnull=False).exists()


town = is_municipal_staff & is_applicant_town  # municipal staff of the applicant town
manager = is_programme_manager  # the programme manager
council = is_programme_manager  # … who records the council's resolutions
# A commission member from the applicant town never reviews its proposal, even when assigned; nor does one who
# declared a conflict of interest: they cannot open the proposal, its attachments or its scores either.
reviewer = is_commission_member & is_assigned_reviewer & ~is_applicant_town & ~has_declared_conflict

rules.add_perm("projects.submit_proposal", is_municipal_staff & belongs_to_municipality)
rules.add_perm("projects.edit_proposal", town)
rules.add_perm("projects.review_proposal", reviewer)
rules.add_perm("projects.view_proposal", town | (manager & is_submitted) | reviewer)
# The running score and the other members' reviews: the manager always, a reviewer once they reviewed it
rules.add_perm("projects.view_scores", manager | (reviewer & has_reviewed))
rules.add_perm("projects.view_commission", is_commission_member)
rules.add_perm("projects.manage", manager)
rules.add_perm("projects.decide", council)


CONFLICT_REFUSAL = gettext_lazy(
    "You declared a conflict of interest on this proposal: you cannot open it, its attachments or its scores."
)


def conflict_refusal(user, obj):
    """Why ``user`` is refused ``obj`` when it is a proposal they declared a conflict of interest on, else
    None."""
    if obj is not None and obj._meta.label == "projects.Proposal" and has_declared_conflict(user, obj):
        return CONFLICT_REFUSAL
    return None


def require(user, perm: str, obj=None) -> None:
    """The services' check: ``user`` may ``perm`` (on ``obj``), or PermissionDenied (saying why when it is the
    user's own declared conflict of interest)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(conflict_refusal(user, obj) or _("You may not do this with this proposal."))


from .results import rules as _results_rules  # noqa: E402, F401 - the results' rules (issue 17)
