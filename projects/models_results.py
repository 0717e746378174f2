"""Results of the funded sub-projects (imported by ``models.py``): where and when a project acts, its
control area, milestones with photos, progress, the EMMIE part of its final report, and whether its effect
panel is published. The figures themselves are computed on demand (``results.selectors``)."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BUFFER_METRES = (50, 2000)
WINDOW_MONTHS = (3, 36)
RADIUS_METRES = (20, 5000)


class ProjectResult(models.Model):
    """A supported proposal's results record (created by the programme manager once it is approved)."""

    class AreaKind(models.TextChoices):
        DRAWN = "drawn", _("drawn on the map (or typed as WKT)")
        DISTRICTS = "districts", _("chosen districts")
        POINTS = "points", _("points with a radius")

    class Theme(models.TextChoices):
        SITUATIONAL = "situational", _("situational prevention (lighting, cameras, design)")
        SOCIAL = "social", _("social prevention and youth")
        SENIORS = "seniors", _("seniors and vulnerable people")
        TRAFFIC = "traffic", _("road safety")
        EDUCATION = "education", _("education and awareness")
        OTHER = "other", _("other")

    proposal = models.OneToOneField(
        "projects.Proposal", verbose_name=_("project"), on_delete=models.CASCADE, related_name="result"
    )
    regional_project = models.ForeignKey(
        "projects.RegionalProject",
        verbose_name=_("part of the region-wide project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
    )
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, default=Theme.OTHER)
    # Where
    area_kind = models.CharField(_("area given as"), max_length=10, choices=AreaKind.choices, blank=True)
    area = models.MultiPolygonField(_("target area"), srid=4326, null=True, blank=True)
    area_districts = models.ManyToManyField(
        "incidents.District", verbose_name=_("districts of the target area"), blank=True, related_name="+"
    )
    area_points = models.MultiPointField(_("points"), srid=4326, null=True, blank=True)
    radius_m = models.PositiveIntegerField(
        _("radius around the points (m)"),
        default=200,
        validators=[MinValueValidator(RADIUS_METRES[0]), MaxValueValidator(RADIUS_METRES[1])],
    )
    buffer_m = models.PositiveIntegerField(
        _("buffer ring (m)"),
        default=300,
        validators=[MinValueValidator(BUFFER_METRES[0]), MaxValueValidator(BUFFER_METRES[1])],
    )
    target_residents = models.PositiveIntegerField(_("residents of the target area"), null=True, blank=True)
    # When
    implementation_start = models.DateField(_("implementation start"), null=True, blank=True)
    implementation_end = models.DateField(_("implementation end"), null=True, blank=True)
    window_months = models.PositiveSmallIntegerField(
        _("months compared before and after"),
        default=12,
        validators=[MinValueValidator(WINDOW_MONTHS[0]), MaxValueValidator(WINDOW_MONTHS[1])],
    )
    # What
    categories = models.ManyToManyField(
        "incidents.Category", verbose_name=_("report categories addressed"), blank=True, related_name="+"
    )
    priority = models.ForeignKey(
        "audits.Priority",
        verbose_name=_("audit priority answered"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Against what
    control_districts = models.ManyToManyField(
        "incidents.District", verbose_name=_("control area (districts)"), blank=True, related_name="+"
    )
    control_residents = models.PositiveIntegerField(_("residents of the control area"), null=True, blank=True)
    # Progress
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    # EMMIE (College of Policing): the final report's account of the evidence
    emmie_mechanism = models.TextField(_("mechanism – how it should work"), max_length=3000, blank=True)
    emmie_moderators = models.TextField(
        _("moderators – where and for whom it works"), max_length=3000, blank=True
    )
    emmie_implementation = models.TextField(
        _("implementation – what helped or hindered"), max_length=3000, blank=True
    )
    emmie_cost = models.TextField(_("economic cost – direct and indirect"), max_length=3000, blank=True)
    # Publication of the effect panel (drafts are for staff only)
    effect_published_at = models.DateTimeField(_("effect panel published"), null=True, blank=True)
    effect_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("project results")
        verbose_name_plural = _("project results")
        constraints = [
            models.CheckConstraint(
                condition=Q(implementation_end__isnull=True)
                | Q(implementation_start__isnull=True)
                | Q(implementation_end__gte=models.F("implementation_start")),
                name="result_dates",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="result_progress"),
        ]

    def __str__(self) -> str:
        return str(self.proposal_id)

    @property
    def effect_published(self) -> bool:
        return self.effect_published_at is not None


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DELAYED = "delayed", _("delayed")

    result = models.ForeignKey(ProjectResult, on_delete=models.CASCADE, related_name="milestones")
    on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    text = models.TextField(_("what happened"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on}: {self.text[:40]}"


def _photo_path(instance, filename: str) -> str:
    return f"milestones/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class MilestonePhoto(models.Model):
    """A photo of a milestone, re-encoded by ``portal.uploads`` (EXIF/GPS stripped); public with it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=_photo_path)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200)

    class Meta:
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
