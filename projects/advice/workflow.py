"""The life of an advice-desk question, declared in the shared engines (``portal.workflow``,
``portal.deadlines``).

received → assigned (taken up: acknowledged) → waiting for the resident (a clarification asked; the
answer's clock stops) → assigned (the resident replied; the clock runs again) → answered → closed. A
question may be reassigned to another group (it is received there again, with its own time to acknowledge;
the answer's deadline stays the resident's) or turned into a threat report (closed, linked both ways).

Two deadlines, in working days of the group's country with its public holidays (``portal.deadlines``):
acknowledge within ``group.acknowledge_days`` (2), answer within ``group.answer_days`` (10). Each has a
reminder before it (to the assignee, else the group), an overdue mark (the group) and, two days after, an
escalation to the programme manager; the sweep claims each step once.
"""

from copy import copy
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.deadlines import BulkNotify, Deadline, Step
from portal.services import Recipient
from portal.workflow import Input, Messages, Notify, State, Transition, Workflow

from . import rules as r

MAX_MESSAGE = 2000
MAX_ANSWER = 4000
MAX_NOTE = 4000
ESCALATE_AFTER = timedelta(days=2)  # after the deadline passed, the programme manager hears of it


class QuestionStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSIGNED = "assigned", _("being answered")
    WAITING = "waiting", _("waiting for the resident")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


S = QuestionStatus
OPEN = frozenset({S.RECEIVED, S.ASSIGNED, S.WAITING})

STATES = {
    S.RECEIVED: State(_("Received – to be acknowledged"), _("Received")),
    S.ASSIGNED: State(_("Being answered"), _("The working group is answering")),
    S.WAITING: State(_("Waiting for the resident's reply"), _("Waiting for your reply")),
    S.ANSWERED: State(_("Answered"), _("Answered")),
    S.CLOSED: State(_("Closed"), _("Closed"), open=False),
}


def _sel():
    from . import selectors  # the selectors read the models, which import this module

    return selectors


# --- who hears of what ----------------------------------------------------------------------------------


def _resident(ctx):
    q = ctx.obj
    return [Recipient(email=q.email, language=q.language)] if q.email else []


def _resident_update(kind: str = "advice_update") -> Notify:
    return Notify(
        kind=kind,
        to=_resident,
        key=lambda ctx, who: f"advice:{ctx.obj.pk}:{ctx.transition.name}:{ctx.obj.version}",
        context=lambda ctx: {
            "reference": ctx.obj.reference,
            "what": str(ctx.transition.public_label),
            "message": ctx.inputs.get("message", ""),
            "answer": ctx.obj.answer if ctx.transition.name == "answer" else "",
            "tracking_url": _sel().tracking_link(ctx.obj),
        },
    )


def _handlers(ctx):
    """The assignee, else every member of the question's group."""
    q = ctx.obj
    if q.assignee_id:
        return [q.assignee]
    return _sel().group_members_many(group_ids={q.group_id}).get(q.group_id, [])


def _deadline_recipients(questions, *, escalate: bool) -> dict:
    if escalate:
        managers = list(_sel().programme_managers())
        return {q.pk: managers for q in questions}
    members = _sel().group_members_many(group_ids={q.group_id for q in questions})
    return {q.pk: [q.assignee] if q.assignee_id else members.get(q.group_id, []) for q in questions}


def _deadline_notice(kind: str, name: str, due_field: str, *, escalate: bool = False) -> BulkNotify:
    return BulkNotify(
        kind=kind,
        to=lambda questions: _deadline_recipients(questions, escalate=escalate),
        key=lambda q, who: f"advice:{q.pk}:{kind}:{name}:{getattr(q, due_field):%Y%m%d%H%M}:{who.user.pk}",
        # Rendered by the worker: the deadline as it was when the step ran
        context=lambda q: {
            "question": q,
            "deadline": name,
            "due_at": getattr(q, due_field),
            "group": q.group.name,
            "staff_url": _sel().staff_url(q),
        },
        render_later=True,
    )


def _event(action: str):
    def row(question, now):
        from .models import QuestionMessage

        return QuestionMessage(question=question, kind="event", action=action, created_at=now)

    return row


