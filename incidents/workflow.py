"""The report workflow and its deadlines, declared in the shared engines (``portal.workflow``,
``portal.deadlines``): statuses, the transitions between them, who may make each (``incidents.rules``),
what each needs, stamps and starts, the emails it triggers, and the KMZB deadlines with their reminders and
overdue marks. ``services.report_transition`` applies it; ``services.deadlines_sweep`` runs the deadlines.

The statuses (``models.Status``) follow KMZB as residents see them: new → verifying (taken up) → confirmed |
not confirmed | joke or mistake; confirmed → eliminated | handed over to a body outside the police.
"""

from dataclasses import dataclass
from datetime import timedelta

import rules
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.deadlines import BulkNotify, Deadline, Step
from portal.services import Recipient
from portal.workflow import Input, Messages, Notify, State, Transition, Workflow

from . import map_cells, selectors
from . import rules as r
from .models import CLOSED_STATUSES, OPEN_STATUSES, ReportEvent, Status

# Colours of the public map markers (AA contrast on white, distinguishable without colour by the label)
STATUS_COLOURS = {
    Status.NEW: "#b3261e",
    Status.VERIFYING: "#8a5300",
    Status.CONFIRMED: "#1d4e89",
    Status.NOT_CONFIRMED: "#4a5360",
    Status.JOKE_OR_MISTAKE: "#4a5360",
    Status.ELIMINATED: "#1e6b35",
    Status.HANDED_OVER: "#5b2a86",
}  # a withdrawn report is never on the map
REMINDER_BEFORE = timedelta(hours=6)
PARTNER_REMINDER_BEFORE = timedelta(days=2)
MAX_ANSWER = 2000
MAX_NOTE = 4000


# --- who hears of what (set-based for the sweeps: a constant number of queries per batch) ---------------


def police_recipients(reports, *, coordinators: bool) -> dict:
    """pk → the report's officers (its assignee, else its district's officers), plus the unit's
    coordinators when ``coordinators`` (and always for a report nobody is responsible for)."""
    return selectors.report_police_many(reports, coordinators=coordinators)


def partner_recipients(reports, *, coordinators: bool) -> dict:
    """pk → the staff of the body each report is handed over to, plus the unit's coordinators when
    ``coordinators``."""
    return selectors.report_partner_many(reports, coordinators=coordinators)


def _due_key(field: str, action: str):
    return lambda report, who: (
        f"report:{report.pk}:{action}:{getattr(report, field):%Y%m%d%H%M%S}:{who.user.pk}"
    )


def _timeline_row(action: str, field: str):
    def row(report, now):
        return ReportEvent(report=report, at=now, action=action, data={"deadline": field})

    return row


def _deadline_steps(
    name: str,
    field: str,
    flag_prefix: str,
    *,
    recipients=police_recipients,
    ahead: timedelta = REMINDER_BEFORE,
) -> tuple[Step, ...]:
    def context(report):
        # Rendered by the worker: the deadline and its time as they were when the step ran (the report may
        # be taken up, or its deadline moved, before the email leaves); the staff link comes from the pk
        return {"report": report, "deadline": name, "due_at": getattr(report, field)}

    return (
        Step(
            flag=f"{flag_prefix}_overdue",
            verb=f"report.{name}_overdue",
            event=_timeline_row(f"{name}_overdue", field),
            notify=(
                BulkNotify(
                    kind="incident_overdue",
                    to=lambda reports: recipients(reports, coordinators=True),
                    key=_due_key(field, f"{name}_overdue"),
                    context=context,
                    render_later=True,
                ),
            ),
        ),
        Step(
            flag=f"{flag_prefix}_reminded",
            verb=f"report.{name}_reminder",
            ahead=ahead,
            only_before_due=True,  # already past the deadline: the overdue notice says it all
            event=_timeline_row(f"{name}_reminder", field),
            notify=(
                BulkNotify(
                    kind="incident_reminder",
                    to=lambda reports: recipients(reports, coordinators=False),
                    key=_due_key(field, f"{name}_reminder"),
                    context=context,
                    render_later=True,
                ),
            ),
        ),
    )


