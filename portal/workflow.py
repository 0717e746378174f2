"""The one workflow engine of Okrsek: every app declares its workflows here as data, and one service applies
them (after Hypha's workflow definitions, as typed frozen dataclasses instead of dicts).

A ``Workflow`` has states (a staff and a public label each) and transitions. A ``Transition`` says, as data:
the states it leaves and the state it reaches; who may make it (a ``rules`` predicate over (user, object));
the inputs it needs (``Input``: required, length, the model field it writes); the timestamps it stamps or
clears; the deadlines (``portal.deadlines.Deadline``) it starts, pauses or resumes; the extra column changes
it computes; and the emails it triggers (``Notify``). ``apply`` is the one service that moves an object:
it authorizes, validates, locks the row, guards against stale pages, writes the change, the app's event row,
the activity log and the notifications, all in one transaction. No behaviour is chosen by an action's name.

Apps expose their own thin service (``report_transition``, ``proposal_transition``, …) that calls ``apply``;
dedicated services (a council decision, a submission) call ``apply`` for transitions that are not ``direct``
after their own checks. The generic action forms only ever offer ``direct`` transitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .deadlines import Deadline
from .permissions import superuser_overrides
from .services import Recipient, activity_log, notification_queue, recipients_of


@dataclass(frozen=True)
class State:
    """A state of a workflow: what staff read, what the public (the reporter, the applicant) reads."""

    label: Any
    public: Any = None
    open: bool = True  # still being worked on (queues, "my open items")

    @property
    def public_label(self):
        return self.public if self.public is not None else self.label


@dataclass(frozen=True)
class Input:
    """Something a transition takes from the person making it: a text (stripped, length-bounded) or an
    object (a partner body, an officer). ``field`` is the model field the value is written to, if any."""

    name: str
    required: bool = False
    max_length: int | None = None
    required_message: Any = None  # shown at the input when it is missing
    too_long_message: Any = None  # shown at the input (or the form, ``too_long_field=False``) when too long
    too_long_at_field: bool = True
    field: str | None = None
    text: bool = True
    # Required together with another input: "this or that" (e.g. an officer or a district)
    or_input: str | None = None
    label: Any = None  # how the form labels it for this transition (forms have a default)
    help_text: Any = None


@dataclass(frozen=True)
class Notify:
    """An email a transition triggers: ``kind`` (its templates), whom (``to(ctx)``: users, or ``Recipient``
    for people without an account), the template context (``context(ctx)``), when (``when(ctx)``) and a
    dedup key per recipient (``key(ctx, recipient)``), so that retrying the same step never sends twice."""

    kind: str
    to: Callable[[Context], Iterable]
    key: Callable[[Context, Recipient], str]
    context: Callable[[Context], dict] = lambda ctx: {}
    when: Callable[[Context], bool] | None = None
    skip_actor: bool = False  # the person who made the change needs no email about it


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # the button
    public_label: Any  # the line the public / the applicant reads in the history
    sources: frozenset
    target: str | None  # None: the state stays (reassign, an answer)
    allowed: rules.Predicate  # who may make it: predicate(user, obj)
    inputs: tuple[Input, ...] = ()
    stamps: tuple[str, ...] = ()  # fields set to "now"
    clears: tuple[str, ...] = ()  # fields set to None
    sets: Mapping[str, Any] = field(default_factory=dict)  # fields set to constants
    starts: tuple[str, ...] = ()  # deadlines (by name) that start now: due = now + their duration
    pauses: tuple[str, ...] = ()  # deadlines whose clock stops (e.g. waiting for the resident)
    resumes: tuple[str, ...] = ()  # deadlines whose clock runs again, due moved by the paused time
    changes: Callable[[Context], dict] | None = None  # further column changes computed from the context
    notify: tuple[Notify, ...] = ()
    # False: only a dedicated service applies it (after its own checks and writes); forms never offer it
    direct: bool = True
    log: Callable[[Context], dict] | None = None  # extra activity-log data
    public_actor: Any = None  # who the public history says did it ("police", "partner body")

    def input(self, name: str) -> Input | None:
        return next((spec for spec in self.inputs if spec.name == name), None)


@dataclass
class Context:
    """What a transition's callables see while it is applied."""

    workflow: Workflow
    transition: Transition
    obj: models.Model  # the row, locked, as it was before (after ``apply``: as it is now)
    actor: Any
    inputs: dict[str, Any]
    now: datetime
    before: str
    data: dict[str, Any] = field(default_factory=dict)  # what the calling service passes on
    changes: dict[str, Any] = field(default_factory=dict)
    override: bool = False  # a superuser acted where the workflow's rule does not allow the person

    @property
    def after(self) -> str:
        return self.transition.target or self.before

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True)
class Messages:
    """The workflow's wording of its refusals (each app names its own object)."""

    unknown: Any
    not_possible: Any  # "“%(action)s” is not possible for a … that is %(status)s."
    forbidden: Any
    stale: Any
    not_direct: Any = None


