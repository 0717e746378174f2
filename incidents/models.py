from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized


class Category(models.Model):
    """A kind of threat a citizen can report (the KMZB catalogue). Categories change over time: retire them
    with ``active`` instead of deleting, so old reports keep theirs."""

    class Group(models.TextChoices):
        ROAD = "road", _("Road traffic")
        PUBLIC_ORDER = "public_order", _("Public order")
        ENVIRONMENT = "environment", _("Environment")
        ANIMALS = "animals", _("Animals")
        WATER = "water", _("Water")
        SOCIAL = "social", _("Social")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    name_cs = models.CharField(_("name (Czech)"), max_length=120)
    name_pl = models.CharField(_("name (Polish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    description_required = models.BooleanField(_("description required"), default=False)
    public = models.BooleanField(
        _("shown on the public map"),
        default=True,
        help_text=_("Person-related categories (homeless person, minors at risk) are never public."),
    )
    take_up_hours = models.PositiveSmallIntegerField(_("take up within (hours)"), default=48)
    verify_hours = models.PositiveSmallIntegerField(_("verify within (hours)"), default=120)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
