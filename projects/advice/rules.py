"""Who may do what at the advice desk (django-rules predicates, checked by the services and the workflow).

A working group's members act on their group's questions only; the programme manager sees every group's
questions, reassigns them and hears of escalations. The resident needs no account: holding the tracking
link is what authorizes their steps (``services`` check the link, the workflow lets ``resident`` pass).
"""

import rules

from portal.permissions import is_programme_manager


def group_ids(user) -> frozenset[int]:
    """The working groups ``user`` belongs to, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_advice_group_ids", None)
    if cached is None:
        from .models import GroupMember  # models import the workflow, which imports these rules

        cached = frozenset(GroupMember.objects.filter(user=user).values_list("group_id", flat=True))
        user._advice_group_ids = cached
    return cached


@rules.predicate
def is_group_member(user, question) -> bool:
    return question is not None and question.group_id in group_ids(user)


@rules.predicate
def is_in_a_group(user) -> bool:
    return bool(group_ids(user))


# The resident acts through the tracking link (the services check it); the workflow lets them pass
resident = rules.always_allow

member = is_group_member
manager = is_programme_manager
member_or_manager = is_group_member | is_programme_manager
staff = is_in_a_group | is_programme_manager  # may open the advice desk's staff pages
