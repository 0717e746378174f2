"""Reads of the workshops app: a constant number of queries per page, whatever the number of rows."""

from datetime import datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.web import absolute_reverse

from .models import (
    GoodPractice,
    Initiative,
    Nomination,
    PresentationOffer,
    Publication,
    Recommendation,
    Registration,
    Workshop,
    WorkshopMessage,
    token_hash,
)
from .workflow import OfferStatus

TAKEN = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


def _count_per_workshop(model, **conditions) -> Coalesce:
    """How many rows of ``model`` a workshop has, as a correlated subquery: counts never multiply each other
    when a queryset annotates several relations (a join per relation would count registrations × offers)."""
    rows = (
        model.objects.filter(workshop=OuterRef("pk"), **conditions)
        .order_by()
        .values("workshop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _with_counts(queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return queryset.annotate(
        n_confirmed=_count_per_workshop(Registration, status__in=TAKEN),
        n_confirmed_partner=_count_per_workshop(Registration, status__in=TAKEN, partner_seat=True),
        n_waitlisted=_count_per_workshop(Registration, status=Registration.Status.WAITLISTED),
        n_attended=_count_per_workshop(Registration, status=Registration.Status.ATTENDED),
    )


def initiatives_with_workshops() -> QuerySet[Initiative]:
    return Initiative.objects.prefetch_related(
        Prefetch("workshops", queryset=_with_counts(Workshop.objects.all()).order_by("number")),
        Prefetch(
            "publications",
            queryset=Publication.objects.filter(published_at__isnull=False).order_by("-published_at"),
            to_attr="published_editions",
        ),
    )


def initiative_by_code(code: str) -> Initiative | None:
    return Initiative.objects.filter(code=code).first()


def workshop_detail(pk: int) -> Workshop | None:
    """A workshop with its counts and its programme (accepted offers)."""
    return (
        _with_counts(Workshop.objects.select_related("initiative"))
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=PresentationOffer.objects.filter(status=OfferStatus.ACCEPTED).order_by(
                    "decided_at", "pk"
                ),
                to_attr="programme",
            )
        )
        .filter(pk=pk)
        .first()
    )


def workshops_for_manage(initiative: Initiative) -> QuerySet[Workshop]:
    return (
        _with_counts(initiative.workshops.all())
        .annotate(
            n_offers=_count_per_workshop(PresentationOffer, status=OfferStatus.SUBMITTED),
        )
        .order_by("number")
    )


def seats_left(workshop: Workshop) -> dict[str, int]:
    """Free seats of each kind, from the annotated counts of ``_with_counts``."""
    general_taken = workshop.n_confirmed - workshop.n_confirmed_partner
    return {
        "general": max(workshop.general_seats - general_taken, 0),
        "partner": max(workshop.partner_seats - workshop.n_confirmed_partner, 0),
    }


def workshops_open_for_offers(now: datetime | None = None) -> QuerySet[Workshop]:
    """The workshops that still take presentation offers (each workshop's own deadline)."""
    now = now or timezone.now()
    candidates = Workshop.objects.select_related("initiative").order_by("held_on", "number")
    return (
        Workshop.objects.filter(pk__in=[w.pk for w in candidates if w.offers_open(now)])
        .select_related("initiative")
        .order_by("initiative__code", "number")
    )


def seats_taken(workshop: Workshop, *, partner: bool) -> int:
    """Confirmed and attended places of one kind (the services count them with the workshop row locked)."""
    return Registration.objects.filter(workshop=workshop, partner_seat=partner, status__in=TAKEN).count()


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first person on the waitlist of their kind of seat; None if not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id,
        partner_seat=registration.partner_seat,
        status=Registration.Status.WAITLISTED,
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registration_by_token(token: str) -> Registration | None:
    """The registration of a self-service link (only the token's hash is stored)."""
    if not token or len(token) > 100:
        return None
    return (
        Registration.objects.select_related("workshop__initiative")
        .filter(cancel_token_hash=token_hash(token))
        .first()
    )


def registration_email_context(registration: Registration) -> dict:
    """What the emails about a registration show: its links, and the place on the waitlist."""
    workshop = registration.workshop
    return {
        "registration": registration,
        "workshop": workshop,
        "initiative": workshop.initiative,
        "manage_url": absolute_reverse("workshops:registration", registration.cancel_token),
        "workshop_url": absolute_reverse("workshops:workshop", workshop.pk),
        "place": waitlist_place(registration),
    }


def offer_email_context(offer: PresentationOffer) -> dict:
    return {
        "offer": offer,
        "workshop": offer.workshop,
        "initiative": offer.workshop.initiative,
        "my_url": absolute_reverse("workshops:my"),
        "workshop_url": absolute_reverse("workshops:workshop", offer.workshop_id),
    }


def message_recipients(*, workshop: Workshop, audience: str) -> list[Registration]:
    """Who a message to the registrants reaches: the confirmed (and attended), with the waitlist for "all"."""
    statuses = [
        *TAKEN,
        *([Registration.Status.WAITLISTED] if audience == WorkshopMessage.Audience.ALL else []),
    ]
    return list(
        Registration.objects.filter(workshop=workshop, status__in=statuses).select_related(
            "user", "workshop__initiative"
        )
    )


