"""Writes of the advice desk. Each authorizes its actor (the rules, the workflow, or the resident's tracking
link held by the caller), runs in one transaction, logs to the activity log and queues its emails there."""

import re
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import services as incident_services
from portal.deadlines import SweepResult, sweep
from portal.permissions import superuser_overrides
from portal.services import (
    activity_log,
    activity_logs,
    client_fingerprint,
    notifications_queue_many,
    row_upsert,
)
from portal.workflow import apply

from . import rules as r
from . import search as advice_search
from . import selectors
from .models import (
    MAX_ANSWER,
    MAX_QUESTION,
    AnswerTemplate,
    GroupMember,
    Question,
    QuestionMessage,
    Topic,
    WorkingGroup,
)
from .workflow import ACKNOWLEDGE, ANSWER, MAX_NOTE, OPEN, QUESTION, S

MAX_LINKS = 2
MAX_RATING_COMMENT = 1000
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def questions_per_client_day() -> int:
    """How many questions one client (its salted IP hash) may ask in 24 hours; 0: no limit."""
    return getattr(settings, "ADVICE_QUESTIONS_PER_CLIENT_DAY", 5)


def _require(predicate, user, obj=None, message=None) -> None:
    if not (predicate.test(user, obj) or superuser_overrides(user)):
        raise PermissionDenied(message or _("You may not do this with this question."))


# --- set-up: topics, groups, members, templates (the programme manager) ----------------------------------


@transaction.atomic
def topic_upsert(*, programme, slug: str, actor, **names) -> Topic:
    _require(r.manager, actor)
    topic, _created = row_upsert(Topic, lookup={"programme": programme, "slug": slug}, fields=names)
    activity_log(actor=actor, verb="advice.topic_saved", target=topic)
    return topic


@transaction.atomic
def group_upsert(
    *,
    programme,
    municipality=None,
    name: str,
    actor,
    topics=(),
    towns=(),
    acknowledge_days: int = 2,
    answer_days: int = 10,
    active: bool = True,
) -> WorkingGroup:
    """Create or update the working group of ``municipality`` (None: the programme's central group)."""
    _require(r.manager, actor)
    country = municipality.country if municipality is not None else "CZ"
    group, created = row_upsert(
        WorkingGroup,
        lookup={"programme": programme, "municipality": municipality},
        fields={
            "name": name,
            "country": country,
            "acknowledge_days": acknowledge_days,
            "answer_days": answer_days,
            "active": active,
        },
    )
    group.topics.set(topics)
    group.towns.set(towns)
    activity_log(
        actor=actor, verb="advice.group_created" if created else "advice.group_updated", target=group
    )
    return group


@transaction.atomic
def group_set_days(*, group: WorkingGroup, actor, acknowledge_days, answer_days) -> WorkingGroup:
    """The group's deadlines in working days (for questions asked from now on)."""
    _require(r.manager, actor)
    try:
        acknowledge_days, answer_days = int(acknowledge_days), int(answer_days)
    except (TypeError, ValueError):
        raise ValidationError(_("Give the numbers of working days.")) from None
    if not 1 <= acknowledge_days <= 30 or not 1 <= answer_days <= 60:
        raise ValidationError(_("Acknowledge within 1 to 30 and answer within 1 to 60 working days."))
    if acknowledge_days > answer_days:
        raise ValidationError(_("The time to acknowledge cannot be longer than the time to answer."))
    WorkingGroup.objects.filter(pk=group.pk).update(
        acknowledge_days=acknowledge_days, answer_days=answer_days
    )
    activity_log(
        actor=actor, verb="advice.group_days", target=group, acknowledge=acknowledge_days, answer=answer_days
    )
    group.refresh_from_db()
    return group


@transaction.atomic
def group_member_set(*, group: WorkingGroup, user, function: str, actor) -> GroupMember:
    _require(r.manager, actor)
    if function not in GroupMember.Function.values:
        raise ValidationError({"function": _("Choose a function.")})
    member, _created = GroupMember.objects.update_or_create(
        group=group, user=user, defaults={"function": function}
    )
    user.__dict__.pop("_advice_group_ids", None)
    activity_log(actor=actor, verb="advice.member_set", target=group, user=user.pk, function=function)
    return member


@transaction.atomic
def group_member_remove(*, group: WorkingGroup, user, actor) -> None:
    _require(r.manager, actor)
    GroupMember.objects.filter(group=group, user=user).delete()
    activity_log(actor=actor, verb="advice.member_removed", target=group, user=user.pk)


