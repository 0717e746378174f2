"""The life of a sub-project proposal, declared in the shared engines (``portal.workflow``,
``portal.deadlines``): statuses with a staff label and a public label, the transitions between them, who may
make each (``projects.rules``), what each needs, stamps, clears and starts, the emails it triggers, and the
final-report deadline with its reminder and overdue notice. ``services.proposal_transition`` applies the
transitions the generic action form offers; the dedicated services (submission, commission meeting, council
decision, final report) apply theirs after their own checks; ``services.final_reports_remind`` sweeps the
deadline. Every transition is written to the activity log, which is the proposal's history.

draft → submitted → in review → recommended | not recommended → approved | rejected;
approved → in progress → final report → completed. A town may withdraw a draft or a submitted proposal; the
programme manager may return a submitted proposal for changes, and a final report for completion.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.deadlines import BulkNotify, Deadline, Step
from portal.web import absolute_reverse
from portal.workflow import Input, Messages, Notify, State, Transition, Workflow

from . import rules as r
from .money import money_text

# The statuses and their groups: the app reads them from here (``statuses.py`` keeps them apart for the rules)
from .statuses import ASSIGNABLE, AWAITING_DECISION, EDITABLE, SUPPORTED, THREAD_OPEN, Status  # noqa: F401

FINAL_REPORT_DAYS = 60  # after the project's end
REMIND_BEFORE = timedelta(days=14)
MAX_NOTE = 4000

STATUSES: dict[str, State] = {
    # State(what the programme manager and the commission read, what the applicant town and the public read)
    Status.DRAFT: State(_("Draft"), _("Draft – not submitted yet")),
    Status.SUBMITTED: State(_("Submitted, waiting for review"), pgettext_lazy("grants", "Submitted")),
    Status.IN_REVIEW: State(_("In commission review"), _("Being assessed")),
    Status.RECOMMENDED: State(
        _("Recommended – waiting for the council"), _("Assessed – waiting for the council's decision")
    ),
    Status.NOT_RECOMMENDED: State(
        _("Not recommended – waiting for the council"), _("Assessed – waiting for the council's decision")
    ),
    Status.APPROVED: State(_("Approved by the council"), _("Supported")),
    Status.REJECTED: State(_("Rejected by the council"), _("Not supported"), open=False),
    Status.IN_PROGRESS: State(_("In progress"), _("Supported – being carried out")),
    Status.FINAL_REPORT: State(_("Final report to check"), _("Supported – final report submitted")),
    Status.COMPLETED: State(_("Completed"), _("Supported – completed"), open=False),
    Status.WITHDRAWN: State(_("Withdrawn by the town"), _("Withdrawn"), open=False),
}


# What the programme manager does next, per status (the proposal page's "next step" panel). In review the
# panel counts the reviews instead (``next_steps.manager_next_step``); closed statuses have no next step.
MANAGER_NEXT_STEP: dict[str, str] = {
    Status.DRAFT: _("The town is still drafting the proposal: nothing to do until it is submitted."),
    Status.SUBMITTED: _(
        "Check the proposal: assign commission members and send it to the commission, or return it to the "
        "town for changes."
    ),
    Status.RECOMMENDED: _("Recommended by the commission – record the council's decision."),
    Status.NOT_RECOMMENDED: _("Not recommended by the commission – record the council's decision."),
    Status.APPROVED: _("Approved – start the project once the contract is signed."),
    Status.IN_PROGRESS: _("In progress – wait for the town's final report."),
    Status.FINAL_REPORT: _("Check the final report: accept it, or return it to the town for completion."),
}
# In review, the panel's texts
REVIEW_NEXT_STEP = {
    "unassigned": _("Nobody reviews it yet – assign commission members."),
    "all_in": _("%(done)d of %(total)d reviews in – put it on a commission meeting's agenda."),
}

# --- who hears of what ----------------------------------------------------------------------------------


def _people():
    from . import selectors  # the selectors read the models, which import this module

    return selectors


def proposal_url(proposal) -> str:
    return absolute_reverse("projects:proposal", proposal.pk)


def _town_staff(ctx):
    return _people().town_staff(municipality_id=ctx.obj.municipality_id)


def _managers(ctx):
    return _people().programme_managers()


def _about(proposal) -> dict:
    """What every email about a proposal names: the proposal, its town, its page."""
    return {"proposal": proposal, "town": proposal.municipality.name, "url": proposal_url(proposal)}


def _managers_told(kind: str, key, **extra) -> tuple[Notify, ...]:
    """The programme managers hear of a town's step (``extra``: more context, computed from the proposal)."""
    return (
        Notify(
            kind=kind,
            to=_managers,
            key=key,
            context=lambda ctx: {**_about(ctx.obj), **{name: f(ctx.obj) for name, f in extra.items()}},
        ),
    )


