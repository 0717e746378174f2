import hashlib
import hmac
from datetime import datetime, time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized
from portal.models import Country, Municipality

from .workflow import OfferStatus


class Initiative(models.Model):
    """A programme of workshops, e.g. the bilateral initiative with Norway or the national PDP4 activity."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_cs = models.CharField(_("name (Czech)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=300, blank=True)
    organiser = models.CharField(_("organiser"), max_length=300, blank=True)
    partner_country = models.CharField(
        _("partner country"), max_length=2, choices=Country.choices, blank=True
    )
    nomination_deadline = models.DateField(_("nomination deadline"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the initiative"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="cs",
        help_text=_("The publication is written in this language; an English edition can be built too."),
    )
    foreword = models.TextField(_("foreword of the publication"), blank=True)
    foreword_en = models.TextField(_("foreword of the publication (English)"), blank=True)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    def name_in(self, language: str) -> str:
        return localized(self, "name", language)

    def nominations_open(self, now: datetime | None = None) -> bool:
        """Nominations are accepted until the end of the deadline day (in the portal's time zone)."""
        if self.nomination_deadline is None:
            return True
        now = timezone.localtime(now or timezone.now())
        return now.date() <= self.nomination_deadline


class OrganisationType(models.TextChoices):
    TOWN = "town", _("town or municipality")
    MUNICIPAL_POLICE = "municipal_police", _("municipal police")
    STATE_POLICE = "state_police", _("state police")
    MINISTRY = "ministry", _("ministry")
    PARTNER_COUNTRY = "partner_country", _("partner country")
    OTHER = "other", _("other")


class Workshop(models.Model):
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.PROTECT, related_name="workshops"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    theme_cs = models.CharField(_("theme (Czech)"), max_length=300)
    theme_en = models.CharField(_("theme (English)"), max_length=300, blank=True)
    theme_nb = models.CharField(_("theme (Norwegian)"), max_length=300, blank=True)
    held_on = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("starts at"), null=True, blank=True)
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    languages = models.CharField(
        _("languages"), max_length=120, blank=True, help_text=_("e.g. Czech and English, interpreted")
    )
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=35)
    partner_seats = models.PositiveSmallIntegerField(_("seats for the partner country"), default=2)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    offers_close_at = models.DateTimeField(
        _("presentation offers close"),
        null=True,
        blank=True,
        help_text=_("Empty: offers are accepted until the day before the workshop."),
    )

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["initiative", "number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"], name="workshop_initiative_number"),
            models.CheckConstraint(
                condition=models.Q(partner_seats__lte=models.F("capacity")), name="workshop_partner_seats_fit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.theme}"

    @property
    def theme(self) -> str:
        return localized(self, "theme")

    def theme_in(self, language: str) -> str:
        return localized(self, "theme", language)

    @property
    def general_seats(self) -> int:
        return self.capacity - self.partner_seats

    def seats_for(self, partner: bool) -> int:
        return self.partner_seats if partner else self.general_seats

    @property
    def starts_at(self) -> datetime | None:
        if self.held_on is None:
            return None
        return timezone.make_aware(datetime.combine(self.held_on, self.start_time or time(0, 0)))

    @property
    def ends_at(self) -> datetime | None:
        if self.held_on is None or self.end_time is None:
            return None
        return timezone.make_aware(datetime.combine(self.held_on, self.end_time))

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at:
            return now < self.registration_closes_at
        if self.held_on is not None:
            return timezone.localtime(now).date() < self.held_on
        return True

    def offers_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.offers_close_at:
            return now < self.offers_close_at
        if self.held_on is not None:
            return timezone.localtime(now).date() < self.held_on
        return True


class Nomination(models.Model):
    """A town names its representative for an initiative. One active nomination per town; editable until the
    initiative's nomination deadline."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        WITHDRAWN = "withdrawn", _("withdrawn")

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.PROTECT, related_name="nominations"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    representative_name = models.CharField(_("representative's name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["initiative", "municipality__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "municipality"],
                condition=Q(status="active"),
                name="nomination_one_active_per_town",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.representative_name}"


class Registration(models.Model):
    """A person's place at a workshop. Capacity is checked under a lock on the workshop row; partner-country
    participants have their own seats and their own waitlist."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_registrations",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="cs")
    needs = models.TextField(_("accessibility or dietary needs"), max_length=1000, blank=True)
    consent_at = models.DateTimeField(_("consent to the processing of personal data given"))
    partner_seat = models.BooleanField(_("partner-country seat"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("joined the waitlist"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # Claimed by the reminder sweep (``workflow.REMINDER``); set at once when registering within 3 days
    reminded = models.BooleanField(_("reminded"), default=False, editable=False)
    # Self-service link: token = HMAC(SECRET_KEY, nonce); only its SHA-256 is stored and looked up.
    cancel_nonce = models.CharField(max_length=32, editable=False)
    cancel_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["workshop", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "email"], name="registration_workshop_email"),
        ]
        indexes = [
            models.Index(
                fields=["workshop", "status", "partner_seat", "waitlisted_at"], name="registration_pool"
            ),
            # The reminder sweep reads only confirmed, not yet reminded registrations.
            models.Index(
                fields=["workshop"],
                name="registration_reminder_due",
                condition=Q(status="confirmed", reminded=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def cancel_token(self) -> str:
        return registration_token(self.cancel_nonce)


def registration_token(nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"workshops.registration:{nonce}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:40]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PresentationOffer(models.Model):
    """Somebody offers a talk at a workshop; the organiser accepts or rejects it. Accepted offers form the
    workshop's programme."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="offers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentation_offers",
    )
    speaker_name = models.CharField(_("speaker"), max_length=200)
    speaker_organisation = models.CharField(_("speaker's organisation"), max_length=200)
    speaker_email = models.EmailField(_("speaker's email"))
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), max_length=3000)
    minutes = models.PositiveSmallIntegerField(
        _("minutes needed"), validators=[MinValueValidator(5), MaxValueValidator(120)], default=20
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.SUBMITTED
    )
    decision_message = models.TextField(_("message to the author"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("presentation offer")
        verbose_name_plural = _("presentation offers")
        ordering = ["workshop", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.speaker_name}: {self.title}"


class GoodPractice(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="good_practices"
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=200)
    description = models.TextField(_("description"), max_length=6000)
    description_en = models.TextField(_("description (English)"), max_length=6000, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["workshop", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    class Addressee(models.TextChoices):
        TOWNS = "towns", _("towns and municipalities")
        MUNICIPAL_POLICE = "municipal_police", _("municipal police")
        STATE_POLICE = "state_police", _("state police")
        MINISTRY = "ministry", _("ministry")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("high")
        MEDIUM = 2, _("medium")
        LOW = 3, _("low")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"), max_length=3000)
    text_en = models.TextField(_("recommendation (English)"), max_length=3000, blank=True)
    addressee = models.CharField(_("addressed to"), max_length=20, choices=Addressee.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["workshop", "priority", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class WorkshopMessage(models.Model):
    """A message the organiser sent to the registrants of a workshop (one outbox row per recipient)."""

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed participants")
        ALL = "all", _("confirmed participants and the waitlist")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    audience = models.CharField(_("recipients"), max_length=16, choices=Audience.choices)
    recipients = models.PositiveIntegerField(_("number of recipients"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


def publication_path(publication: "Publication", filename: str) -> str:
    return (
        f"publications/{publication.initiative.code}/"
        f"{publication.initiative.code}-{publication.language}-{publication.edition}.pdf"
    )


class Publication(models.Model):
    """One edition of the recommendations publication, built as a PDF by a Celery task and kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be built")
        BUILDING = "building", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    class Failure(models.TextChoices):
        """Why an edition failed, as the organiser reads it (translated when shown); ``error`` keeps the
        technical detail."""

        NOT_QUEUED = (
            "not_queued",
            _(
                "The build never started: the background worker did not take it up. Try again; if it fails "
                "again, tell the administrator."
            ),
        )
        INTERRUPTED = "interrupted", _("The build stopped: the background worker was interrupted. Try again.")
        ERROR = (
            "error",
            _("The build failed with an error. Try again; if it fails again, tell the administrator."),
        )
        RESET = "reset", _("An administrator stopped this build. You may try again.")

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.PROTECT, related_name="publications"
    )
    edition = models.PositiveIntegerField(_("edition"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("PDF"), upload_to=publication_path, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    failure = models.CharField(_("reason of the failure"), max_length=16, choices=Failure.choices, blank=True)
    # The build task's sign of life (with each progress step): a building edition whose heartbeat is old lost
    # its worker and is failed by the beat (``services.publications_sweep``).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # When the beat queued a waiting edition's build again (once; if it still waits, the beat fails it).
    requeued_at = models.DateTimeField(_("queued again"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication edition")
        verbose_name_plural = _("publication editions")
        ordering = ["initiative", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "language", "edition"], name="publication_initiative_language_edition"
            ),
        ]
        indexes = [
            # The beat's sweep of stale builds reads only the editions waiting or being built.
            models.Index(
                fields=["status", "created_at"],
                name="publication_in_progress",
                condition=models.Q(status__in=["queued", "building"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative.code} {self.language} #{self.edition}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)

    @property
    def filename(self) -> str:
        return f"{self.initiative.code}-{self.language}-{self.edition}.pdf"