TAKE_UP = Deadline(
    name="take_up",
    label=_("Take up by"),
    model="incidents.Report",
    due_field="take_up_due_at",
    states=frozenset({Status.NEW}),
    duration=lambda report: timedelta(hours=report.category.take_up_hours),
    steps=_deadline_steps("take_up", "take_up_due_at", "take_up"),
    select_related=("category", "police_unit", "district", "assignee__profile"),
)
VERIFY = Deadline(
    name="verify",
    label=_("Verify by"),
    model="incidents.Report",
    due_field="verify_due_at",
    states=frozenset({Status.VERIFYING}),
    duration=lambda report: timedelta(hours=report.category.verify_hours),
    steps=_deadline_steps("verify", "verify_due_at", "verify"),
    select_related=("category", "police_unit", "district", "assignee__profile"),
)

# A handed-over report stays the partner body's until it marks it resolved (``partner_resolve``); its staff
# hear before the deadline, and its staff and the unit's coordinators when it has passed
PARTNER_RESOLVE = Deadline(
    name="partner_resolve",
    label=_("Partner to resolve by"),
    model="incidents.Report",
    due_field="partner_due_at",
    states=frozenset({Status.HANDED_OVER}),
    duration=lambda report: timedelta(days=settings.PARTNER_RESOLVE_DAYS),
    steps=_deadline_steps(
        "partner_resolve",
        "partner_due_at",
        "partner",
        recipients=partner_recipients,
        ahead=PARTNER_REMINDER_BEFORE,
    ),
    filter={"partner_resolved_at__isnull": True},
    select_related=("category", "police_unit", "district", "assignee__profile", "partner_body"),
)


# --- the transitions ------------------------------------------------------------------------------------

_TOO_LONG = _("The answer or the note is too long.")


def _answer(*, required: bool = False, **kwargs) -> Input:
    return Input(
        name="public_answer",
        required=required,
        max_length=MAX_ANSWER,
        required_message=_("Please write a public answer for the reporter."),
        too_long_message=_TOO_LONG,
        too_long_at_field=False,
        field="public_answer",
        **kwargs,
    )


def _note(**kwargs) -> Input:
    return Input(
        name="internal_note",
        max_length=MAX_NOTE,
        too_long_message=_TOO_LONG,
        too_long_at_field=False,
        **kwargs,
    )


TEXTS = (_answer(), _note())


def _take_up_changes(ctx) -> dict:
    return {"assignee": ctx.obj.assignee or ctx.actor}


def _reassign_changes(ctx) -> dict:
    district, assignee = ctx.inputs.get("district"), ctx.inputs.get("assignee")
    if district is not None:
        return {
            "district": district,
            "assignee": assignee or selectors.district_default_officer(district=district),
        }
    return {"assignee": assignee}


def _partner_staff(ctx):
    return selectors.partner_body_staff(partner_body=ctx.obj.partner_body)


def _reassigned_police(ctx):
    return police_recipients([ctx.obj], coordinators=False).get(ctx.obj.pk, [])


def _version_key(event: str):
    return lambda ctx, who: f"report:{ctx.obj.pk}:{event}:{ctx.obj.version}:{who.user.pk}"


@dataclass(frozen=True)
class TrackingTokenHolder:
    """The reporter, who has no account: whoever holds the report's private tracking link. Only
    ``services.report_withdraw`` makes one, after finding the report by the token's hash."""

    report_id: int
    is_authenticated = False
    is_superuser = False
    pk = None


@rules.predicate
def report_token_holder(actor, report) -> bool:
    return isinstance(actor, TrackingTokenHolder) and actor.report_id == report.pk