def _final_report_due(proposal, now) -> date:
    """60 days after the project's end (or after the start, for a project that should have ended)."""
    today = timezone.localdate(now)
    return max(proposal.ends_on or today, today) + timedelta(days=FINAL_REPORT_DAYS)


def _due_recipients(proposals, *, managers: bool) -> dict:
    people = _people()
    staff = people.town_staff_many(municipality_ids={p.municipality_id for p in proposals})
    extra = list(people.programme_managers()) if managers else []
    return {p.pk: [*staff.get(p.municipality_id, []), *extra] for p in proposals}


def _due_notice(kind: str, *, managers: bool) -> BulkNotify:
    return BulkNotify(
        kind=kind,
        to=lambda proposals: _due_recipients(proposals, managers=managers),
        key=lambda p, who: f"proposal:{p.pk}:{kind}:{p.final_report_due_on.isoformat()}:{who.user.pk}",
        context=lambda p: {**_about(p), "due_on": p.final_report_due_on},
    )


def _due_on(proposal) -> dict:
    return {"due_on": proposal.final_report_due_on.isoformat()}


FINAL_REPORT = Deadline(
    name="final_report",
    label=_("final report due"),
    model="projects.Proposal",
    due_field="final_report_due_on",  # a date: due until the end of that day
    states=frozenset({Status.IN_PROGRESS}),
    due=_final_report_due,
    steps=(
        # Overdue: the town and the programme manager hear of it, once (no reminder after that)
        Step(
            flag="final_report_overdue_notified",
            verb="proposal.final_report_overdue",
            sets={"final_report_reminded": True},
            notify=(_due_notice("projects_final_report_overdue", managers=True),),
            log=_due_on,
        ),
        # Due within 14 days: the town is reminded (the due day's end is 14 days and a day ahead)
        Step(
            flag="final_report_reminded",
            verb="proposal.final_report_due",
            ahead=REMIND_BEFORE + timedelta(days=1),
            only_before_due=True,
            notify=(_due_notice("projects_final_report_due", managers=False),),
            log=_due_on,
        ),
    ),
    select_related=("call", "municipality"),
)


# --- the transitions ------------------------------------------------------------------------------------


def _note(*, required: bool = False) -> Input:
    return Input(
        name="note",
        required=required,
        max_length=MAX_NOTE,
        required_message=_("Please explain the reason in a note."),
        too_long_message=_("The note is too long (at most 4000 characters)."),
    )


NOTE, NOTE_REQUIRED = (_note(),), (_note(required=True),)


