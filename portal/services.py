"""Writes shared by every app: the activity log, the notification outbox, organisations and profiles."""

import base64
import contextvars
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import ActivityLog, Notification, Profile
from .roles import ROLES

logger = logging.getLogger(__name__)


def activity_log(
    *, actor=None, verb: str, target: models.Model | None = None, at=None, **data: Any
) -> ActivityLog:
    """Record that ``actor`` did ``verb`` to ``target`` (``at``: when, by default now). Call it inside the
    service's transaction."""
    entry = ActivityLog(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data,
        at=at or timezone.now(),
    )
    entry.full_clean()
    entry.save()
    return entry


def activity_log_many(
    *, verb: str, targets: list[models.Model], actor=None, data: Callable[[Any], dict] | None = None, at=None
) -> None:
    """Record ``verb`` for each of ``targets`` with one insert (the deadline sweeps)."""
    if not targets:
        return
    target_type = ContentType.objects.get_for_model(targets[0])
    at = at or timezone.now()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    ActivityLog.objects.bulk_create(
        ActivityLog(
            actor=actor,
            verb=verb,
            target_type=target_type,
            target_id=str(target.pk),
            data=data(target) if data else {},
            at=at,
        )
        for target in targets
    )


def activity_logs(*, entries: Iterable[tuple[str, models.Model, dict]], actor=None, at=None) -> None:
    """Record several (verb, target, data) entries with one insert (a submission and its channel)."""
    at = at or timezone.now()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    ActivityLog.objects.bulk_create(
        ActivityLog(
            actor=actor,
            verb=verb,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
            data=data,
            at=at,
        )
        for verb, target, data in entries
    )


def row_upsert(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    fields: dict[str, Any],
    check: Callable[[Any, bool], None] | None = None,
) -> tuple[Any, bool]:
    """Create the row ``lookup`` names, or update it (locked), with ``fields``: validated (``full_clean``,
    then ``check(obj, created)``) before it is saved. Call inside a transaction. Returns (obj, created)."""
    obj = model.objects.select_for_update().filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    if check is not None:
        check(obj, created)
    obj.save()
    return obj, created


