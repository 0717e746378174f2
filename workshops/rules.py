"""Object rules of the workshops app (django-rules), registered when the app loads (``apps.ready``).

Objects: the ``Municipality`` acted for (``nominate``), a ``PresentationOffer`` (``change_offer``); none for
the others. The services ask these rules before every write (``services.common.authorize``), the offer
workflow (``workflow.OFFER``) names the predicates of its steps, and the views may ask them early for a
nicer page.
"""

import rules

from portal.permissions import (
    belongs_to_municipality,
    is_coordinator,
    is_municipal_staff,
    is_officer,
    is_partner_body_staff,
    is_workshop_organiser,
)


@rules.predicate
def is_offer_author(user, offer) -> bool:
    return bool(offer is not None and getattr(user, "is_authenticated", False) and offer.author_id == user.pk)


rules.add_perm("workshops.register", is_municipal_staff | is_officer | is_coordinator | is_partner_body_staff)
rules.add_perm("workshops.nominate", is_municipal_staff & belongs_to_municipality)
rules.add_perm("workshops.manage", is_workshop_organiser)
# Anybody with an account may offer a presentation (seed 001: "anyone may present on a theme").
rules.add_perm("workshops.offer_presentation", rules.is_authenticated)
rules.add_perm("workshops.change_offer", is_offer_author)
