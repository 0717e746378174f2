"""Warnings from the police and towns (issue 14): a unit's coordinator or a town's municipal staff writes a
warning for a district or a municipality; a second person of the same unit or town approves it; it then
goes at once (whatever their digest setting) to the area's alert subscribers who did not opt out, and shows
on the area's public map page and feed until it expires. The services check who may, by the rules of
``incidents/rules.py`` (write_warnings, warn_area, review_warning)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.services import activity_log, notifications_queue_many

from ..models import Alert, AreaWarning, Category, District
from ..rules import warning_issuer
from . import selectors

MAX_VALIDITY = timedelta(days=60)


def _issuer(user) -> dict:
    """The organisation ``user`` warns for (``rules.warning_issuer``), or PermissionDenied."""
    issuer = warning_issuer(user)
    if issuer is None or not user.has_perm("incidents.write_warnings"):
        raise PermissionDenied(_("Only a police unit's coordinator or a town's staff may publish warnings."))
    return issuer


def warning_create(
    *,
    actor,
    title: str,
    text: str,
    valid_until: datetime,
    district: District | None = None,
    municipality=None,
    category_groups: list[str] = (),
    now: datetime | None = None,
) -> AreaWarning:
    now = now or timezone.now()
    issuer = _issuer(actor)
    if (district is None) == (municipality is None):
        raise ValidationError({"district": _("Choose a district or a municipality.")})
    if not actor.has_perm("incidents.warn_area", district or municipality):
        raise PermissionDenied(_("You may publish warnings only for the area of your unit or town."))
    if not now < valid_until <= now + MAX_VALIDITY:
        raise ValidationError({"valid_until": _("A warning is valid from now for at most 60 days.")})
    warning = AreaWarning(
        author=actor,
        district=district,
        municipality=municipality,
        title=title.strip(),
        text=text.strip(),
        valid_until=valid_until,
        category_groups=sorted({g for g in category_groups if g in Category.Group.values}),
        created_at=now,
        **issuer,
    )
    with transaction.atomic():
        warning.full_clean()
        warning.save()
        activity_log(actor=actor, verb="warning.created", target=warning)
    return warning


def warning_review(*, actor, warning: AreaWarning, approve: bool, now: datetime | None = None) -> int:
    """A second person of the same unit or town approves (publishes and sends) or rejects a pending
    warning. Returns how many emails were queued. The author may not review their own warning."""
    now = now or timezone.now()
    _issuer(actor)
    if actor.pk == warning.author_id:
        raise PermissionDenied(_("A second person must review the warning, not its author."))
    if not actor.has_perm("incidents.review_warning", warning):
        raise PermissionDenied(_("Only a person of the same unit or town may review this warning."))
    state = AreaWarning.State.PUBLISHED if approve else AreaWarning.State.REJECTED
    with transaction.atomic():
        claimed = AreaWarning.objects.filter(pk=warning.pk, state=AreaWarning.State.PENDING).update(
            state=state, reviewer=actor, reviewed_at=now
        )
        if not claimed:
            raise ValidationError(_("This warning has been reviewed already."))
        warning.state, warning.reviewer, warning.reviewed_at = state, actor, now
        activity_log(actor=actor, verb=f"warning.{state}", target=warning)
        return _send(warning) if approve else 0


def warning_alerts(warning: AreaWarning) -> QuerySet[Alert]:
    """The confirmed alerts (not opted out of warnings) whose area meets the warning's area: in the database
    (ST_Intersects on the alerts' indexed geometry)."""
    if warning.district_id:
        district = District.objects.only("area", "municipality_id").get(pk=warning.district_id)
        shape, town = district.area, district.municipality_id
        where = Q(kind=Alert.Kind.DISTRICT, district_id=district.pk)
    else:
        shape = warning.municipality.boundary
        town = warning.municipality_id
        where = Q(kind=Alert.Kind.DISTRICT, district__municipality_id=town)
    if town:
        where |= Q(kind=Alert.Kind.MUNICIPALITY, municipality_id=town)
    if shape is not None:
        where |= Q(kind__in=[Alert.Kind.CIRCLE, Alert.Kind.POLYGON], area__intersects=shape)
    return Alert.objects.filter(where, confirmed_at__isnull=False, warnings=True).defer("area").order_by("pk")


def _send(warning: AreaWarning) -> int:
    items, seen = [], set()
    related = set(warning.category_groups)
    for alert in warning_alerts(warning):
        if related and alert.category_groups and not related & set(alert.category_groups):
            continue  # the subscriber follows other kinds of problems only (a warning for all goes to all)
        if alert.email.lower() in seen:
            continue  # one email per address
        seen.add(alert.email.lower())
        items.append(
            {
                "kind": "alert_warning",
                "to_email": alert.email,
                "language": alert.language,
                "context": {
                    "warning": {
                        "title": warning.title,
                        "text": warning.text,
                        "valid_until": warning.valid_until,
                    },
                    "manage_url": selectors.manage_link(alert.email),
                    "unsubscribe_url": selectors.unsubscribe_link(alert),
                },
                "dedup_key": f"warning:{warning.pk}:{alert.pk}",
                "headers": {
                    "List-Unsubscribe": f"<{selectors.unsubscribe_link(alert)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            }
        )
    return notifications_queue_many(items)


def warnings_live(*, district: int | None = None, municipality: int | None = None, now=None):
    """Published warnings of an area still valid (the area's public pages and feeds). One query."""
    now = now or timezone.now()
    qs = AreaWarning.objects.filter(state=AreaWarning.State.PUBLISHED, valid_until__gt=now)
    if district:
        qs = qs.filter(Q(district_id=district) | Q(municipality__districts__pk=district)).distinct()
    elif municipality:
        qs = qs.filter(Q(municipality_id=municipality) | Q(district__municipality_id=municipality))
    else:
        return AreaWarning.objects.none()
    return qs.order_by("-reviewed_at", "-pk")


def warnings_to_review(user) -> QuerySet[AreaWarning]:
    """Pending warnings of the user's unit or town that someone else wrote."""
    issuer = warning_issuer(user)
    if issuer is None:
        return AreaWarning.objects.none()
    return (
        AreaWarning.objects.filter(state=AreaWarning.State.PENDING, **{k: v for k, v in issuer.items() if v})
        .exclude(author=user)
        .select_related("district", "municipality", "author")
        .order_by("created_at", "pk")
    )