@dataclass(frozen=True)
class Workflow:
    name: str  # activity-log verbs are "<name>.<transition>"
    model: str  # "app_label.Model" (a label: workflows are declared before the models they move)
    states: Mapping[str, State]
    transitions: Mapping[str, Transition]
    messages: Messages
    status_field: str = "status"
    version_field: str | None = None  # incremented by every transition
    optimistic: bool = False  # refuse when the object's version is not the one the page showed
    updated_field: str | None = None
    deadlines: tuple[Deadline, ...] = ()
    current_due_field: str | None = None  # the deadline the object waits for now (queues order by it)
    notify: tuple[Notify, ...] = ()  # emails every transition may trigger (each with its own ``when``)
    event: Callable[[Context], Any] | None = None  # writes the app's timeline row
    log: Callable[[Context], dict] | None = None  # the activity-log data (default: from/to state)
    # Superusers act in the normal UI by the roles they hold, like anybody (portal.permissions); only the
    # administrator's scripts (``permissions.admin_override``) or a workflow that opts in here let them act
    # without the rule, and such acts are logged with ``admin_override``.
    superuser_override: bool = False

    # --- reading the declaration

    def transition(self, name: str) -> Transition | None:
        return self.transitions.get(name)

    def transitions_from(self, status: str, *, direct_only: bool = False) -> list[Transition]:
        return [t for t in self.transitions.values() if status in t.sources and (t.direct or not direct_only)]

    def may(self, user, obj, name: str) -> bool:
        """Whether ``user`` may make transition ``name`` on ``obj`` now (its state and the rule)."""
        t = self.transitions.get(name)
        status = getattr(obj, self.status_field)
        if t is None or status not in t.sources:
            return False
        return self._allowed(t, user, obj)[0]

    def available(self, obj, user, *, direct_only: bool = True) -> list[Transition]:
        status = getattr(obj, self.status_field)
        return [
            t for t in self.transitions_from(status, direct_only=direct_only) if self.may(user, obj, t.name)
        ]

    def label(self, status: str):
        state = self.states.get(status)
        return state.label if state else status

    def public_label(self, status: str):
        state = self.states.get(status)
        return state.public_label if state else status

    @property
    def open_states(self) -> frozenset:
        return frozenset(name for name, state in self.states.items() if state.open)

    def deadline(self, name: str) -> Deadline:
        for deadline in self.deadlines:
            if deadline.name == name:
                return deadline
        raise KeyError(name)

    def current_deadline(self, obj, *, now: datetime | None = None) -> dict | None:
        """The deadline ``obj`` waits for in its current state, as queues and pages show it:
        {"deadline", "kind" (its label), "due", "overdue"} or None."""
        status = getattr(obj, self.status_field)
        for deadline in self.deadlines:
            if status not in deadline.states:
                continue
            due = deadline.due_value(obj)
            if due is not None and not deadline.is_paused(obj):
                now = now or timezone.now()
                overdue = deadline.due_moment(due) <= now
                return {"deadline": deadline, "kind": deadline.label, "due": due, "overdue": overdue}
        return None

    # --- authorization

    def _allowed(self, t: Transition, user, obj) -> tuple[bool, bool]:
        """(allowed, as an override)."""
        if t.allowed.test(user, obj):
            return True, False
        if (self.superuser_override and getattr(user, "is_superuser", False)) or superuser_overrides(user):
            return True, True
        return False, False


