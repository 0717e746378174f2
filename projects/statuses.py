"""The statuses of a sub-project proposal and the groups of them the app asks about. ``workflow.py`` moves
proposals between them (and re-exports them: import them from there); ``rules.py`` reads them too, which
is why they live apart from the workflow that needs the rules."""

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


# Proposals the programme supports: they count in the public list and against the budget.
SUPPORTED = frozenset({Status.APPROVED, Status.IN_PROGRESS, Status.FINAL_REPORT, Status.COMPLETED})
# Proposals waiting for the council
AWAITING_DECISION = frozenset({Status.RECOMMENDED, Status.NOT_RECOMMENDED})
# Once submitted, a proposal's content is locked
EDITABLE = frozenset({Status.DRAFT})
# The questions thread is open from submission until the end
THREAD_OPEN = frozenset(set(Status) - {Status.DRAFT, Status.WITHDRAWN})
# Reviewers may be assigned while the proposal waits for or is in review
ASSIGNABLE = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