@transaction.atomic
def answer_template_save(
    *, programme, title: str, body: str, actor, group=None, topic=None
) -> AnswerTemplate:
    if group is not None:
        _require(r.manager | r.is_in_a_group, actor)
        if group.pk not in r.group_ids(actor) and not r.manager(actor) and not superuser_overrides(actor):
            raise PermissionDenied(_("You may not do this with this question."))
    else:
        _require(r.manager, actor)
    template = AnswerTemplate(
        programme=programme, group=group, topic=topic, title=title.strip(), body=body.strip()
    )
    template.full_clean()
    template.save()
    activity_log(actor=actor, verb="advice.template_saved", target=template)
    return template


# --- asking ---------------------------------------------------------------------------------------------


def _refuse_invalid(*, text: str, email: str, topic: Topic, programme) -> None:
    errors: dict[str, list] = {}
    if not text:
        errors.setdefault("text", []).append(_("Please write your question."))
    elif len(text) > MAX_QUESTION:
        errors.setdefault("text", []).append(
            _("The question may have at most %(max)d characters (it has %(count)d).")
            % {"max": MAX_QUESTION, "count": len(text)}
        )
    elif len(_LINK.findall(text)) > MAX_LINKS:
        errors.setdefault("text", []).append(
            _("A question may contain at most %(max)d links.") % {"max": MAX_LINKS}
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("This email address is not valid."))
    if topic is None or topic.programme_id != programme.pk:
        errors.setdefault("topic", []).append(_("Choose a topic."))
    if errors:
        raise ValidationError(errors)


def question_ask(
    *,
    programme,
    topic: Topic,
    text: str,
    ip: str,
    municipality=None,
    point: Point | None = None,
    email: str = "",
    publish_allowed: bool = False,
    language: str = "cs",
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[Question, str | None]:
    """A resident's question, routed to the group serving the town (or the place's town, point-in-polygon;
    outside every served town the central group). Returns the question and its private tracking token
    (only its hash is kept); the same form sent again returns the first question and None."""
    now = now or timezone.now()
    text, email = (text or "").strip(), (email or "").strip()
    _refuse_invalid(text=text, email=email, topic=topic, programme=programme)
    if point is not None and not (-180 <= point.x <= 180 and -90 <= point.y <= 90):
        raise ValidationError({"point": _("These coordinates are not a place on Earth.")})
    token = secrets.token_urlsafe(24)
    ip_hash = client_fingerprint(ip=ip)
    try:
        with transaction.atomic():
            incident_services.client_lock(ip_hash=ip_hash)  # one client's questions one at a time
            existing = selectors.question_filed_with(submission_key=submission_key)
            if existing is not None:
                return existing, None
            limit = questions_per_client_day()
            if limit and selectors.asked_today(ip_hash=ip_hash, now=now) >= limit:
                raise ValidationError(
                    ngettext(
                        "You have asked %(max)d question today, as many as one person may. Please come back "
                        "tomorrow; in an emergency call 112.",
                        "You have asked %(max)d questions today, as many as one person may. Please come back "
                        "tomorrow; in an emergency call 112.",
                        limit,
                    )
                    % {"max": limit}
                )
            group, municipality = selectors.route(programme=programme, municipality=municipality, point=point)
            if group is None:
                raise ValidationError(
                    _("The advice desk cannot take questions at the moment. Please try later.")
                )
            question = Question(
                token_hash=selectors.token_hash(token),
                submission_key=submission_key,
                programme=programme,
                group=group,
                topic=topic,
                municipality=municipality,
                point=point,
                text=text,
                email=email,
                language=language,
                publish_allowed=publish_allowed,
                ip_hash=ip_hash,
                created_at=now,
                updated_at=now,
            )
            for deadline in (ACKNOWLEDGE, ANSWER):  # both clocks start now
                for name, value in deadline.start_changes(question, now).items():
                    setattr(question, name, value)
            question.due_at = question.acknowledge_due_at
            question.full_clean(
                exclude=["token_hash", "submission_key", "programme", "group", "topic", "municipality"]
            )
            question.save()
            QuestionMessage.objects.create(question=question, kind="event", action="asked", created_at=now)
            activity_logs(
                entries=[("advice.asked", question, {"group": group.pk, "topic": topic.slug})], at=now
            )
            _asked_emails(question, token)
    except IntegrityError:
        existing = selectors.question_filed_with(submission_key=submission_key)
        if existing is None:
            raise
        return existing, None
    return question, token


def _asked_emails(question: Question, token: str) -> None:
    members = selectors.group_members_many(group_ids={question.group_id}).get(question.group_id, [])
    emails = [
        {
            "kind": "advice_new",
            "to_email": user.email,
            "recipient": user,
            "context": {"question": question, "staff_url": selectors.staff_url(question)},
            "dedup_key": f"advice:{question.pk}:new:{user.pk}",
        }
        for user in members
        if user.email
    ]
    if question.email:
        emails.append(
            {
                "kind": "advice_received",
                "to_email": question.email,
                "language": question.language,
                "context": {"question": question, "tracking_url": selectors.tracking_url_for_token(token)},
                "dedup_key": f"advice:{question.pk}:received",
            }
        )
    notifications_queue_many(emails, render_later=True, new_keys=True)


# --- the resident, through the tracking link -------------------------------------------------------------


def question_resident_reply(*, question: Question, message: str, now: datetime | None = None) -> Question:
    """The resident answers the group's request for clarification (the answer's clock runs again)."""
    return apply(QUESTION, question, "resident_reply", actor=None, inputs={"message": message}, now=now)


@transaction.atomic
def question_email_change(*, question: Question, email: str) -> Question:
    """The resident corrects the email the answer goes to (a typo seen on the confirmation page)."""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("This email address is not valid.")}) from None
    if Question.objects.filter(pk=question.pk).update(email=email) != 1:
        raise ValidationError(_("This question no longer exists."))
    QuestionMessage.objects.create(question=question, kind="event", action="email_changed")
    activity_log(verb="advice.email_changed", target=question)
    question.email = email
    return question


