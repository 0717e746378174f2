"""Questionnaires and their versions. A version that has answers is frozen: ``question_save`` then copies
the questionnaire into a new version and changes the copy, so earlier answers keep the wording they had."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.services import activity_log

from ..catalogue import CORE_QUESTIONS
from ..models import Answer, Question, Questionnaire

CORE_CODE = "core"
CORE_TITLE = {
    "cs": "Pocit bezpečí v obci",
    "pl": "Poczucie bezpieczeństwa w gminie",
    "en": "Feeling safe in your town",
    "nb": "Trygghet i kommunen",
}


def _options(items) -> list[dict]:
    return [{"code": code, "label": labels} for code, labels in items]


def questionnaire_core_ensure() -> Questionnaire:
    """The core questionnaire (its newest version), created from ``catalogue.CORE_QUESTIONS`` if missing."""
    existing = Questionnaire.objects.filter(code=CORE_CODE).order_by("-version").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(code=CORE_CODE, version=1, title=CORE_TITLE)
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                order=order,
                code=code,
                kind=kind,
                text=text,
                options=_options(options),
                rows=_options(extra.get("rows", [])),
                required=not extra.get("optional", False),
                success=extra.get("success", []),
                excluded=extra.get("excluded", []),
                headline=extra.get("headline", False),
                demographic=extra.get("demographic", False),
                max_choices=extra.get("max_choices") or extra.get("max_points"),
            )
            for order, (code, kind, text, options, extra) in enumerate(CORE_QUESTIONS, start=1)
        )
    return questionnaire


def questionnaire_has_answers(questionnaire: Questionnaire) -> bool:
    return Answer.objects.filter(question__questionnaire=questionnaire).exists()


def _new_version(questionnaire: Questionnaire) -> Questionnaire:
    newest = Questionnaire.objects.filter(code=questionnaire.code).order_by("-version").first()
    copy = Questionnaire.objects.create(
        code=questionnaire.code,
        version=newest.version + 1,
        title=questionnaire.title,
        municipality=questionnaire.municipality,
    )
    questions = list(questionnaire.questions.all())
    for question in questions:
        question.pk = None
        question.questionnaire = copy
    Question.objects.bulk_create(questions)
    return copy


def question_save(
    *,
    actor,
    questionnaire: Questionnaire,
    code: str,
    kind: str,
    text: dict[str, str],
    options: list[dict] | None = None,
    rows: list[dict] | None = None,
    required: bool = True,
    success: list[str] | None = None,
    excluded: list[str] | None = None,
    local: bool = True,
) -> Question:
    """Add a question (or change the one with this ``code``). If the questionnaire already has answers, the
    change goes into a new version of it (returned as ``question.questionnaire``); the old one stays as it
    was."""
    if not actor.has_perm("audits.manage_surveys"):
        raise ValidationError(_("Only a survey methodologist may change questionnaires."))
    text = {lang: (value or "").strip() for lang, value in (text or {}).items() if (value or "").strip()}
    if not text:
        raise ValidationError({"text": _("Write the question in at least one language.")})
    with transaction.atomic():
        if questionnaire_has_answers(questionnaire):
            questionnaire = _new_version(questionnaire)
        question = questionnaire.questions.filter(code=code).first() or Question(
            questionnaire=questionnaire, code=code, order=questionnaire.questions.count() + 1
        )
        question.kind = kind
        question.text = text
        question.options = options or []
        question.rows = rows or []
        question.required = required
        question.success = success or []
        question.excluded = excluded or []
        question.local = local
        question.full_clean(validate_constraints=False)
        if (
            kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.GRID)
            and not question.options
        ):
            raise ValidationError({"options": _("A choice question needs options.")})
        question.save()
        activity_log(actor=actor, verb="questionnaire.question_saved", target=questionnaire, code=code)
    return question