def _steps(name: str, due_field: str) -> tuple[Step, ...]:
    prefix = name
    return (
        Step(
            flag=f"{prefix}_overdue",
            verb=f"advice.{name}_overdue",
            event=_event(f"{name}_overdue"),
            notify=(_deadline_notice("advice_overdue", name, due_field),),
        ),
        Step(
            flag=f"{prefix}_escalated",
            verb=f"advice.{name}_escalated",
            ahead=-ESCALATE_AFTER,
            event=_event(f"{name}_escalated"),
            notify=(_deadline_notice("advice_escalated", name, due_field, escalate=True),),
        ),
        Step(
            flag=f"{prefix}_reminded",
            verb=f"advice.{name}_reminder",
            # The morning of the due day (acknowledge) or of the day before (answer); the due time is the
            # end of the last working day
            ahead=timedelta(hours=16) if name == "acknowledge" else timedelta(days=1, hours=16),
            only_before_due=True,
            notify=(_deadline_notice("advice_reminder", name, due_field),),
        ),
    )


ACKNOWLEDGE = Deadline(
    name="acknowledge",
    label=_("Acknowledge by"),
    model="projects.Question",
    due_field="acknowledge_due_at",
    states=frozenset({S.RECEIVED}),
    working_days=lambda q: q.group.acknowledge_days,
    country=lambda q: q.group.country,
    steps=_steps("acknowledge", "acknowledge_due_at"),
    select_related=("group", "assignee__profile"),
)
ANSWER = Deadline(
    name="answer",
    label=_("Answer by"),
    model="projects.Question",
    due_field="answer_due_at",
    states=OPEN,
    working_days=lambda q: q.group.answer_days,
    country=lambda q: q.group.country,
    paused_field="answer_paused_at",
    steps=_steps("answer", "answer_due_at"),
    select_related=("group", "assignee__profile"),
)


# --- the transitions ------------------------------------------------------------------------------------


def _message(*, required: bool = True, label=None) -> Input:
    return Input(
        name="message",
        required=required,
        max_length=MAX_MESSAGE,
        required_message=_("Please write the message."),
        too_long_message=_("The message may have at most 2000 characters."),
        label=label,
    )


def _take_up_changes(ctx) -> dict:
    return {"assignee": ctx.obj.assignee or ctx.actor, "acknowledged_at": ctx.obj.acknowledged_at or ctx.now}


def _assign_changes(ctx) -> dict:
    assignee = ctx.inputs.get("assignee")
    if assignee is None or ctx.obj.group_id not in r.group_ids(assignee):
        raise ValidationError({"assignee": _("Choose a member of the question's working group.")})
    return {"assignee": assignee, "acknowledged_at": ctx.obj.acknowledged_at or ctx.now}


def _reassign_changes(ctx) -> dict:
    """The new group gets its own time to acknowledge, in its own days and calendar; the answer's deadline
    stays the resident's."""
    group = ctx.data["group"]
    moved = copy(ctx.obj)
    moved.group = group
    return {"group": group, **ACKNOWLEDGE.start_changes(moved, ctx.now)}


