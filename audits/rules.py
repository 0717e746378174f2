"""Object rules of the audits app (django-rules), registered when the app loads (``apps.ready``).

Objects: a ``Wave``. A wave's methodologist (role ``survey_methodologist`` and named on the wave) runs it and
alone sees its raw answers; an interviewer (role ``survey_interviewer``) enters interviews in the towns of
their profile; the public sees published aggregates only (no rule needed).
"""

import rules

from portal import roles
from portal.permissions import has_role, is_municipal_staff, user_profile

is_survey_interviewer = has_role(roles.SURVEY_INTERVIEWER)
is_survey_methodologist = has_role(roles.SURVEY_METHODOLOGIST)


@rules.predicate
def is_waves_methodologist(user, wave) -> bool:
    if wave is None or not getattr(user, "is_authenticated", False):
        return False
    return wave.methodologists.filter(pk=user.pk).exists()


@rules.predicate
def is_in_waves_town(user, wave) -> bool:
    profile = user_profile(user)
    if wave is None or profile is None or not profile.municipality_id:
        return False
    return wave.municipalities.filter(pk=profile.municipality_id).exists()


wave_methodologist = is_survey_methodologist & is_waves_methodologist
wave_interviewer = is_survey_interviewer & is_in_waves_town

rules.add_perm("audits.manage_surveys", is_survey_methodologist)
rules.add_perm("audits.manage_wave", wave_methodologist)
rules.add_perm("audits.view_raw_answers", wave_methodologist)
rules.add_perm("audits.enter_interview", wave_interviewer)


# --- audits (object: an Audit): the town's municipal staff coordinate their town's audit
@rules.predicate
def is_audits_town(user, audit) -> bool:
    profile = user_profile(user)
    return bool(audit is not None and profile and profile.municipality_id == audit.municipality_id)


audit_coordinator = is_municipal_staff & is_audits_town

rules.add_perm("audits.manage_audit", audit_coordinator)


@rules.predicate
def is_audits_steering_member(user, audit) -> bool:
    if audit is None or not getattr(user, "is_authenticated", False):
        return False
    return audit.steering_group.filter(user=user).exists()


# Interview and focus-group notes: the steering group (members linked to an account) and the coordinator
rules.add_perm("audits.view_private_notes", audit_coordinator | is_audits_steering_member)
