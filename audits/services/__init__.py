"""The audits app's writes (HackSoft style: ``<entity>_<action>(*, …)``, keyword-only, in a transaction).

- ``questionnaires``: the core questionnaire, versioning (a version with answers never changes);
- ``audit_cycle``: the local safety audit, its phases, findings, priorities, actions and indicators;
- ``surveys``: waves and their workflow, invitation codes, responses and answers, population shares.
"""

from .audit_cycle import (
    action_add,
    action_set_status,
    audit_create,
    audit_transition,
    audit_update,
    finding_add,
    indicator_add,
    priority_add,
    steering_member_add,
    steering_member_remove,
)
from .questionnaires import question_save, questionnaire_core_ensure, questionnaire_has_answers
from .surveys import (
    INVITATION_LETTERS_MAX,
    answer_save,
    device_hash,
    invitations_generate,
    new_device_token,
    response_set_district,
    response_start_interview,
    response_start_web,
    response_start_with_code,
    response_submit,
    responses_record_bulk,
    wave_create,
    wave_population_shares_import,
    wave_transition,
)

__all__ = [
    "action_add",
    "action_set_status",
    "audit_create",
    "audit_update",
    "steering_member_remove",
    "audit_transition",
    "finding_add",
    "indicator_add",
    "priority_add",
    "steering_member_add",
    "device_hash",
    "new_device_token",
    "INVITATION_LETTERS_MAX",
    "answer_save",
    "invitations_generate",
    "question_save",
    "questionnaire_core_ensure",
    "questionnaire_has_answers",
    "response_set_district",
    "response_start_interview",
    "response_start_web",
    "response_start_with_code",
    "response_submit",
    "responses_record_bulk",
    "wave_create",
    "wave_population_shares_import",
    "wave_transition",
]