def _report_changes(ctx) -> dict:
    return {"report": ctx.data["report"]}


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="take_up",
            label=_("Take it up"),
            public_label=_("The working group has taken your question up."),
            sources=frozenset({S.RECEIVED}),
            target=S.ASSIGNED,
            allowed=r.member,
            changes=_take_up_changes,
            notify=(_resident_update(),),
        ),
        Transition(
            name="assign",
            label=_("Assign to a member"),
            public_label=_("The working group has taken your question up."),
            sources=frozenset({S.RECEIVED, S.ASSIGNED}),
            target=S.ASSIGNED,
            allowed=r.member_or_manager,
            inputs=(Input(name="assignee", required=True, text=False),),
            changes=_assign_changes,
            notify=(
                Notify(
                    kind="advice_assigned",
                    to=lambda ctx: [ctx.obj.assignee],
                    key=lambda ctx, who: f"advice:{ctx.obj.pk}:assigned:{ctx.obj.version}",
                    context=lambda ctx: {"question": ctx.obj, "staff_url": _sel().staff_url(ctx.obj)},
                    skip_actor=True,
                ),
            ),
        ),
        Transition(
            name="ask_clarification",
            label=_("Ask the resident for clarification"),
            public_label=_("The working group asks you for more details."),
            sources=frozenset({S.ASSIGNED}),
            target=S.WAITING,
            allowed=r.member,
            inputs=(_message(),),
            pauses=("answer",),
            notify=(_resident_update(),),
        ),
        Transition(
            name="resident_reply",
            label=_("The resident replied"),
            public_label=_("You replied."),
            sources=frozenset({S.WAITING}),
            target=S.ASSIGNED,
            allowed=r.resident,
            inputs=(_message(),),
            direct=False,  # services.question_resident_reply: through the tracking link
            resumes=("answer",),
            notify=(
                Notify(
                    kind="advice_reply",
                    to=_handlers,
                    key=lambda ctx, who: f"advice:{ctx.obj.pk}:reply:{ctx.obj.version}:{who.user.pk}",
                    context=lambda ctx: {"question": ctx.obj, "staff_url": _sel().staff_url(ctx.obj)},
                ),
            ),
        ),
        Transition(
            name="answer",
            label=_("Send the answer"),
            public_label=_("The working group answered your question."),
            sources=frozenset({S.ASSIGNED}),
            target=S.ANSWERED,
            allowed=r.member,
            inputs=(
                Input(
                    name="answer",
                    required=True,
                    max_length=MAX_ANSWER,
                    field="answer",
                    required_message=_("Please write the answer."),
                    too_long_message=_("The answer may have at most 4000 characters."),
                ),
            ),
            stamps=("answered_at",),
            notify=(_resident_update(),),
        ),
        Transition(
            name="close",
            label=_("Close"),
            public_label=_("The question was closed."),
            sources=frozenset({S.ANSWERED}),
            target=S.CLOSED,
            allowed=r.member_or_manager,
            stamps=("closed_at",),
            notify=(_resident_update(),),
        ),
        Transition(
            name="reassign",
            label=_("Hand over to another working group"),
            public_label=_("Your question was handed over to another working group."),
            sources=frozenset({S.RECEIVED, S.ASSIGNED}),
            target=S.RECEIVED,
            allowed=r.member_or_manager,
            direct=False,  # services.question_reassign: an active group of the same programme
            clears=("assignee",),
            changes=_reassign_changes,
            log=lambda ctx: {"to_group": ctx.data["group"].pk, "from_group": ctx.obj.group_id},
            notify=(_resident_update(),),
        ),
        Transition(
            name="to_report",
            label=_("Turn into a threat report"),
            public_label=_("Your question was passed to the police as a threat report."),
            sources=OPEN,
            target=S.CLOSED,
            allowed=r.member,
            direct=False,  # services.question_to_report: files the report through incidents' services
            stamps=("closed_at",),
            changes=_report_changes,
            log=lambda ctx: {"report": ctx.data["report"].pk},
            notify=(_resident_update(),),
        ),
    ]
}


def _event_row(ctx) -> None:
    from .models import QuestionMessage

    kind = {"ask_clarification": "clarification", "resident_reply": "reply", "answer": "answer"}.get(
        ctx.transition.name, "event"
    )
    body = ctx.inputs.get("answer") if kind == "answer" else ctx.inputs.get("message", "")
    actor = ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None
    QuestionMessage.objects.create(
        question=ctx.obj,
        kind=kind,
        action=ctx.transition.name,
        author=actor,
        body=body or "",
        created_at=ctx.now,
    )


QUESTION = Workflow(
    name="advice",
    model="projects.Question",
    states=STATES,
    transitions=TRANSITIONS,
    messages=Messages(
        unknown=_("Unknown action."),
        not_possible=_("“%(action)s” is not possible for a question that is %(status)s."),
        forbidden=_("You may not do this with this question."),
        stale=_("Someone else has just changed this question. Reload the page and try again."),
        not_direct=_("This step is made on its own form."),
    ),
    version_field="version",
    updated_field="updated_at",
    deadlines=(ACKNOWLEDGE, ANSWER),
    current_due_field="due_at",
    event=_event_row,
    log=lambda ctx: {"from_status": ctx.before, "to_status": ctx.after},
)

# What the resident's tracking page says for the entries that are not transitions
PUBLIC_EVENT_LABELS = {
    "asked": _("You asked the question."),
    "email_changed": _("You corrected your email address."),
}
