"""The life of a sub-project proposal as data (after Hypha): statuses with a staff label and a public label,
the transitions between them, who may make each, and what it needs. ``services.proposal_transition`` applies
them and refuses anything else; every transition is written to the activity log.

draft → submitted → in review → recommended | not recommended → approved | rejected;
approved → in progress → final report → completed. A town may withdraw a draft or a submitted proposal; the
programme manager may return a submitted proposal for changes, and a final report for completion.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", pgettext_lazy("grants", "submitted")
    IN_REVIEW = "in_review", _("in commission review")
    RECOMMENDED = "recommended", _("recommended by the commission")
    NOT_RECOMMENDED = "not_recommended", _("not recommended by the commission")
    APPROVED = "approved", _("approved by the council")
    REJECTED = "rejected", _("rejected by the council")
    IN_PROGRESS = "in_progress", _("in progress")
    FINAL_REPORT = "final_report", _("final report submitted")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("grants", "withdrawn")


@dataclass(frozen=True)
class StatusLabels:
    staff: object  # what the programme manager and the commission read
    public: object  # what the applicant town and the public read


STATUSES: dict[str, StatusLabels] = {
    Status.DRAFT: StatusLabels(_("Draft"), _("Draft – not submitted yet")),
    Status.SUBMITTED: StatusLabels(_("Submitted, waiting for review"), pgettext_lazy("grants", "Submitted")),
    Status.IN_REVIEW: StatusLabels(_("In commission review"), _("Being assessed")),
    Status.RECOMMENDED: StatusLabels(
        _("Recommended – waiting for the council"), _("Assessed – waiting for the council's decision")
    ),
    Status.NOT_RECOMMENDED: StatusLabels(
        _("Not recommended – waiting for the council"), _("Assessed – waiting for the council's decision")
    ),
    Status.APPROVED: StatusLabels(_("Approved by the council"), _("Supported")),
    Status.REJECTED: StatusLabels(_("Rejected by the council"), _("Not supported")),
    Status.IN_PROGRESS: StatusLabels(_("In progress"), _("Supported – being carried out")),
    Status.FINAL_REPORT: StatusLabels(_("Final report to check"), _("Supported – final report submitted")),
    Status.COMPLETED: StatusLabels(_("Completed"), _("Supported – completed")),
    Status.WITHDRAWN: StatusLabels(_("Withdrawn by the town"), _("Withdrawn")),
}

# Proposals the programme supports: they count in the public list and against the budget.
SUPPORTED = frozenset({Status.APPROVED, Status.IN_PROGRESS, Status.FINAL_REPORT, Status.COMPLETED})
# Proposals waiting for the council
AWAITING_DECISION = frozenset({Status.RECOMMENDED, Status.NOT_RECOMMENDED})
# Once submitted, a proposal's content is locked
EDITABLE = frozenset({Status.DRAFT})
# The questions thread is open from submission until the end
THREAD_OPEN = frozenset(set(Status) - {Status.DRAFT, Status.WITHDRAWN})

TOWN = "projects.edit_proposal"  # municipal staff of the applicant town
MANAGER = "projects.manage"  # the programme manager
COUNCIL = "projects.decide"  # the programme manager records the council's resolutions


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # the staff button
    public_label: object  # the line the town reads in the proposal's history
    sources: frozenset
    target: str
    perm: str  # rules permission, checked with the proposal as object
    note_required: bool = False
    # False: only a dedicated service may apply it, after its own checks and writes (submission, decision,
    # commission meeting, final report); the generic action form never offers it.
    direct: bool = True
    stamps: tuple = ()  # Proposal timestamp fields set to "now"
    note_public: bool = True  # the town reads the note in its history (not the commission's own notes)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="submit",
            label=_("Submit the proposal"),
            public_label=_("The proposal was submitted."),
            sources=frozenset({Status.DRAFT}),
            target=Status.SUBMITTED,
            perm=TOWN,
            direct=False,
            stamps=("submitted_at",),
        ),
        Transition(
            name="withdraw",
            label=_("Withdraw the proposal"),
            public_label=_("The town withdrew the proposal."),
            sources=frozenset({Status.DRAFT, Status.SUBMITTED}),
            target=Status.WITHDRAWN,
            perm=TOWN,
        ),
        Transition(
            name="return_for_changes",
            label=_("Return to the town for changes"),
            public_label=_("The programme manager returned the proposal for changes."),
            sources=frozenset({Status.SUBMITTED}),
            target=Status.DRAFT,
            perm=MANAGER,
            note_required=True,
        ),
        Transition(
            name="start_review",
            label=_("Send to the commission"),
            public_label=_("The Security Commission is assessing the proposal."),
            sources=frozenset({Status.SUBMITTED}),
            target=Status.IN_REVIEW,
            perm=MANAGER,
        ),
        Transition(
            name="recommend",
            label=_("Recommended by the commission"),
            public_label=_("The Security Commission has assessed the proposal."),
            sources=frozenset({Status.IN_REVIEW}),
            target=Status.RECOMMENDED,
            perm=MANAGER,
            direct=False,
            note_public=False,
        ),
        Transition(
            name="not_recommend",
            label=_("Not recommended by the commission"),
            public_label=_("The Security Commission has assessed the proposal."),
            sources=frozenset({Status.IN_REVIEW}),
            target=Status.NOT_RECOMMENDED,
            perm=MANAGER,
            direct=False,
            note_public=False,
        ),
        Transition(
            name="approve",
            label=_("Approved by the council"),
            public_label=_("The council approved the proposal."),
            sources=AWAITING_DECISION,
            target=Status.APPROVED,
            perm=COUNCIL,
            direct=False,
            stamps=("decided_at",),
        ),
        Transition(
            name="reject",
            label=_("Rejected by the council"),
            public_label=_("The council did not approve the proposal."),
            sources=AWAITING_DECISION,
            target=Status.REJECTED,
            perm=COUNCIL,
            direct=False,
            stamps=("decided_at",),
        ),
        Transition(
            name="start",
            label=_("Start the project (contract signed)"),
            public_label=_("The project has started."),
            sources=frozenset({Status.APPROVED}),
            target=Status.IN_PROGRESS,
            perm=MANAGER,
            stamps=("started_at",),
        ),
        Transition(
            name="submit_final_report",
            label=_("Submit the final report"),
            public_label=_("The town submitted the final report."),
            sources=frozenset({Status.IN_PROGRESS}),
            target=Status.FINAL_REPORT,
            perm=TOWN,
            direct=False,
        ),
        Transition(
            name="return_final_report",
            label=_("Return the final report for completion"),
            public_label=_("The programme manager asked for more in the final report."),
            sources=frozenset({Status.FINAL_REPORT}),
            target=Status.IN_PROGRESS,
            perm=MANAGER,
            note_required=True,
        ),
        Transition(
            name="complete",
            label=_("Accept the final report and complete"),
            public_label=_("The project was completed."),
            sources=frozenset({Status.FINAL_REPORT}),
            target=Status.COMPLETED,
            perm=MANAGER,
            stamps=("completed_at",),
        ),
    ]
}


def transitions_from(status: str, *, direct_only: bool = False) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources and (t.direct or not direct_only)]


def staff_label(status: str):
    return STATUSES[status].staff


def public_label(status: str):
    return STATUSES[status].public
