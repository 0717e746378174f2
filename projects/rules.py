"""Object rules of the projects app (django-rules), registered when the app loads (``apps.ready``).

Objects: the applicant ``Municipality`` for ``submit_proposal``; a ``Proposal`` for the others (the
page-level ones ignore it). The workflow's transitions (``workflow.py``) name the predicate that allows each
step; services check them (``require`` or the workflow's apply), views ask the same rules early for a nicer
page.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

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


town = is_municipal_staff & is_applicant_town  # municipal staff of the applicant town
manager = is_programme_manager  # the programme manager
council = is_programme_manager  # … who records the council's resolutions
# A commission member from the applicant town never reviews its proposal, even when assigned.
reviewer = is_commission_member & is_assigned_reviewer & ~is_applicant_town

rules.add_perm("projects.submit_proposal", is_municipal_staff & belongs_to_municipality)
rules.add_perm("projects.edit_proposal", town)
rules.add_perm("projects.review_proposal", reviewer)
rules.add_perm("projects.view_proposal", town | (manager & is_submitted) | reviewer)
rules.add_perm("projects.view_commission", is_commission_member)
rules.add_perm("projects.manage", manager)
rules.add_perm("projects.decide", council)


def require(user, perm: str, obj=None) -> None:
    """The services' check: ``user`` may ``perm`` (on ``obj``), or PermissionDenied."""
    if not (getattr(user, "is_superuser", False) or user.has_perm(perm, obj)):
        raise PermissionDenied(_("You may not do this with this proposal."))
