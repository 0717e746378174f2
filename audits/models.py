"""Perceived-safety surveys: versioned questionnaires, waves, responses and answers, invitation codes kept
apart from the answers. (The audit cycle's models follow in the same module.)"""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.i18n import pick_language
from portal.models import Municipality

from .workflow import AuditPhase, WaveStatus

LANGUAGES = ("cs", "pl", "en", "nb")


def in_language(texts: dict, language: str | None = None) -> str:
    """A text from a {language: text} dict in the current language, else English, else Czech, else any
    (``portal.i18n.pick_language``)."""
    return pick_language(texts or {}, language)[0]


class Questionnaire(models.Model):
    """One version of a questionnaire. Once a version has answers it never changes: an edit makes a new
    version (``services.question_save``), which later waves use."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.JSONField(_("title"), default=dict, help_text=_("per language"))
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=pgettext_lazy("survey", "town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("empty for the core questionnaire"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version")]

    def __str__(self) -> str:
        return f"{in_language(self.title) or self.code} v{self.version}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        GRID = "grid", _("Likert grid")
        NUMBER = "number", _("numeric answer")
        TEXT = "text", _("short text")
        MAP = "map", _("map points")

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    text = models.JSONField(_("question"), default=dict)
    # [{"code", "label": {language: text}}]; a grid's rows likewise
    options = models.JSONField(_("options"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    success = models.JSONField(_("options counted as yes"), default=list, blank=True)
    excluded = models.JSONField(_("options left out of the base"), default=list, blank=True)
    headline = models.BooleanField(_("headline indicator"), default=False)
    demographic = models.BooleanField(_("used for weighting"), default=False)
    max_choices = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)
    local = models.BooleanField(_("the town's own question"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code")]

    def __str__(self) -> str:
        return in_language(self.text)

    def label(self) -> str:
        return in_language(self.text)

    def choices(self) -> list[tuple[str, str]]:
        return [(o["code"], in_language(o["label"])) for o in self.options]

    def row_choices(self) -> list[tuple[str, str]]:
        return [(o["code"], in_language(o["label"])) for o in self.rows]

    def option_label(self, code: str) -> str:
        return dict(self.choices()).get(code, code)


class Wave(models.Model):
    """A questionnaire run in one or more towns between two dates."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="waves"
    )
    name = models.CharField(_("name"), max_length=200)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("towns"), related_name="survey_waves"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=0)
    web_open = models.BooleanField(_("open web link"), default=False)
    invitations = models.BooleanField(_("invitation codes"), default=True)
    interviews = models.BooleanField(_("interviewer entry"), default=False)
    methodologists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("methodologists"), blank=True, related_name="survey_waves"
    )
    # Population shares per weighting cell "age|sex|district code" (from a CSV), with their source
    population_shares = models.JSONField(_("population shares"), default=dict, blank=True)
    weights_source = models.CharField(_("source of the population shares"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-opens_on", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN


class Response(models.Model):
    """One respondent's answers. Carries no invitation code, name or address: an invitation code is only
    marked used (``InvitationCode``), with no link to the response it opened."""

    class Mode(models.TextChoices):
        WEB = "web", _("open web (non-probability)")
        INVITATION = "invitation", _("invitation code")
        INTERVIEW = "interview", _("interviewer")

    wave = models.ForeignKey(Wave, verbose_name=_("wave"), on_delete=models.CASCADE, related_name="responses")
    municipality = models.ForeignKey(
        Municipality, verbose_name=pgettext_lazy("survey", "town"), on_delete=models.PROTECT
    )
    district = models.ForeignKey(
        "incidents.District", verbose_name=_("district"), on_delete=models.SET_NULL, null=True, blank=True
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    probability = models.BooleanField(_("probability sample"), default=True)
    device_hash = models.CharField(max_length=64, blank=True)  # the browser's resume cookie, hashed
    ip_hash = models.CharField(max_length=64, blank=True)  # open web only: the throttle
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cell = models.CharField(_("weighting cell"), max_length=80, blank=True)
    started_on = models.DateField(_("started"), default=timezone.localdate)
    submitted = models.BooleanField(pgettext_lazy("survey", "submitted"), default=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["wave", "submitted", "municipality", "district"], name="response_results"),
            models.Index(fields=["device_hash"], name="response_device"),
            models.Index(fields=["wave", "ip_hash", "started_on"], name="response_throttle"),
        ]

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk}"


class Answer(models.Model):
    """One value of an answer: a chosen option (one row per option of a multiple choice, per row of a grid),
    a number, a text or a map point. Results are counted from these rows in the database."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row = models.CharField(max_length=40, blank=True)
    option = models.CharField(max_length=40, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.CharField(max_length=300, blank=True)
    point = models.PointField(srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"], name="answer_question_option")]


class InvitationCode(models.Model):
    """A one-time code printed on a letter. Only its hash is kept, with whether it was used: no link to a
    response and no time of use, so nobody can join a code (an address) to an answer."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="codes")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    code_hash = models.CharField(max_length=64, unique=True)
    batch = models.PositiveIntegerField(default=1)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")


class InvitationBatch(models.Model):
    """The letters of one batch of codes, as a PDF: the only place where the codes exist in clear."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="batches")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    number = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    pdf = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("batch of invitation letters")
        verbose_name_plural = _("batches of invitation letters")
        ordering = ["wave", "number"]
        constraints = [models.UniqueConstraint(fields=["wave", "number"], name="invitation_batch_number")]


# --- the local safety audit ---------------------------------------------------------------------------------


class Audit(models.Model):
    """A town's local safety audit (EFUS): set-up → evidence → diagnosis → action plan → report."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=pgettext_lazy("survey", "town"),
        on_delete=models.PROTECT,
        related_name="audits",
    )
    title = models.CharField(_("title"), max_length=200)
    phase = models.CharField(_("phase"), max_length=16, choices=AuditPhase.choices, default=AuditPhase.SETUP)
    version = models.PositiveIntegerField(default=0)
    themes = models.TextField(_("themes"), max_length=2000, blank=True)
    area = models.TextField(_("area"), max_length=2000, blank=True)
    starts_on = models.DateField(_("starts on"))
    report_due_on = models.DateField(_("report due on"))
    reaudit_on = models.DateField(_("re-audit on"), null=True, blank=True)
    waves = models.ManyToManyField(Wave, verbose_name=_("survey waves"), blank=True, related_name="audits")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    consultation_opens_on = models.DateField(_("consultation opens on"), null=True, blank=True)
    consultation_closes_on = models.DateField(_("consultation closes on"), null=True, blank=True)

    class Meta:
        verbose_name = _("safety audit")
        verbose_name_plural = _("safety audits")
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return self.title