_POLICE_LABEL = _("police")
_PARTNER_LABEL = _("partner body")
# Acts whose public history line names the body itself ("resolved by MP Domažlice"): ``by_partner_body``
NAMES_THE_BODY = frozenset({"partner_resolve"})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="take_up",
            label=_("Take up"),
            public_label=_("The report was taken up by the police."),
            sources=frozenset({Status.NEW}),
            target=Status.VERIFYING,
            allowed=r.report_police,
            inputs=TEXTS,
            stamps=("taken_up_at",),
            starts=("verify",),
            changes=_take_up_changes,
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="confirm",
            label=_("Confirm"),
            public_label=_("The threat was confirmed."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.CONFIRMED,
            allowed=r.report_police,
            inputs=TEXTS,
            stamps=("verified_at",),
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="not_confirm",
            label=_("Not confirmed"),
            public_label=_("The threat was not confirmed."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.NOT_CONFIRMED,
            allowed=r.report_police,
            inputs=(_answer(required=True), _note()),
            stamps=("verified_at", "closed_at"),
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="joke",
            label=_("Joke or mistake"),
            public_label=_("The report was a joke or a mistake."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.JOKE_OR_MISTAKE,
            allowed=r.report_police,
            inputs=TEXTS,
            stamps=("verified_at", "closed_at"),
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="eliminate",
            label=_("Threat eliminated"),
            public_label=_("The threat was eliminated."),
            sources=frozenset({Status.CONFIRMED}),
            target=Status.ELIMINATED,
            allowed=r.report_police,
            inputs=TEXTS,
            stamps=("closed_at",),
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="hand_over",
            label=_("Hand over to a partner body"),
            public_label=_("The report was handed over to a body outside the police."),
            sources=frozenset({Status.CONFIRMED}),
            target=Status.HANDED_OVER,
            allowed=r.report_police,
            inputs=(
                Input(
                    name="partner_body",
                    required=True,
                    text=False,
                    field="partner_body",
                    required_message=_("Choose the body the report is handed over to."),
                ),
                _answer(),
                _note(
                    label=_("Note for the partner body"),
                    help_text=_("Seen by the police and the partner body's staff."),
                ),
            ),
            starts=("partner_resolve",),  # open until the partner body resolves it (no closed_at yet)
            notify=(
                Notify(
                    kind="incident_handed_over",
                    to=_partner_staff,
                    key=_version_key("handed_over"),
                    context=lambda ctx: {
                        "report": ctx.obj,
                        "note": ctx.inputs["internal_note"],
                        "staff_url": selectors.staff_url(ctx.obj),
                    },
                ),
            ),
            public_actor=_POLICE_LABEL,
        ),
        Transition(
            name="partner_answer",
            label=_("Answer"),
            public_label=_("The partner body answered."),
            sources=frozenset({Status.HANDED_OVER}),
            target=None,
            allowed=r.report_partner,
            inputs=(_answer(required=True), _note(help_text=_("Seen by the police and your body's staff."))),
            public_actor=_PARTNER_LABEL,
        ),
        # The status stays "handed over" (KMZB's public status): the resolution is a stamp, not a state, so
        # the partner's access, the public label and the statistics stay as they are; the report is closed
        Transition(
            name="partner_resolve",
            label=_("Mark resolved"),
            public_label=_("The partner body resolved the report."),
            sources=frozenset({Status.HANDED_OVER}),
            target=None,
            allowed=r.report_partner_unresolved,
            inputs=(_answer(required=True), _note(help_text=_("Seen by the police and your body's staff."))),
            stamps=("partner_resolved_at", "closed_at"),
            clears=("partner_due_at",),
            public_actor=_PARTNER_LABEL,
        ),
        Transition(
            name="reassign",
            label=_("Reassign"),
            public_label=_("The report was passed to another officer."),
            sources=frozenset(OPEN_STATUSES),
            target=None,
            allowed=r.report_coordinator,
            inputs=(
                Input(
                    name="assignee",
                    required=True,
                    text=False,
                    or_input="district",
                    required_message=_("Choose the officer or the district."),
                ),
                Input(name="district", text=False),
                *TEXTS,
            ),
            changes=_reassign_changes,
            notify=(
                Notify(
                    kind="incident_new",
                    to=_reassigned_police,
                    when=lambda ctx: bool(ctx.obj.assignee_id),
                    key=_version_key("reassigned"),
                    context=lambda ctx: {"report": ctx.obj, "staff_url": selectors.staff_url(ctx.obj)},
                ),
            ),
            public_actor=_POLICE_LABEL,
        ),
        # The reporter takes back a report the police have not taken up yet (GDPR: their data, their choice).
        # Nobody in the police is asked to act: the take-up deadline stops, the report leaves the queues.
        Transition(
            name="withdraw",
            label=_("Withdrawn by the reporter"),  # the staff timeline's line
            public_label=_("The report was withdrawn by the reporter."),
            sources=frozenset({Status.NEW}),
            target=Status.WITHDRAWN,
            allowed=report_token_holder,
            stamps=("closed_at",),
            direct=False,  # only services.report_withdraw, from the tracking page; never a staff form
            public_actor=_("you"),
        ),
        Transition(
            name="reopen",
            label=_("Reopen"),
            public_label=_("The report was reopened for verification."),
            sources=frozenset(CLOSED_STATUSES - {Status.WITHDRAWN}),  # the reporter's choice stands
            target=Status.VERIFYING,
            allowed=r.report_coordinator,
            inputs=(_answer(required=True), _note()),
            clears=("closed_at", "verified_at", "partner_due_at", "partner_resolved_at"),
            starts=("verify",),
            public_actor=_POLICE_LABEL,
        ),
    ]
}


