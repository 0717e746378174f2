"""The workshops' personal data that expires (``portal.retention``; docs/personal-data.md).

Counted from the day of the workshop (of an initiative's last workshop for nominations): the rows stay for
the attendance figures and the programme, the names and contacts go."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from portal.retention import Retention, cleared_email, local_date, register, removed_email

from .workflow import OfferStatus

DEFAULT_DAYS = 183  # about six months after the workshop


def _held_before(cutoff: datetime, path: str = "workshop") -> Q:
    return Q(**{f"{path}__held_on__lte": local_date(cutoff)})


def _registrations(cutoff: datetime) -> Q:
    return _held_before(cutoff) & ~cleared_email("email")


def _offer_contacts(cutoff: datetime) -> Q:
    return _held_before(cutoff) & ~Q(speaker_email="")


def _offers_not_accepted(cutoff: datetime) -> Q:
    return _held_before(cutoff) & ~Q(status=OfferStatus.ACCEPTED) & ~Q(speaker_name="")


def _nominations(cutoff: datetime) -> Q:
    # Every workshop of the initiative was held before the cutoff (one without a date keeps them all)
    from .models import Workshop

    day = local_date(cutoff)
    workshops = Workshop.objects.filter(initiative=OuterRef("initiative"))
    return (
        Q(Exists(workshops.filter(held_on__lte=day)))
        & ~Q(Exists(workshops.filter(Q(held_on__gt=day) | Q(held_on__isnull=True))))
        & ~Q(email="")
    )


def register_workshops() -> None:
    register(
        Retention(
            name="workshops.registrations",
            label=_("Participants' names, contacts and needs, after the workshop"),
            model="workshops.Registration",
            default_days=DEFAULT_DAYS,
            expired=_registrations,
            # the email must stay unique per workshop: a placeholder per row instead of a blank
            clear={"full_name": "", "position": "", "email": removed_email(), "phone": "", "needs": ""},
        ),
        Retention(
            name="workshops.offer_contacts",
            label=_("Speakers' emails, after the workshop"),
            model="workshops.PresentationOffer",
            default_days=DEFAULT_DAYS,
            expired=_offer_contacts,
            clear={"speaker_email": ""},
        ),
        Retention(
            name="workshops.offers_not_accepted",
            label=_("Names of speakers whose offer was not accepted, after the workshop"),
            model="workshops.PresentationOffer",
            default_days=DEFAULT_DAYS,
            expired=_offers_not_accepted,
            clear={"speaker_name": "", "speaker_organisation": "", "speaker_email": ""},
        ),
        Retention(
            name="workshops.nominations",
            label=_("Nominated representatives' names and contacts, after the initiative's last workshop"),
            model="workshops.Nomination",
            default_days=DEFAULT_DAYS,
            expired=_nominations,
            clear={"representative_name": "", "position": "", "email": "", "phone": "", "note": ""},
        ),
    )