class SteeringMember(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("the town")
        POLICE = "police", _("state police")
        MUNICIPAL_POLICE = "municipal_police", _("municipal police")
        PARTNER = "partner", _("partner")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="steering_group")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=200, blank=True)
    # The member's Okrsek account, if any: it lets them read the private interview notes
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("steering group member")
        verbose_name_plural = _("steering group")
        ordering = ["audit", "pk"]


class Finding(models.Model):
    class Evidence(models.TextChoices):
        REPORTS = "reports", _("threat reports")
        SURVEY = "survey", _("survey results")
        POLICE_FIGURES = "police_figures", _("police statistics")
        WALK = "walk", _("walking audit")
        INTERVIEWS = "interviews", _("interviews and focus groups")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"), max_length=2000)
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices)
    evidence_note = models.CharField(_("what exactly"), max_length=300)
    wave = models.ForeignKey(Wave, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The fieldwork a finding rests on, when it is one of the audit's walking audits or police statistics
    walk = models.ForeignKey(
        "WalkSession",
        verbose_name=_("walking audit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    police_figures = models.ForeignKey(
        "PoliceFigures",
        verbose_name=_("police statistics"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit", "pk"]


class Priority(models.Model):
    """One of at most seven priorities of an audit, with its rationale and the findings it rests on."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="priorities")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"), max_length=2000)
    findings = models.ManyToManyField(Finding, verbose_name=_("findings"), related_name="priorities")

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["audit", "order"]
        constraints = [models.UniqueConstraint(fields=["audit", "order"], name="priority_order")]


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    owner = models.CharField(_("owner organisation"), max_length=200)
    deadline = models.DateField(_("deadline"))
    cost = models.DecimalField(_("estimated cost"), max_digits=12, decimal_places=0, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    seeking_grant = models.BooleanField(_("seeking a grant"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("audit", "action")
        verbose_name_plural = _("actions")
        ordering = ["priority", "deadline", "pk"]


class Indicator(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    baseline = models.CharField(_("baseline"), max_length=100)
    target = models.CharField(_("target"), max_length=100)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["priority", "pk"]


def audit_report_path(report: "AuditReport", filename: str) -> str:
    return f"audits/{report.audit_id}/audit-{report.audit_id}-{report.language}-{report.edition}.pdf"


class AuditReport(models.Model):
    """One edition of an audit's report as a PDF, built by a Celery task (claimed, like the workshops'
    publication) and kept; the audit's public page offers the newest finished edition once it is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be built")
        BUILDING = "building", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="reports")
    edition = models.PositiveIntegerField(_("edition"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("PDF"), upload_to=audit_report_path, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("audit report (PDF)")
        verbose_name_plural = _("audit reports (PDF)")
        ordering = ["audit", "-edition"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "language", "edition"], name="audit_report_edition")
        ]

    @property
    def filename(self) -> str:
        return f"audit-{self.audit_id}-{self.language}-{self.edition}.pdf"


# --- fieldwork: walking audits, private notes, police figures, the public consultation ------------------


class WalkSession(models.Model):
    """A walking audit: a route walked at a date and time (flagged after dark), participants counted by
    group (no names), a checklist answered per stop."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="walks")
    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    after_dark = models.BooleanField(_("after dark"), default=False)
    route = models.LineStringField(_("route"), srid=4326, null=True, blank=True)
    route_description = models.TextField(_("route in words"), max_length=2000, blank=True)
    participants = models.JSONField(_("participants by group"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("walking audit")
        verbose_name_plural = _("walking audits")
        ordering = ["audit", "held_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def participant_count(self) -> int:
        return sum(self.participants.values())


class WalkStop(models.Model):
    walk = models.ForeignKey(WalkSession, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("place"), max_length=200)
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)  # {item: rating}
    comment = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("stop of a walking audit")
        verbose_name_plural = _("stops of walking audits")
        ordering = ["walk", "order"]
        constraints = [models.UniqueConstraint(fields=["walk", "order"], name="walk_stop_order")]


def walk_photo_path(photo: "WalkPhoto", filename: str) -> str:
    return f"audits/walks/{photo.stop.walk_id}/{filename}"


class WalkPhoto(models.Model):
    """A photo taken at a stop, re-encoded by ``portal.uploads`` (EXIF, GPS included, dropped): it is
    geotagged with the stop's location instead."""

    stop = models.ForeignKey(WalkStop, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=walk_photo_path)
    content_type = models.CharField(max_length=40)
    point = models.PointField(srid=4326, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo of a walking audit")
        verbose_name_plural = _("photos of walking audits")
        ordering = ["stop", "pk"]


class FieldNote(models.Model):
    """Notes of an interview or a focus group: read by the steering group only."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("interview")
        FOCUS_GROUP = "focus_group", _("focus group")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("with whom / topic"), max_length=200)
    text = models.TextField(_("notes"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("interview or focus group notes")
        verbose_name_plural = _("interview and focus group notes")
        ordering = ["audit", "-held_on", "pk"]


class PoliceFigures(models.Model):
    """One uploaded CSV of police statistics (per district and period), with its source."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="police_figures")
    source = models.CharField(_("source"), max_length=300)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("police statistics")
        verbose_name_plural = _("police statistics")
        ordering = ["audit", "-uploaded_at"]


class PoliceFigure(models.Model):
    upload = models.ForeignKey(PoliceFigures, on_delete=models.CASCADE, related_name="rows")
    district = models.CharField(_("district"), max_length=200)
    period = models.CharField(_("period"), max_length=20)
    offence = models.CharField(_("offence"), max_length=200)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["upload", "district", "period", "offence"]


class ConsultationComment(models.Model):
    """A resident's comment on the draft findings during the consultation window, shown once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        APPROVED = "approved", pgettext_lazy("comment", "approved")
        REJECTED = "rejected", pgettext_lazy("comment", "rejected")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="comments")
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        ordering = ["audit", "created_at", "pk"]
        indexes = [models.Index(fields=["audit", "ip_hash", "created_at"], name="comment_throttle")]
