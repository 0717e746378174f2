"""The presentation-offer workflow and the registration reminder, declared in the shared engines
(``portal.workflow``, ``portal.deadlines``): statuses, the steps between them, who may make each
(``workshops.rules``), what each needs and what each tells the author; the reminder 3 days before the
workshop. ``services.offer_transition`` / ``offer_withdraw`` apply the workflow; ``services.reminders_send``
runs the reminder.

submitted → accepted | rejected (the organiser, with a message) ; submitted | accepted → withdrawn (the
author, from their own page) ; accepted | rejected → submitted (the organiser reopens a decision).
"""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.deadlines import BulkNotify, Deadline, Step
from portal.permissions import is_workshop_organiser
from portal.services import Recipient
from portal.workflow import Input, Messages, Notify, State, Transition, Workflow

from .rules import is_offer_author


class OfferStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


MAX_MESSAGE = 2000
REMINDER_DAYS_BEFORE = 3


def _selectors():
    from . import selectors  # the selectors read the models, which import this module

    return selectors


# --- presentation offers --------------------------------------------------------------------------------


def _message(*, required: bool) -> Input:
    return Input(
        name="message",
        required=required,
        max_length=MAX_MESSAGE,
        required_message=_("Please write a message to the author."),
        too_long_message=_("The message may have at most 2000 characters."),
    )


def _decision(ctx) -> dict:
    """The organiser's decision replaces the previous one, message included (also an empty one)."""
    return {"decision_message": ctx.inputs["message"], "decided_by": ctx.actor, "decided_at": ctx.now}


def _author(ctx) -> list:
    return [ctx.obj.author] if ctx.obj.author is not None else []


TELL_THE_AUTHOR = Notify(
    kind="workshop_offer_decided",
    to=_author,
    key=lambda ctx, who: f"offer:{ctx.obj.pk}:{ctx.transition.name}:{ctx.now.timestamp():.0f}",
    context=lambda ctx: {**_selectors().offer_email_context(ctx.obj), "message": ctx.inputs["message"]},
)


def _decide(name: str, label, sources: set, target: str, *, message_required: bool) -> Transition:
    return Transition(
        name=name,
        label=label,
        public_label=label,
        sources=frozenset(sources),
        target=target,
        allowed=is_workshop_organiser,
        inputs=(_message(required=message_required),),
        changes=_decision,
        notify=(TELL_THE_AUTHOR,),
    )


OFFER = Workflow(
    name="offer",
    model="workshops.PresentationOffer",
    states={
        status: State(label=status.label, open=status in (OfferStatus.SUBMITTED, OfferStatus.ACCEPTED))
        for status in OfferStatus
    },
    transitions={
        t.name: t
        for t in [
            _decide(
                "accept",
                _("Accept"),
                {OfferStatus.SUBMITTED},
                OfferStatus.ACCEPTED,
                message_required=False,
            ),
            _decide(
                "reject",
                _("Reject"),
                {OfferStatus.SUBMITTED},
                OfferStatus.REJECTED,
                message_required=True,
            ),
            _decide(
                "reopen",
                _("Reopen"),
                {OfferStatus.ACCEPTED, OfferStatus.REJECTED},
                OfferStatus.SUBMITTED,
                message_required=True,
            ),
            # The author's own button ("my offers"): not one of the organiser's decisions
            Transition(
                name="withdraw",
                label=_("Withdraw"),
                public_label=_("Withdraw"),
                sources=frozenset({OfferStatus.SUBMITTED, OfferStatus.ACCEPTED}),
                target=OfferStatus.WITHDRAWN,
                allowed=is_offer_author,
                direct=False,
            ),
        ]
    },
    messages=Messages(
        unknown=_("Unknown action."),
        not_possible=_("This offer is %(status)s; it cannot be changed this way."),
        forbidden=_("You may not do this with this offer."),
        stale=_("Someone has just changed this offer. Reload the page to see its state."),
    ),
    updated_field="updated_at",
    log=lambda ctx: {"status": ctx.after},
)


# --- the reminder before the workshop -------------------------------------------------------------------


def _participants(registrations) -> dict:
    """pk → the participant: their address in the registration's language (and their account, if the
    registration is theirs)."""
    return {
        r.pk: [
            Recipient(
                email=r.email,
                language=r.language,
                user=r.user if r.user is not None and r.user.email == r.email else None,
            )
        ]
        for r in registrations
    }


REMINDER = Deadline(
    name="reminder",
    label=_("Workshop day"),
    model="workshops.Registration",
    due_field="workshop__held_on",  # the workshop's day: reached when it starts (local time)
    date_is_event=True,
    states=frozenset({"confirmed"}),
    steps=(
        Step(
            flag="reminded",
            verb="registration.reminded",
            ahead=timedelta(days=REMINDER_DAYS_BEFORE),
            # After the workshop's day nobody is reminded, nor marked: the registration is left as it is
            until_due=True,
            stamps=("reminder_sent_at",),
            notify=(
                BulkNotify(
                    kind="workshop_reminder",
                    to=_participants,
                    key=lambda r, who: f"registration:{r.pk}:{r.cancel_nonce}:reminder",
                    context=lambda r: _selectors().registration_email_context(r),
                ),
            ),
        ),
    ),
    select_related=("workshop__initiative", "user"),
)