def _version_key(event: str):
    return lambda ctx, who: f"proposal:{ctx.obj.pk}:{event}:{ctx.obj.version}:{who.user.pk}"


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="submit",
            label=_("Submit the proposal"),
            public_label=_("The proposal was submitted."),
            sources=frozenset({Status.DRAFT}),
            target=Status.SUBMITTED,
            allowed=r.town,
            inputs=NOTE,
            direct=False,  # services.proposal_submit: complete, within the call's window and limits
            stamps=("submitted_at",),
            notify=_managers_told(
                "projects_proposal_submitted",
                _version_key("submitted"),
                amount=lambda proposal: money_text(proposal.requested_amount),
            ),
        ),
        Transition(
            name="withdraw",
            label=_("Withdraw the proposal"),
            public_label=_("The town withdrew the proposal."),
            sources=frozenset({Status.DRAFT, Status.SUBMITTED}),
            target=Status.WITHDRAWN,
            allowed=r.town,
            inputs=NOTE,
        ),
        Transition(
            name="return_for_changes",
            label=_("Return to the town for changes"),
            public_label=_("The programme manager returned the proposal for changes."),
            sources=frozenset({Status.SUBMITTED}),
            target=Status.DRAFT,
            allowed=r.manager,
            inputs=NOTE_REQUIRED,
            clears=("submitted_at",),
        ),
        Transition(
            name="start_review",
            label=_("Send to the commission"),
            public_label=_("The Security Commission is assessing the proposal."),
            sources=frozenset({Status.SUBMITTED}),
            target=Status.IN_REVIEW,
            allowed=r.manager,
            inputs=NOTE,
        ),
        Transition(
            name="recommend",
            label=_("Recommended by the commission"),
            public_label=_("The Security Commission has assessed the proposal."),
            sources=frozenset({Status.IN_REVIEW}),
            target=Status.RECOMMENDED,
            allowed=r.manager,
            inputs=NOTE,
            direct=False,  # services.meeting_close
        ),
        Transition(
            name="not_recommend",
            label=_("Not recommended by the commission"),
            public_label=_("The Security Commission has assessed the proposal."),
            sources=frozenset({Status.IN_REVIEW}),
            target=Status.NOT_RECOMMENDED,
            allowed=r.manager,
            inputs=NOTE,
            direct=False,  # services.meeting_close
        ),
        Transition(
            name="approve",
            label=_("Approved by the council"),
            public_label=_("The council approved the proposal."),
            sources=AWAITING_DECISION,
            target=Status.APPROVED,
            allowed=r.council,
            inputs=NOTE,
            direct=False,  # services.decision_record: the amount within every budget
            stamps=("decided_at",),
        ),
        Transition(
            name="reject",
            label=_("Rejected by the council"),
            public_label=_("The council did not approve the proposal."),
            sources=AWAITING_DECISION,
            target=Status.REJECTED,
            allowed=r.council,
            inputs=NOTE,
            direct=False,  # services.decision_record
            stamps=("decided_at",),
        ),
        Transition(
            name="start",
            label=_("Start the project (contract signed)"),
            public_label=_("The project has started."),
            sources=frozenset({Status.APPROVED}),
            target=Status.IN_PROGRESS,
            allowed=r.manager,
            inputs=NOTE,
            stamps=("started_at",),
            starts=("final_report",),
        ),
        Transition(
            name="submit_final_report",
            label=_("Submit the final report"),
            public_label=_("The town submitted the final report."),
            sources=frozenset({Status.IN_PROGRESS}),
            target=Status.FINAL_REPORT,
            allowed=r.town,
            inputs=NOTE,
            direct=False,  # services.final_report_submit: the money spent within the amount approved
            notify=_managers_told(
                "projects_final_report_submitted",
                lambda ctx, who: f"proposal:{ctx.obj.pk}:final_report:{ctx.now.isoformat()}:{who.user.pk}",
            ),
        ),
        Transition(
            name="return_final_report",
            label=_("Return the final report for completion"),
            public_label=_("The programme manager asked for more in the final report."),
            sources=frozenset({Status.FINAL_REPORT}),
            target=Status.IN_PROGRESS,
            allowed=r.manager,
            inputs=NOTE_REQUIRED,
        ),
        Transition(
            name="complete",
            label=_("Accept the final report and complete"),
            public_label=_("The project was completed."),
            sources=frozenset({Status.FINAL_REPORT}),
            target=Status.COMPLETED,
            allowed=r.manager,
            inputs=NOTE,
            stamps=("completed_at",),
        ),
    ]
}

# The commission's notes on its recommendation stay with the staff: the town's history leaves them out.
STAFF_ONLY_NOTES = frozenset({"recommend", "not_recommend"})

PROPOSAL = Workflow(
    name="proposal",
    model="projects.Proposal",
    states=STATUSES,
    transitions=TRANSITIONS,
    messages=Messages(
        unknown=pgettext_lazy("grants", "Unknown action."),
        not_possible=_("“%(action)s” is not possible for a proposal that is %(status)s."),
        forbidden=_("You may not do this with this proposal."),
        stale=_("Someone else has just saved this proposal. Reload the page and make your changes again."),
        not_direct=_("This step is recorded on its own page."),
    ),
    version_field="version",
    updated_field="updated_at",
    deadlines=(FINAL_REPORT,),
    notify=(
        # The town's staff hear of every step, in the public wording (not the one who made it)
        Notify(
            kind="projects_proposal_status",
            to=_town_staff,
            key=lambda ctx, who: (
                f"proposal:{ctx.obj.pk}:{ctx.transition.name}:{ctx.obj.version}:{who.user.pk}"
            ),
            context=lambda ctx: {
                "proposal": ctx.obj,
                "public_label": str(ctx.transition.public_label),
                "status": str(ctx.obj.public_status),
                "note": ctx.inputs.get("note", ""),
                "url": proposal_url(ctx.obj),
            },
            skip_actor=True,
        ),
    ),
    log=lambda ctx: {"from_status": ctx.before, "to_status": ctx.after, "note": ctx.inputs.get("note", "")},
)


def transitions_from(status: str, *, direct_only: bool = False) -> list[Transition]:
    return PROPOSAL.transitions_from(status, direct_only=direct_only)