# --- what every transition writes -----------------------------------------------------------------------


def _event(ctx) -> None:
    partner_body, assignee = ctx.changes.get("partner_body"), ctx.changes.get("assignee")
    data = {"partner_body": getattr(partner_body, "pk", None), "assignee": getattr(assignee, "pk", None)}
    if ctx.transition.name in NAMES_THE_BODY:
        data["by_partner_body"] = ctx.obj.partner_body_id  # the body that acted, whatever happens later
    ReportEvent.objects.create(
        report=ctx.obj,
        at=ctx.now,
        actor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
        action=ctx.transition.name,
        from_status=ctx.before,
        to_status=ctx.after,
        public_answer=ctx.inputs.get("public_answer", ""),
        internal_note=ctx.inputs.get("internal_note", ""),
        data=data,
    )
    map_cells.report_changed(ctx.obj, before=ctx.before, after=ctx.after)  # the public map's clusters


def _reporter(ctx):
    report = ctx.obj
    return [Recipient(email=report.reporter_email, language=report.reporter_language)]


REPORT = Workflow(
    name="report",
    model="incidents.Report",
    states={status: State(label=status.label, open=status in OPEN_STATUSES) for status in Status},
    transitions=TRANSITIONS,
    messages=Messages(
        unknown=_("Unknown action."),
        not_possible=_("“%(action)s” is not possible for a report that is %(status)s."),
        forbidden=_("You may not do this with this report."),
        stale=_("Someone else has just changed this report. Reload the page to see its current state."),
    ),
    version_field="version",
    optimistic=True,
    updated_field="updated_at",
    deadlines=(TAKE_UP, VERIFY, PARTNER_RESOLVE),
    current_due_field="due_at",
    notify=(
        # The reporter hears of every change of status and every public answer
        Notify(
            kind="incident_status",
            to=_reporter,
            when=lambda ctx: (
                bool(ctx.obj.reporter_email) and (ctx.changed or bool(ctx.inputs.get("public_answer")))
            ),
            key=lambda ctx, who: f"report:{ctx.obj.pk}:{ctx.transition.name}:{ctx.obj.version}",
            context=lambda ctx: {
                "report": ctx.obj,
                "public_label": str(ctx.transition.public_label),
                "public_answer": ctx.inputs.get("public_answer", ""),
                # A signed link, made again for each email (only the token's hash is kept): selectors.follow
                "tracking_url": selectors.tracking_link(ctx.obj),
            },
        ),
    ),
    event=_event,
    log=lambda ctx: {"status": ctx.after},
)