def _fail_inputs(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def clean_inputs(t: Transition, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The transition's declared inputs, stripped and checked; ValidationError (input → message)."""
    cleaned: dict[str, Any] = {}
    field_errors: dict[str, list] = {}
    form_errors: list = []
    for spec in t.inputs:
        value = raw.get(spec.name)
        if spec.text:
            value = (value or "").strip()
            if spec.max_length is not None and len(value) > spec.max_length:
                message = spec.too_long_message or _("At most %(max)d characters.") % {"max": spec.max_length}
                if spec.too_long_at_field:
                    field_errors.setdefault(spec.name, []).append(message)
                else:
                    form_errors.append(message)
        cleaned[spec.name] = value
    for spec in t.inputs:
        missing = cleaned[spec.name] in (None, "")
        if spec.or_input is not None:
            missing = missing and cleaned.get(spec.or_input) in (None, "")
        if spec.required and missing:
            field_errors.setdefault(spec.name, []).append(spec.required_message or _("This is required."))
    if form_errors:
        raise ValidationError(form_errors)
    _fail_inputs(field_errors)
    return cleaned


def apply(
    workflow: Workflow,
    obj: models.Model,
    action: str,
    *,
    actor,
    inputs: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    direct_only: bool = False,
    now: datetime | None = None,
) -> models.Model:
    """Apply transition ``action`` to ``obj`` as ``actor``, or refuse with a clear message.

    Order of the checks: an unknown action; a non-direct one asked for through a generic form
    (``direct_only``); a stale page (``expected_version``, or the object's own version with ``optimistic``);
    the current state; who may; the inputs. Then, in one transaction with the row locked: the conditional
    update (the state and version are checked once more, so two people acting at once cannot both win),
    the app's event row, the activity log and the notifications. Returns the object as it is now, and
    refreshes ``obj`` in place too."""
    now = now or timezone.now()
    t = workflow.transitions.get(action)
    msg = workflow.messages
    if t is None:
        raise ValidationError(msg.unknown)
    if direct_only and not t.direct:
        raise ValidationError(msg.not_direct or msg.unknown)
    model = type(obj)
    shown_version = None
    if workflow.version_field is not None and (expected_version is not None or workflow.optimistic):
        shown_version = (
            expected_version if expected_version is not None else getattr(obj, workflow.version_field)
        )
        if shown_version != getattr(obj, workflow.version_field):
            raise ValidationError(msg.stale)
    raw_inputs = dict(inputs or {})

    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        before = getattr(locked, workflow.status_field)
        if shown_version is not None and getattr(locked, workflow.version_field) != shown_version:
            raise ValidationError(msg.stale)
        if before not in t.sources:
            if workflow.optimistic and before != getattr(obj, workflow.status_field):
                raise ValidationError(msg.stale)
            raise ValidationError(
                msg.not_possible
                % {
                    "action": t.label,
                    "status": locked._get_FIELD_display(model._meta.get_field(workflow.status_field)),
                }
            )
        allowed, override = workflow._allowed(t, actor, locked)
        if not allowed:
            raise PermissionDenied(msg.forbidden)
        cleaned = clean_inputs(t, raw_inputs)
        ctx = Context(
            workflow=workflow,
            transition=t,
            obj=locked,
            actor=actor,
            inputs=cleaned,
            now=now,
            before=before,
            data=dict(data or {}),
            override=override,
        )
        changes = _changes(workflow, t, ctx)
        ctx.changes = changes
        guard = model.objects.filter(pk=locked.pk, **{workflow.status_field: before})
        if workflow.version_field is not None:
            guard = guard.filter(**{workflow.version_field: getattr(locked, workflow.version_field)})
        if guard.update(**changes) != 1:
            raise ValidationError(msg.stale)
        locked.refresh_from_db()
        if workflow.event is not None:
            workflow.event(ctx)
        log = workflow.log(ctx) if workflow.log else {"from_status": before, "to_status": ctx.after}
        if t.log:
            log.update(t.log(ctx))
        if override:
            log["admin_override"] = True
        # Dated when the act happened: a service given ``now`` (a replayed history) logs it then
        activity_log(actor=actor, verb=f"{workflow.name}.{t.name}", target=locked, **{**log, "at": now})
        for notify in (*workflow.notify, *t.notify):
            _notify(notify, ctx)
    _copy_into(obj, locked)
    return locked


def _changes(workflow: Workflow, t: Transition, ctx: Context) -> dict[str, Any]:
    obj, now = ctx.obj, ctx.now
    changes: dict[str, Any] = {workflow.status_field: ctx.after}
    if workflow.version_field:
        changes[workflow.version_field] = models.F(workflow.version_field) + 1
    if workflow.updated_field:
        changes[workflow.updated_field] = now
    for stamp in t.stamps:
        changes[stamp] = now
    for name in t.clears:
        changes[name] = None
    changes.update(t.sets)
    for spec in t.inputs:
        value = ctx.inputs.get(spec.name)
        if spec.field and value not in (None, ""):
            changes[spec.field] = value
    for name in t.starts:
        changes.update(workflow.deadline(name).start_changes(obj, now))
    for name in t.pauses:
        changes.update(workflow.deadline(name).pause_changes(obj, now))
    for name in t.resumes:
        changes.update(workflow.deadline(name).resume_changes(obj, now))
    if t.changes is not None:
        changes.update(t.changes(ctx))
    if workflow.current_due_field:
        changes[workflow.current_due_field] = _current_due(workflow, obj, ctx.after, changes)
    return changes


def _current_due(workflow: Workflow, obj, status: str, changes: dict):
    for deadline in workflow.deadlines:
        if status not in deadline.states:
            continue
        paused = (
            changes.get(deadline.paused_field, getattr(obj, deadline.paused_field, None))
            if deadline.paused_field
            else None
        )
        if paused:
            return None
        due = changes.get(deadline.due_field, getattr(obj, deadline.due_field))
        if due is not None:
            return due
    return None


def _notify(notify: Notify, ctx: Context) -> None:
    if notify.when is not None and not notify.when(ctx):
        return
    recipients = recipients_of(notify.to(ctx))
    if not recipients:
        return
    context = notify.context(ctx)
    for recipient in recipients:
        if notify.skip_actor and recipient.user is not None and recipient.user == ctx.actor:
            continue
        notification_queue(
            kind=notify.kind,
            to_email=recipient.email,
            recipient=recipient.user,
            language=recipient.language,
            context=context,
            dedup_key=notify.key(ctx, recipient),
        )


def _copy_into(obj: models.Model, fresh: models.Model) -> None:
    """Refresh ``obj`` in place with the values of ``fresh`` (callers keep using the object they passed)."""
    if obj is fresh:
        return
    for f in type(obj)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(fresh, f.attname))
    obj._state.fields_cache.clear()
