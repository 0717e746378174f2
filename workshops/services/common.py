"""What every write of the workshops app shares: who may (the app's rules), stripped input."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def authorize(actor, perm: str, obj=None) -> None:
    """Refuse (PermissionDenied) unless ``actor`` has ``perm`` (``workshops.rules``) on ``obj``. Services
    call it before they write; views may ask the same rule earlier for a nicer page."""
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this in the workshops."))


def stripped(value):
    return value.strip() if isinstance(value, str) else value
