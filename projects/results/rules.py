"""Object rules of the project results (registered with the app's rules, ``projects/rules.py``).

Object: a ``ProjectResult``. The programme manager records areas, controls, milestones and publishes the
effect panel (``manage_results``); the applicant town's staff and the manager see the draft panel
(``view_effect_draft``). A published panel, the milestones and progress are public: not a rule, a fact of
the record (``ProjectResult.effect_published``)."""

import rules

from portal.permissions import is_municipal_staff, is_programme_manager, user_profile


@rules.predicate
def is_result_town(user, result) -> bool:
    profile = user_profile(user)
    return bool(profile and result is not None and profile.municipality_id == result.proposal.municipality_id)


rules.add_perm("projects.manage_results", is_programme_manager)
rules.add_perm("projects.view_effect_draft", is_programme_manager | (is_municipal_staff & is_result_town))
