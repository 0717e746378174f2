"""Shared domain of Okrsek: organisations, profiles, the activity log and the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account: police, municipal staff, organisers, commission members. Logs in by email;
    citizens who report hazards need no account."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.email

    def has_perm(self, perm, obj=None) -> bool:
        """Okrsek's rules give a superuser nothing in the normal UI; the admin's model permissions still pass
        (the policy: ``portal.permissions.user_has_perm``)."""
        from .permissions import user_has_perm

        return user_has_perm(self, perm, obj, default=super().has_perm)


class Country(models.TextChoices):
    CZ = "CZ", _("Czechia")
    PL = "PL", _("Poland")
    NO = "NO", _("Norway")


class Municipality(models.Model):
    """A town or village (obec / gmina), identified by its official code: RÚIAN in CZ, TERYT in PL."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    code = models.CharField(_("official code"), max_length=16, help_text=_("RÚIAN (CZ) or TERYT (PL) code"))
    name = models.CharField(_("name"), max_length=120)
    district_name = models.CharField(_("district (okres / powiat)"), max_length=120, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name", "code"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="municipality_country_code")]

    def __str__(self) -> str:
        return self.name


class PoliceUnit(models.Model):
    """A police unit (obvodní oddělení, komisariat) whose officers and coordinators handle reports."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities served"), blank=True, related_name="police_units"
    )
    email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerBody(models.Model):
    """A body outside the state police to which reports can be handed over."""

    class Kind(models.TextChoices):
        MUNICIPAL_POLICE = "municipal_police", _("municipal police")
        TOWN_DEPARTMENT = "town_department", _("town department")
        OTHER = "other", _("other body")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_bodies",
    )
    email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("partner body")
        verbose_name_plural = _("partner bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Links a user to the organisations they act for, and keeps their language for emails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="cs")
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.SET_NULL, null=True, blank=True
    )
    police_unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("police unit"), on_delete=models.SET_NULL, null=True, blank=True
    )
    partner_body = models.ForeignKey(
        PartnerBody, verbose_name=_("partner body"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.full_name or self.user.email


class ActivityLog(models.Model):
    """Who did what to which object, and when. Written by services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), on_delete=models.CASCADE, null=True, blank=True
    )
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("activity log entry")
        verbose_name_plural = _("activity log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="activity_target_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"


class Notification(models.Model):
    """An email in the outbox: written in the same transaction as the change it tells about, rendered in the
    recipient's language (at that moment, or by the worker before the first attempt when ``context`` is
    set), sent later by a Celery task and retried with back-off."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    kind = models.CharField(_("kind"), max_length=64, help_text=_("template the message was rendered from"))
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Files sent with the email: [{"filename", "content_type", "content_b64"}] (e.g. an .ics invitation)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Further email headers, e.g. RFC 8058 one-click unsubscribe (List-Unsubscribe, List-Unsubscribe-Post)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Rendered by the worker, not the request: what to render the kind's templates with (model rows by
    # reference, ``services.context_encode``); None once rendered (subject and texts are then the email).
    context = models.JSONField(_("context to render"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep reads only what is due: O(due), not O(all notifications ever sent).
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"