@transaction.atomic
def question_rate(*, question: Question, rating, comment: str = "", now: datetime | None = None) -> Question:
    """After closing, the resident rates the answer 1–5 with a comment, once."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5 stars.")})
    if len(comment) > MAX_RATING_COMMENT:
        raise ValidationError({"comment": _("The comment may have at most 1000 characters.")})
    if question.status != S.CLOSED:
        raise ValidationError(_("You can rate the answer once the question is closed."))
    rated = Question.objects.filter(pk=question.pk, status=S.CLOSED, rated_at__isnull=True).update(
        rating=rating, rating_comment=comment, rated_at=now
    )
    if rated != 1:
        raise ValidationError(_("You have already rated this answer. Thank you."))
    activity_log(verb="advice.rated", target=question, rating=rating)
    question.refresh_from_db()
    return question


# --- staff ----------------------------------------------------------------------------------------------


def question_transition(
    *,
    question: Question,
    action: str,
    actor,
    inputs: dict | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Question:
    """A step the generic form offers (take up, assign, ask for clarification, answer, close); ``now``: when
    it happened (the demo's history)."""
    return apply(
        QUESTION,
        question,
        action,
        actor=actor,
        inputs=inputs,
        expected_version=expected_version,
        direct_only=True,
        now=now,
    )


@transaction.atomic
def question_note_add(*, question: Question, actor, body: str) -> QuestionMessage:
    """An internal note: staff only, never shown to the resident."""
    _require(r.member_or_manager, actor, question)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write the note.")})
    if len(body) > MAX_NOTE:
        raise ValidationError({"body": _("The note may have at most 4000 characters.")})
    note = QuestionMessage.objects.create(question=question, kind="note", author=actor, body=body)
    activity_log(actor=actor, verb="advice.note", target=question)
    return note


def question_reassign(*, question: Question, actor, group: WorkingGroup, note: str = "") -> Question:
    """Hand the question over to another active group of the programme: it is received there again."""
    if (
        group is None
        or group.pk == question.group_id
        or not group.active
        or group.programme_id != question.programme_id
    ):
        raise ValidationError({"group": _("Choose another active working group of the programme.")})
    return apply(QUESTION, question, "reassign", actor=actor, data={"group": group}, inputs={"message": note})


def question_to_report(
    *,
    question: Question,
    actor,
    category,
    description: str,
    point: Point | None = None,
    now: datetime | None = None,
):
    """Turn the question into a threat report: filed through incidents' services (its first event names the
    question, for the police), linked to the question, which is closed; the resident hears of both (the
    report's confirmation with its own tracking link comes from incidents). Returns the report."""
    now = now or timezone.now()
    _require(r.member, actor, question)
    if question.status not in OPEN:
        raise ValidationError(_("Only an open question can be turned into a threat report."))
    point = point or question.point
    if point is None and question.municipality is not None:
        boundary = (
            type(question.municipality)
            .objects.filter(pk=question.municipality_id)
            .values_list("boundary", flat=True)
            .first()
        )
        point = boundary.point_on_surface if boundary is not None else None
    if point is None:
        raise ValidationError({"point": _("The question has no place: give the place of the threat.")})
    with transaction.atomic():
        report, _token = incident_services.report_submit(
            category=category,
            point=point,
            description=(description or "").strip()[: incident_services.MAX_DESCRIPTION],
            reporter_email=question.email,
            language=question.language,
            ip=f"advice-desk:{question.pk}",  # its own daily limit: one per question
            channel=incident_services.Channel(
                note=_("From advice desk question %(reference)s.") % {"reference": question.reference},
                data={"advice_question": question.pk},
                log=[("report.from_advice_question", {"question": question.pk})],
            ),
            now=now,
        )
        apply(QUESTION, question, "to_report", actor=actor, data={"report": report}, now=now)
    return report


# --- publishing (an anonymised copy, approved by a second member) ----------------------------------------


def _clean_published(question_text: str, answer_text: str) -> tuple[str, str]:
    question_text, answer_text = (question_text or "").strip(), (answer_text or "").strip()
    errors: dict[str, list] = {}
    if not question_text:
        errors["published_question"] = [_("Write the question as it is to be published.")]
    elif len(question_text) > MAX_QUESTION:
        errors["published_question"] = [_("The published question may have at most 2000 characters.")]
    if not answer_text:
        errors["published_answer"] = [_("Write the answer as it is to be published.")]
    elif len(answer_text) > MAX_ANSWER:
        errors["published_answer"] = [_("The published answer may have at most 4000 characters.")]
    if errors:
        raise ValidationError(errors)
    return question_text, answer_text


@transaction.atomic
def question_publish_propose(*, question: Question, actor, question_text: str, answer_text: str) -> Question:
    """A member proposes the anonymised texts to publish; another member of the group approves them."""
    _require(r.member, actor, question)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if not locked.publish_allowed:
        raise ValidationError(_("The resident did not allow publishing the answer."))
    if locked.status not in (S.ANSWERED, S.CLOSED):
        raise ValidationError(_("Only an answered question can be published."))
    question_text, answer_text = _clean_published(question_text, answer_text)
    Question.objects.filter(pk=locked.pk).update(
        publication=Question.Publication.PROPOSED,
        published_question=question_text,
        published_answer=answer_text,
        publication_proposed_by=actor,
        publication_approved_by=None,
        published_at=None,
        search_text="",
    )
    activity_log(actor=actor, verb="advice.publication_proposed", target=locked)
    question.refresh_from_db()
    return question


@transaction.atomic
def question_publish_approve(*, question: Question, actor, now: datetime | None = None) -> Question:
    """A second member of the group approves the proposed texts: the question appears in the FAQ."""
    now = now or timezone.now()
    _require(r.member, actor, question)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.publication != Question.Publication.PROPOSED:
        raise ValidationError(_("There is no publication proposal to approve."))
    if locked.publication_proposed_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("Another member of the working group must approve what you proposed."))
    Question.objects.filter(pk=locked.pk, publication=Question.Publication.PROPOSED).update(
        publication=Question.Publication.PUBLISHED,
        publication_approved_by=actor,
        published_at=now,
        search_text=advice_search.search_text(locked.published_question, locked.published_answer),
    )
    activity_log(actor=actor, verb="advice.published", target=locked)
    question.refresh_from_db()
    return question


@transaction.atomic
def question_unpublish(*, question: Question, actor) -> Question:
    _require(r.member_or_manager, actor, question)
    Question.objects.filter(pk=question.pk).update(
        publication=Question.Publication.NONE, published_at=None, publication_approved_by=None, search_text=""
    )
    activity_log(actor=actor, verb="advice.unpublished", target=question)
    question.refresh_from_db()
    return question


# --- deadlines ------------------------------------------------------------------------------------------


def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Reminders, overdue marks and escalations of both deadlines: each once per question (the shared
    engine claims every step with a conditional UPDATE)."""
    now = now or timezone.now()
    result = SweepResult()
    for deadline in (ACKNOWLEDGE, ANSWER):
        part = sweep(deadline, now=now)
        result.counts.update(part.counts)
        result.failed.extend(part.failed)
    return result
