from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized
from portal.models import Country


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

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Workshop(models.Model):
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.PROTECT, related_name="workshops"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    theme_cs = models.CharField(_("theme (Czech)"), max_length=300)
    theme_en = models.CharField(_("theme (English)"), max_length=300, blank=True)
    theme_nb = models.CharField(_("theme (Norwegian)"), max_length=300, blank=True)
    held_on = models.DateField(_("date"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=35)
    partner_seats = models.PositiveSmallIntegerField(_("seats for the partner country"), default=2)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)

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
