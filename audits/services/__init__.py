"""The audits app's writes (HackSoft style: ``<entity>_<action>(*, …)``, keyword-only, in a transaction).

- ``questionnaires``: the core questionnaire, versioning (a version with answers never changes);
- ``surveys``: waves and their workflow, invitation codes, responses and answers, population shares.
"""

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
    wave_create,
    wave_population_shares_import,
    wave_transition,
)

__all__ = [
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
    "wave_create",
    "wave_population_shares_import",
    "wave_transition",
]
