"""The report workflow as data: statuses, the transitions between them, who may make each, what it needs,
and what the public sees. ``services.report_transition`` applies it and refuses anything else.

Statuses follow KMZB as residents see them: new → verifying (taken up) → confirmed | not confirmed | joke or
mistake; confirmed → eliminated | handed over to a body outside the police.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import roles


class Status(models.TextChoices):
    NEW = "new", _("new")
    VERIFYING = "verifying", _("being verified")
    CONFIRMED = "confirmed", _("confirmed")
    NOT_CONFIRMED = "not_confirmed", _("not confirmed")
    JOKE_OR_MISTAKE = "joke_or_mistake", _("joke or mistake")
    ELIMINATED = "eliminated", _("confirmed – eliminated")
    HANDED_OVER = "handed_over", _("confirmed – handed over outside the police")


OPEN_STATUSES = frozenset({Status.NEW, Status.VERIFYING, Status.CONFIRMED})
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)
# Colours of the public map markers (AA contrast on white, distinguishable without colour by the label)
STATUS_COLOURS = {
    Status.NEW: "#b3261e",
    Status.VERIFYING: "#8a5300",
    Status.CONFIRMED: "#1d4e89",
    Status.NOT_CONFIRMED: "#4a5360",
    Status.JOKE_OR_MISTAKE: "#4a5360",
    Status.ELIMINATED: "#1e6b35",
    Status.HANDED_OVER: "#5b2a86",
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # lazy translated text shown on the staff button
    public_label: object  # what the reporter and the public map read in the timeline
    sources: frozenset
    target: str | None  # None: the status stays (reassign, partner answer)
    roles: frozenset
    # What the action needs besides a public answer / internal note
    needs_partner_body: bool = False
    needs_assignee: bool = False
    answer_required: bool = False
    sets: dict = field(default_factory=dict)  # timestamps the transition stamps: {"taken_up_at": True, …}
    partner_may: bool = False  # staff of the body the report was handed to may make it


POLICE = frozenset({roles.OFFICER, roles.COORDINATOR})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="take_up",
            label=_("Take up"),
            public_label=_("The report was taken up by the police."),
            sources=frozenset({Status.NEW}),
            target=Status.VERIFYING,
            roles=POLICE,
            sets={"taken_up_at": True},
        ),
        Transition(
            name="confirm",
            label=_("Confirm"),
            public_label=_("The threat was confirmed."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.CONFIRMED,
            roles=POLICE,
            sets={"verified_at": True},
        ),
        Transition(
            name="not_confirm",
            label=_("Not confirmed"),
            public_label=_("The threat was not confirmed."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.NOT_CONFIRMED,
            roles=POLICE,
            answer_required=True,
            sets={"verified_at": True, "closed_at": True},
        ),
        Transition(
            name="joke",
            label=_("Joke or mistake"),
            public_label=_("The report was a joke or a mistake."),
            sources=frozenset({Status.VERIFYING}),
            target=Status.JOKE_OR_MISTAKE,
            roles=POLICE,
            sets={"verified_at": True, "closed_at": True},
        ),
        Transition(
            name="eliminate",
            label=_("Threat eliminated"),
            public_label=_("The threat was eliminated."),
            sources=frozenset({Status.CONFIRMED}),
            target=Status.ELIMINATED,
            roles=POLICE,
            sets={"closed_at": True},
        ),
        Transition(
            name="hand_over",
            label=_("Hand over to a partner body"),
            public_label=_("The report was handed over to a body outside the police."),
            sources=frozenset({Status.CONFIRMED}),
            target=Status.HANDED_OVER,
            roles=POLICE,
            needs_partner_body=True,
            sets={"closed_at": True},
        ),
        Transition(
            name="partner_answer",
            label=_("Answer"),
            public_label=_("The partner body answered."),
            sources=frozenset({Status.HANDED_OVER}),
            target=None,
            roles=frozenset({roles.PARTNER_BODY}),
            answer_required=True,
            partner_may=True,
        ),
        Transition(
            name="reassign",
            label=_("Reassign"),
            public_label=_("The report was passed to another officer."),
            sources=frozenset(OPEN_STATUSES),
            target=None,
            roles=frozenset({roles.COORDINATOR}),
            needs_assignee=True,
        ),
        Transition(
            name="reopen",
            label=_("Reopen"),
            public_label=_("The report was reopened for verification."),
            sources=frozenset(CLOSED_STATUSES),
            target=Status.VERIFYING,
            roles=frozenset({roles.COORDINATOR}),
            answer_required=True,
            sets={"closed_at": None, "verified_at": None},
        ),
    ]
}


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
