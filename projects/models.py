from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality


class Programme(models.Model):
    """A regional safety programme, e.g. "Plzeňský kraj – bezpečný kraj"."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    region = models.CharField(_("region"), max_length=200)
    partners = models.TextField(_("partners"), blank=True)
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