def create_once(model: type[models.Model], *, submission_key, create: Callable[[], models.Model], **lookup):
    """The one double-submit guard: ``create()`` runs once per ``submission_key`` (a random value the form
    carried, stored in the model's unique ``submission_key`` column). A double click, a resent form or two
    concurrent requests get the object the first one created. Returns (object, created). Never waits in a
    loop: the database's unique index decides."""
    if submission_key is None:
        return create(), True
    existing = model.objects.filter(submission_key=submission_key, **lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = model.objects.filter(submission_key=submission_key, **lookup).first()
        if existing is None:
            raise
        return existing, False


def client_fingerprint(*, ip: str) -> str:
    """A salted hash of a client's IP address: enough to limit abuse, useless to identify anyone."""
    return hmac.new(settings.IP_HASH_SALT.encode(), (ip or "").encode(), hashlib.sha256).hexdigest()


def _language_for(recipient, language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    profile = getattr(recipient, "profile", None) if recipient is not None else None
    if profile is not None and profile.language in codes:
        return profile.language
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in codes else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Recipient:
    """Somebody to email: a user (their profile's language) or an address with a language (a citizen)."""

    email: str
    language: str | None = None
    user: Any = None


def recipients_of(items: Iterable) -> list[Recipient]:
    """Users and ``Recipient``s as ``Recipient``s, each person once, without empty addresses."""
    seen, out = set(), []
    for item in items:
        recipient = item if isinstance(item, Recipient) else Recipient(email=item.email, user=item)
        if not recipient.email:
            continue
        key = (
            ("user", recipient.user.pk) if recipient.user is not None else ("email", recipient.email.lower())
        )
        if key not in seen:
            seen.add(key)
            out.append(recipient)
    return out


def _render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {"site_url": settings.SITE_URL, "language": language, **context}
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", ctx).split())
        body_text = render_to_string(f"emails/{kind}_body.txt", ctx)
        try:
            body_html = render_to_string(f"emails/{kind}_body.html", ctx)
        except TemplateDoesNotExist:  # the HTML part is optional
            body_html = ""
    return subject, body_text, body_html


_muted = contextvars.ContextVar("okrsek_notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Queue no email while the block runs: demo data replays a history through the services, and nobody
    is to hear of it again."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notification_queue(
    *,
    kind: str,
    to_email: str,
    context: dict[str, Any],
    recipient=None,
    language: str | None = None,
    dedup_key: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Notification | None:
    """Put an email into the outbox, rendered in the recipient's language from
    ``templates/emails/<kind>_subject.txt``, ``<kind>_body.txt`` and (optional) ``<kind>_body.html``.

    The row is written in the caller's transaction: if the change is rolled back, so is the email. It is sent
    after commit by a Celery task. With ``dedup_key``, queueing the same notification twice keeps one row and
    returns ``None`` for the second call.

    ``attachments`` are files sent with the email: ``{"filename", "content_type", "content"}`` (bytes or
    str), kept base64-encoded in the row (``content_b64``) so that a retry sends the same bytes.
    """
    if _muted.get():
        return None
    language = _language_for(recipient, language)
    subject, body_text, body_html = _render(kind, language, context)
    return _notification_insert(
        kind=kind,
        to_email=to_email,
        recipient=recipient,
        language=language,
        dedup_key=dedup_key,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=[_attachment_encode(item) for item in attachments or ()],
        headers=headers or {},
    )


def notifications_queue_many(
    items: list[dict[str, Any]], *, render_later: bool = False, new_keys: bool = False
) -> int:
    """Put many emails into the outbox with one insert (submissions, the deadline sweeps). Each item has
    the arguments of ``notification_queue`` (``kind``, ``to_email``, ``context``, ``recipient``,
    ``language``, ``dedup_key``). Returns how many items were given.

    ``render_later``: the row keeps what to render (``context_encode``: model rows by reference, so that
    the request or the sweep renders nothing) and the worker renders it, in the language decided here,
    right before the first attempt (``notification_send``). The templates then read the rows as they are
    when the email leaves, seconds later: put whatever must be as it was now into the context as values.

    An item whose ``dedup_key`` is already in the outbox is skipped, and one sweep of the outbox is queued
    after commit. ``new_keys``: the keys cannot be in the outbox yet (they name a row written in this
    transaction): a plain insert, whose rows are sent by one task queued after commit."""
    if not items or _muted.get():
        return 0
    rows = []
    for item in items:
        language = _language_for(item.get("recipient"), item.get("language"))
        context = item.get("context") or {}
        if render_later:
            texts = {"subject": "", "body_text": "", "body_html": "", "context": context_encode(context)}
        else:
            subject, body_text, body_html = _render(item["kind"], language, context)
            texts = {"subject": subject[:255], "body_text": body_text, "body_html": body_html}
        rows.append(
            Notification(
                kind=item["kind"],
                to_email=item["to_email"],
                recipient=item.get("recipient"),
                language=language,
                dedup_key=item.get("dedup_key"),
                headers=item.get("headers") or {},
                **texts,
            )
        )
    if new_keys:
        created = Notification.objects.bulk_create(rows)
        ids = [row.pk for row in created if row.pk is not None]
        transaction.on_commit(lambda: _enqueue_send_many(ids) if ids else _enqueue_send_due())
    else:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(_enqueue_send_due)
    return len(rows)


# --- what the worker renders: model rows by reference, datetimes, plain JSON -----------------------------

_MODEL, _DATETIME = "$model", "$datetime"


def context_encode(value: Any) -> Any:
    """A template context as JSON: a model row as a reference to it (the worker reads it again), a datetime
    as ISO 8601, other values as they are. Lazy translations and other objects are refused: render them in
    the recipient's language in the template, or pass plain values."""
    if isinstance(value, models.Model):
        # The related rows the caller had loaded are read with it again, in one query
        related = [
            f.name
            for f in value._meta.concrete_fields
            if f.many_to_one and f.is_cached(value) and getattr(value, f.attname) is not None
        ]
        return {_MODEL: value._meta.label_lower, "pk": value.pk, "related": related}
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dict):
        return {str(key): context_encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [context_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot be kept in the outbox to render later")


def context_decode(value: Any) -> Any:
    """``context_encode`` undone: referenced rows are read again (a row deleted since raises DoesNotExist,
    and the email is retried, then given up like one that could not be sent)."""
    if isinstance(value, dict):
        if _MODEL in value:
            manager = apps.get_model(value[_MODEL])._default_manager
            return manager.select_related(*value.get("related", ())).get(pk=value["pk"])
        if _DATETIME in value:
            return datetime.fromisoformat(value[_DATETIME])
        return {key: context_decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [context_decode(item) for item in value]
    return value


def _render_now(notification: Notification) -> dict[str, Any]:
    """Render a row queued with ``render_later``: the texts to keep in it with the attempt's outcome (a retry
    then sends the same email)."""
    subject, body_text, body_html = _render(
        notification.kind, notification.language, context_decode(notification.context)
    )
    notification.subject, notification.body_text, notification.body_html = subject[:255], body_text, body_html
    notification.context = None
    return {"subject": notification.subject, "body_text": body_text, "body_html": body_html, "context": None}


def _enqueue_send_many(ids: list[int]) -> None:
    from .tasks import notifications_send

    try:
        notifications_send.delay(ids)
    except Exception:  # noqa: BLE001 - broker down: the beat sweep sends them later, the rows are safe
        logger.exception("Could not queue notifications %s; the sweep will send it", ids)


def _enqueue_send_due() -> None:
    from .tasks import notifications_send_due

    try:
        notifications_send_due.delay()
    except Exception:  # noqa: BLE001 - broker down: the beat sweep sends them later, the rows are safe
        logger.exception("Could not queue the outbox sweep; the beat will send the emails")


def _attachment_encode(item: dict[str, Any]) -> dict[str, str]:
    if "content_b64" in item:
        content_b64 = item["content_b64"]
    else:
        content = item["content"]
        content_b64 = base64.b64encode(content.encode() if isinstance(content, str) else content).decode()
    return {
        "filename": str(item["filename"])[:200],
        "content_type": item.get("content_type") or "application/octet-stream",
        "content_b64": content_b64,
    }


def notification_queue_rendered(
    *,
    kind: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    recipient=None,
) -> Notification | None:
    """Put an already rendered email into the outbox (used for django-allauth's account emails)."""
    return _notification_insert(
        kind=kind,
        to_email=to_email,
        recipient=recipient,
        language=language,
        dedup_key=None,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
    )


def _notification_insert(*, dedup_key: str | None, **fields: Any) -> Notification | None:
    with transaction.atomic():
        if dedup_key is not None:
            # Keyed insert: a second call, also a concurrent one, finds the row and adds nothing.
            notification, created = Notification.objects.get_or_create(dedup_key=dedup_key, defaults=fields)
            if not created:
                return None
        else:
            notification = Notification(**fields)
            notification.full_clean(exclude=["dedup_key"])
            notification.save()
        transaction.on_commit(lambda: _enqueue_send(notification.pk))
    return notification


def _enqueue_send(notification_id: int) -> None:
    from .tasks import notification_send

    try:
        notification_send.delay(notification_id)
    except Exception:  # noqa: BLE001 - broker down: the beat sweep sends it later, the row is safe
        logger.exception("Could not queue notification %s; the sweep will send it", notification_id)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 120))


def notification_send(*, notification_id: int) -> bool:
    """Send one notification if it is still due. Claims the row with a conditional UPDATE so that two workers,
    or a task and the sweep, never send it twice. Returns whether this call sent it."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Notification.Status.SENDING, attempts=models.F("attempts") + 1, next_attempt_at=now)
    if claimed != 1:
        return False
    notification = Notification.objects.get(pk=notification_id)
    rendered: dict[str, Any] = {}  # kept with the outcome of the attempt, in the same UPDATE
    try:
        if notification.context is not None:
            rendered = _render_now(notification)
    except Exception as exc:  # noqa: BLE001 - retried like a transport error, then given up
        _attempt_failed(notification, exc)
        return False
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        headers={
            **(notification.headers or {}),
            "Content-Language": notification.language,
            "X-Okrsek-Notification": str(notification.pk),
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for item in notification.attachments or ():
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["content_type"])
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any transport error is retried
        _attempt_failed(notification, exc, rendered)
        return False
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error="", **rendered
    )
    return True


def _attempt_failed(notification: Notification, exc: Exception, rendered: dict | None = None) -> None:
    failed = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
        next_attempt_at=timezone.now() + _backoff(notification.attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        **(rendered or {}),
    )
    logger.warning("Notification %s failed (attempt %s): %s", notification.pk, notification.attempts, exc)


def notifications_send(*, notification_ids: list[int]) -> int:
    """Send these notifications (a submission's emails, queued as one task); returns how many were sent."""
    return sum(notification_send(notification_id=pk) for pk in notification_ids)


STALE_SENDING = timedelta(minutes=15)


def notifications_send_due(*, limit: int = 500) -> int:
    """Send every notification that is due; returns how many were sent. Rows stuck in ``sending`` (a worker
    died mid-send) are put back after 15 minutes."""
    now = timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING, next_attempt_at__lte=now - STALE_SENDING
    ).update(status=Notification.Status.PENDING)
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(notification_send(notification_id=pk) for pk in ids)


def profile_ensure(*, user) -> Profile:
    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"language": _language_for(None, translation.get_language())}
    )
    return profile


def profile_set_language(*, user, language: str) -> None:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(language)
    profile = profile_ensure(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])


def roles_ensure() -> list[Group]:
    """Create the role groups that are missing. Idempotent."""
    return [Group.objects.get_or_create(name=name)[0] for name in ROLES]


@transaction.atomic
def user_set_roles(*, user, roles: list[str], actor=None, notify: bool = True) -> None:
    """Give ``user`` exactly these roles; logs the change and tells the user by email."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    before = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if before == set(roles):
        return
    user.groups.remove(*Group.objects.filter(name__in=before - set(roles)))
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in roles))
    user.__dict__.pop("_okrsek_roles", None)
    activity_log(actor=actor, verb="user.roles_set", target=user, roles=sorted(roles), before=sorted(before))
    if notify:
        notification_queue(
            kind="roles_changed",
            to_email=user.email,
            recipient=user,
            context={"role_codes": sorted(roles)},
        )


def users_deactivate(*, users, actor) -> int:
    """Lock leavers out: inactive users cannot log in (allauth and the admin refuse them) and their sessions
    stop working at the next request. Their records and the activity log keep their name."""
    changed = 0
    with transaction.atomic():
        for user in users:
            if user.is_active:
                user.is_active = False
                user.save(update_fields=["is_active"])
                activity_log(actor=actor, verb="user.deactivated", target=user)
                changed += 1
    return changed
