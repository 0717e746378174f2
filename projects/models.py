"""The regional safety programme: member towns, calls, sub-project proposals, the Security Commission's
reviews and meetings, the council's decisions and the final reports."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Municipality

from . import workflow
from .statuses import Status

MONEY = {"max_digits": 14, "decimal_places": 2}


class Programme(models.Model):
    """A regional safety programme, e.g. "Plzeňský kraj – bezpečný kraj"."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    region = models.CharField(_("region"), max_length=200)
    partners = models.TextField(_("partners"), blank=True)
    description = models.TextField(_("description"), blank=True)
    declared_on = models.DateField(_("declaration signed on"), null=True, blank=True)
    total_budget = models.DecimalField(_("total budget"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CZK")
    members = models.ManyToManyField(
        Municipality, through="Membership", related_name="programmes", verbose_name=_("member municipalities")
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_budget__gte=0), name="programme_budget")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("preparing to join")
        JOINED = "joined", _("member")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREPARING)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_on", "municipality__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "municipality"], name="membership_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="joined") | models.Q(joined_on__isnull=False),
                name="membership_joined_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.programme}"


class RegionalProject(models.Model):
    """A region-wide project of the programme (eBezpečnost, Bezpečí pro seniory, …), run by the region
    itself rather than proposed by a town."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="regional_projects"
    )
    slug = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"))
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    period = models.CharField(_("period"), max_length=100, blank=True)
    funding = models.CharField(_("funding"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region-wide project")
        verbose_name_plural = _("region-wide projects")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "slug"], name="regional_project_unique")]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """A call for sub-project proposals: one a year, with its own budget, window and criteria."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget"), **MONEY, validators=[MinValueValidator(0)])
    opens_at = models.DateTimeField(_("submissions open"))
    closes_at = models.DateTimeField(_("submissions close"))
    max_per_proposal = models.DecimalField(
        _("maximum per proposal"), **MONEY, validators=[MinValueValidator(1)]
    )
    min_cofinancing_percent = models.DecimalField(
        _("minimum co-financing by the town (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The town's own share of the total costs of a proposal."),
    )
    eligibility_notes = models.TextField(_("eligible costs – conditions"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-year", "-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="call_budget"),
            models.CheckConstraint(condition=Q(max_per_proposal__gt=0), name="call_max_per_proposal"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_window"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class Criterion(models.Model):
    """An assessment criterion of a call; its weight counts in the weighted average of the scores."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight")]

    def __str__(self) -> str:
        return self.name


class EligibleCost(models.Model):
    """A kind of cost a call pays for (equipment, training, publicity, …). Budget lines name one."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="eligible_costs"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("eligible cost")
        verbose_name_plural = _("eligible costs")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """A town's sub-project proposal in a call. Content is edited as a draft, validated fully on submission,
    then locked; what happens next follows ``workflow.PROPOSAL``."""

    Status = Status

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals")
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=pgettext_lazy("grants", "town"),
        on_delete=models.PROTECT,
        related_name="grant_proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    local_need = models.TextField(_("local need"), max_length=5000, blank=True)
    cite_reports = models.BooleanField(_("cite the town's report figures"), default=False)
    evidence = models.JSONField(_("report figures cited"), default=dict, blank=True)
    goals = models.TextField(_("goals"), max_length=3000, blank=True)
    activities = models.TextField(_("activities"), max_length=5000, blank=True)
    timetable = models.TextField(_("timetable"), max_length=3000, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    requested_amount = models.DecimalField(
        _("requested amount"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0)  # optimistic lock: two people editing one draft
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(pgettext_lazy("grants", "updated"), default=timezone.now)
    submitted_at = models.DateTimeField(pgettext_lazy("grants", "submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("grants", "decided"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Commission: the weighted average of the submitted reviews (n/a ignored), kept up to date by services
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    # Final report deadline and its reminders (``workflow.FINAL_REPORT``, claimed by the sweep: sent once)
    final_report_due_on = models.DateField(_("final report due"), null=True, blank=True)
    final_report_reminded = models.BooleanField(default=False)
    final_report_overdue_notified = models.BooleanField(default=False)
    # The start form's key: a double click or a resent form gives the draft the first one made
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"], name="proposal_call_status"),
            models.Index(fields=["municipality", "status"], name="proposal_town_status"),
            models.Index(
                fields=["final_report_due_on"],
                name="proposal_report_remind",
                condition=Q(status="in_progress", final_report_reminded=False),
            ),
            models.Index(
                fields=["final_report_due_on"],
                name="proposal_report_overdue",
                condition=Q(status="in_progress", final_report_overdue_notified=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="proposal_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.call.year}/{self.pk or 0:04d}"

    @property
    def is_editable(self) -> bool:
        return self.status in workflow.EDITABLE

    @property
    def is_supported(self) -> bool:
        return self.status in workflow.SUPPORTED

    @property
    def staff_status(self):
        return workflow.PROPOSAL.label(self.status)

    @property
    def public_status(self):
        return workflow.PROPOSAL.public_label(self.status)


class BudgetLine(models.Model):
    """One item of a proposal's budget: its total cost and the part the town pays itself."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    eligible_cost = models.ForeignKey(
        EligibleCost, verbose_name=_("cost type"), on_delete=models.PROTECT, null=True, blank=True
    )
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("total cost"), **MONEY, validators=[MinValueValidator(0)])
    cofinancing = models.DecimalField(
        _("paid by the town"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount"),
            models.CheckConstraint(
                condition=Q(cofinancing__gte=0) & Q(cofinancing__lte=models.F("amount")),
                name="budget_line_cofinancing",
            ),
        ]

    def __str__(self) -> str:
        return self.item

    @property
    def requested(self):
        return self.amount - self.cofinancing


def _attachment_path(instance, filename: str) -> str:
    return f"proposals/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class ProposalAttachment(models.Model):
    """A PDF or a photo attached to a proposal; served only through a permission-checked view."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Message(models.Model):
    """The proposal's thread: the programme manager's questions and the town's answers."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_manager = models.BooleanField(_("from the programme manager"), default=False)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)  # sent once

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Assignment(models.Model):
    """A Security Commission member asked by the programme manager to review a proposal."""

    class Conflict(models.TextChoices):
        UNDECLARED = "undeclared", _("not declared yet")
        NONE = "none", _("no conflict of interest")
        CONFLICT = "conflict", _("conflict of interest – does not review")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commission member"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    conflict = models.CharField(
        _("conflict of interest"), max_length=12, choices=Conflict.choices, default=Conflict.UNDECLARED
    )
    conflict_note = models.CharField(_("note on the conflict of interest"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.member} – {self.proposal_id}"


class Review(models.Model):
    class Recommendation(models.TextChoices):
        YES = "yes", _("yes – support")
        MAYBE = "maybe", _("maybe")
        NO = "no", _("no – do not support")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    recommendation = models.CharField(_("recommendation"), max_length=8, choices=Recommendation.choices)
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    score = models.DecimalField(_("weighted score"), max_digits=4, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(pgettext_lazy("grants", "submitted"), default=timezone.now)
    updated_at = models.DateTimeField(pgettext_lazy("grants", "updated"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.recommendation}"


class Score(models.Model):
    """One criterion's score in a review: 0–5, or empty for "not applicable"."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__lte=5), name="score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value if self.value is not None else 'n/a'}"


class Meeting(models.Model):
    """A Security Commission meeting on a call: it ranks the reviewed proposals by score and recommends
    amounts to the council. Closing it moves each proposal on; afterwards the list is fixed."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), max_length=2000, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("commission meeting")
        verbose_name_plural = _("commission meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.call} – {self.held_on}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class MeetingItem(models.Model):
    """A proposal on a meeting's recommendation list, with the score it had and the amount proposed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="meeting_items")
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    recommend = models.BooleanField(_("recommended"), null=True)
    proposed_amount = models.DecimalField(_("proposed amount"), **MONEY, null=True, blank=True)
    note = models.CharField(pgettext_lazy("grants", "note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["rank", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "proposal"], name="meeting_item_unique")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.proposal_id}"


class Decision(models.Model):
    """The council's resolution on a proposal. The approved amounts of a call never exceed its budget, nor
    those of the programme its total (``services.decision_record`` checks under row locks)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("grants", "approved")
        REJECTED = "rejected", pgettext_lazy("grants", "rejected")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    approved_amount = models.DecimalField(_("approved amount"), **MONEY, default=0)
    resolution_number = models.CharField(_("resolution number"), max_length=60)
    resolved_on = models.DateField(_("resolution date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(pgettext_lazy("grants", "recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        constraints = [
            models.CheckConstraint(condition=Q(approved_amount__gte=0), name="decision_amount"),
            models.CheckConstraint(
                condition=Q(outcome="approved", approved_amount__gt=0)
                | Q(outcome="rejected", approved_amount=0),
                name="decision_amount_matches_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resolution_number}: {self.outcome}"


class FinalReport(models.Model):
    """What the town did with the grant and how much it spent; checked by the programme manager."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="final_report")
    summary = models.TextField(_("what was done"), max_length=8000)
    results = models.TextField(_("results and their evidence"), max_length=4000, blank=True)
    spent_amount = models.DecimalField(_("grant money spent"), **MONEY, validators=[MinValueValidator(0)])
    cofinancing_spent = models.DecimalField(
        _("own money spent"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(pgettext_lazy("grants", "submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")
        constraints = [models.CheckConstraint(condition=Q(spent_amount__gte=0), name="final_report_spent")]

    def __str__(self) -> str:
        return f"{self.proposal_id}"


# The advice desk (poradna): its own package, its models part of this app
from .advice.models import (  # noqa: E402, F401
    AnswerTemplate,
    GroupMember,
    Question,
    QuestionMessage,
    Topic,
    WorkingGroup,
)
from .models_results import Milestone, MilestonePhoto, ProjectResult  # noqa: E402, F401 - results (issue 17)
