"""Models of the advice desk (imported by ``projects.models``, so they belong to the projects app)."""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Country, Municipality

from . import workflow as wf
from .workflow import QuestionStatus

MAX_QUESTION = 2000
MAX_ANSWER = 4000


class Topic(models.Model):
    """What a question is about (the ask form's choice, the FAQ's filter); names per language."""

    programme = models.ForeignKey(
        "projects.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="topics"
    )
    slug = models.SlugField(_("code"), max_length=60)
    name_cs = models.CharField(_("name (Czech)"), max_length=120)
    name_pl = models.CharField(_("name (Polish)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("advice topic")
        verbose_name_plural = _("advice topics")
        ordering = ["order", "slug"]
        constraints = [models.UniqueConstraint(fields=["programme", "slug"], name="advice_topic_unique")]

    def __str__(self) -> str:
        return self.name_en or self.name_cs


class WorkingGroup(models.Model):
    """A member town's basic working group (or the programme's central group, without a town): it answers
    the questions of its town and of the towns it also serves. Shown publicly by its members' functions."""

    programme = models.ForeignKey(
        "projects.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="working_groups",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=pgettext_lazy("grants", "town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        help_text=_("Empty for the programme's central group."),
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"),
        max_length=2,
        choices=Country.choices,
        default=Country.CZ,
        help_text=_("Its working days and public holidays count for the deadlines."),
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="groups")
    towns = models.ManyToManyField(
        Municipality,
        verbose_name=_("further towns served"),
        blank=True,
        related_name="advice_groups_serving",
    )
    districts = models.ManyToManyField(
        "incidents.District", verbose_name=_("safety districts served"), blank=True, related_name="+"
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    answer_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name"]  # (not by town: FOR UPDATE cannot lock an outer join)
        constraints = [
            models.UniqueConstraint(fields=["programme", "municipality"], name="advice_group_town_unique"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(municipality__isnull=True), name="advice_group_one_central"
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_days__gte=1, acknowledge_days__lte=30, answer_days__gte=1)
                & Q(answer_days__lte=60),
                name="advice_group_days",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central(self) -> bool:
        return self.municipality_id is None


class GroupMember(models.Model):
    """A person in a working group, with the function the public sees (never their name or contact)."""

    class Function(models.TextChoices):
        OFFICER = "officer", _("community officer")
        MUNICIPAL_POLICE = "municipal_police", _("municipal police")
        PREVENTION_MANAGER = "prevention_manager", _("the town's crime prevention manager")
        TOWN_STAFF = "town_staff", _("town staff")
        PROGRAMME_STAFF = "programme_staff", _("programme staff")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="advice_groups",
    )
    function = models.CharField(_("function"), max_length=24, choices=Function.choices)

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        ordering = ["function", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="advice_member_unique")]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_function_display()}"


class Question(models.Model):
    """A resident's question to a working group. Only the hash of its tracking token is kept."""

    Status = QuestionStatus

    class Publication(models.TextChoices):
        NONE = "", _("not published")
        PROPOSED = "proposed", _("waiting for a second member's approval")
        PUBLISHED = "published", _("published")

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    programme = models.ForeignKey(
        "projects.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="questions"
    )
    group = models.ForeignKey(
        WorkingGroup, verbose_name=_("working group"), on_delete=models.PROTECT, related_name="questions"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=pgettext_lazy("grants", "town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advice_questions",
    )
    point = models.PointField(_("place"), srid=4326, null=True, blank=True)
    text = models.TextField(_("question"), max_length=MAX_QUESTION)
    email = models.EmailField(_("email for the answer"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="cs")
    publish_allowed = models.BooleanField(_("the answer may be published (anonymised)"), default=False)
    ip_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=QuestionStatus.choices, default=QuestionStatus.RECEIVED
    )
    version = models.PositiveIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("answer"), max_length=MAX_ANSWER, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    updated_at = models.DateTimeField(pgettext_lazy("grants", "updated"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The deadlines (``workflow.ACKNOWLEDGE``, ``workflow.ANSWER``), each step claimed once by the sweep
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # the one the question waits for now
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledge_reminded = models.BooleanField(default=False)
    acknowledge_overdue = models.BooleanField(_("acknowledgement overdue"), default=False)
    acknowledge_escalated = models.BooleanField(default=False)
    answer_due_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    answer_paused_at = models.DateTimeField(null=True, blank=True)  # waiting for the resident since
    answer_reminded = models.BooleanField(default=False)
    answer_overdue = models.BooleanField(_("answer overdue"), default=False)
    answer_escalated = models.BooleanField(default=False)
    # Turned into a threat report (incidents): linked both ways (the report's first event names the question)
    report = models.OneToOneField(
        "incidents.Report",
        verbose_name=_("threat report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advice_question",
    )
    # The resident's rating after closing, once
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment on the answer"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # Publishing: staff edit out personal data, a second member of the group approves
    publication = models.CharField(
        _("publication"), max_length=10, choices=Publication.choices, default="", blank=True
    )
    published_question = models.TextField(_("published question"), max_length=MAX_QUESTION, blank=True)
    published_answer = models.TextField(_("published answer"), max_length=MAX_ANSWER, blank=True)
    publication_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    publication_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)  # the published texts, accent-folded

    class Meta:
        verbose_name = _("advice desk question")
        verbose_name_plural = _("advice desk questions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["group", "status", "due_at"], name="advice_queue"),
            models.Index(fields=["ip_hash", "created_at"], name="advice_client_day"),
            models.Index(
                fields=["acknowledge_due_at"],
                name="advice_ack_due",
                condition=Q(status="received")
                & (
                    Q(acknowledge_reminded=False)
                    | Q(acknowledge_overdue=False)
                    | Q(acknowledge_escalated=False)
                ),
            ),
            models.Index(
                fields=["answer_due_at"],
                name="advice_answer_due",
                condition=Q(status__in=["received", "assigned"], answer_paused_at__isnull=True)
                & (Q(answer_reminded=False) | Q(answer_overdue=False) | Q(answer_escalated=False)),
            ),
            models.Index(
                fields=["published_at"], name="advice_published", condition=Q(publication="published")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="advice_rating_range"
            ),
            models.CheckConstraint(
                condition=~Q(publication="published") | Q(publish_allowed=True), name="advice_publish_allowed"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"P{self.pk or 0:06d}"

    @property
    def staff_status(self):
        return wf.QUESTION.label(self.status)

    @property
    def public_status(self):
        return wf.QUESTION.public_label(self.status)


class QuestionMessage(models.Model):
    """The question's thread: clarifications asked and replied, internal notes (staff only), the answer."""

    class Kind(models.TextChoices):
        CLARIFICATION = "clarification", _("clarification asked")
        REPLY = "reply", _("the resident's reply")
        NOTE = "note", _("internal note")
        ANSWER = "answer", _("answer")
        EVENT = "event", _("event")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    action = models.CharField(max_length=40, blank=True)  # the workflow transition that wrote it
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=MAX_ANSWER, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("question message")
        verbose_name_plural = _("question messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.kind}"

    @property
    def public(self) -> bool:
        return self.kind != self.Kind.NOTE


class AnswerTemplate(models.Model):
    """A ready answer staff start from (for the whole programme, or one group's own)."""

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.CASCADE, related_name="answer_templates"
    )
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="answer_templates"
    )
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=MAX_ANSWER)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