def messages_sent(workshop: Workshop, *, limit: int = 20) -> QuerySet[WorkshopMessage]:
    return workshop.messages.select_related("sent_by")[:limit]


def user_registration(*, workshop: Workshop, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(workshop=workshop)
        .filter(Q(user=user) | Q(email__iexact=user.email))
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


def user_registrations(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("workshop__initiative")
        .order_by("-workshop__held_on", "-created_at")
    )


def user_offers(user) -> QuerySet[PresentationOffer]:
    return (
        PresentationOffer.objects.filter(author=user)
        .select_related("workshop__initiative")
        .order_by("-created_at")
    )


def active_nomination(*, initiative: Initiative, municipality) -> Nomination | None:
    if municipality is None:
        return None
    return Nomination.objects.filter(
        initiative=initiative, municipality=municipality, status=Nomination.Status.ACTIVE
    ).first()


def nominations(
    *, initiative: Initiative, status: str = "", district: str = "", q: str = ""
) -> QuerySet[Nomination]:
    queryset = Nomination.objects.filter(initiative=initiative).select_related("municipality", "submitted_by")
    if status:
        queryset = queryset.filter(status=status)
    if district:
        queryset = queryset.filter(municipality__district_name=district)
    if q:
        queryset = queryset.filter(
            Q(municipality__name__icontains=q) | Q(representative_name__icontains=q) | Q(email__icontains=q)
        )
    return queryset.order_by("municipality__name", "-created_at")


def nomination_districts(initiative: Initiative) -> list[str]:
    return sorted(
        set(
            Nomination.objects.filter(initiative=initiative)
            .exclude(municipality__district_name="")
            .values_list("municipality__district_name", flat=True)
        )
    )


def registrations(
    *, workshop: Workshop, status: str = "", organisation_type: str = "", q: str = ""
) -> QuerySet[Registration]:
    """The registrations of a workshop: confirmed and attended first (by name), then the waitlist in its
    order, then the cancelled ones."""
    queryset = Registration.objects.filter(workshop=workshop)
    if status:
        queryset = queryset.filter(status=status)
    if organisation_type:
        queryset = queryset.filter(organisation_type=organisation_type)
    if q:
        queryset = queryset.filter(
            Q(full_name__icontains=q) | Q(organisation__icontains=q) | Q(email__icontains=q)
        )
    rank = Case(
        When(status__in=TAKEN, then=Value(0)),
        When(status=Registration.Status.WAITLISTED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.order_by(rank, "waitlisted_at", "full_name", "pk")


def waitlist(workshop: Workshop) -> list[Registration]:
    return list(
        Registration.objects.filter(workshop=workshop, status=Registration.Status.WAITLISTED).order_by(
            "partner_seat", "waitlisted_at", "pk"
        )
    )


def attendance_list(workshop: Workshop) -> QuerySet[Registration]:
    return Registration.objects.filter(workshop=workshop, status__in=TAKEN).order_by("full_name", "pk")


def offers(*, workshop: Workshop, status: str = "") -> QuerySet[PresentationOffer]:
    queryset = PresentationOffer.objects.filter(workshop=workshop).select_related("author", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("created_at", "pk")


def outputs(workshop: Workshop) -> tuple[QuerySet[GoodPractice], QuerySet[Recommendation]]:
    return (
        GoodPractice.objects.filter(workshop=workshop).order_by("created_at", "pk"),
        Recommendation.objects.filter(workshop=workshop).order_by("priority", "created_at", "pk"),
    )


def publications(initiative: Initiative) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(initiative=initiative)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
    )


def latest_published(initiative: Initiative) -> Publication | None:
    return (
        Publication.objects.filter(
            initiative=initiative, published_at__isnull=False, status=Publication.Status.DONE
        )
        .order_by("-published_at")
        .first()
    )


def publication_chapters(initiative: Initiative) -> list[Workshop]:
    """The workshops of an initiative with their good practices and recommendations (three queries)."""
    return list(
        initiative.workshops.order_by("number").prefetch_related(
            Prefetch("good_practices", queryset=GoodPractice.objects.order_by("created_at", "pk")),
            Prefetch(
                "recommendations", queryset=Recommendation.objects.order_by("priority", "created_at", "pk")
            ),
        )
    )


def participating_institutions(initiative: Initiative) -> list[tuple[str, list[str]]]:
    """Organisations that took part (confirmed or attended) in any workshop of the initiative, plus the
    nominated towns, grouped by the type of organisation."""
    rows = (
        Registration.objects.filter(workshop__initiative=initiative, status__in=TAKEN)
        .values_list("organisation_type", "organisation")
        .distinct()
    )
    groups: dict[str, set[str]] = {}
    for kind, name in rows:
        groups.setdefault(kind, set()).add(name.strip())
    towns = Nomination.objects.filter(initiative=initiative, status=Nomination.Status.ACTIVE).values_list(
        "municipality__name", flat=True
    )
    for name in towns:
        groups.setdefault("town", set()).add(name)
    return [(kind, sorted(names, key=str.casefold)) for kind, names in groups.items()]
