"""Views of the projects app, one module per audience: the public, the applicant towns, the Security
Commission and the programme manager. They parse input, ask the rules early for a nicer page (the services
authorize again) and call services/selectors; a service's refusal reaches the page through ``attempt``."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.web import add_form_errors, error_messages

from ..rules import conflict_refusal


def check(request, perm: str, obj=None) -> None:
    """The rules' early check; a member refused for their own declared conflict of interest is told so."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(conflict_refusal(request.user, obj) or "")


def found(obj):
    if obj is None:
        raise Http404
    return obj


def attempt(
    request, call: Callable[[], object], *, form=None, success=None, failed=None
) -> tuple[bool, object]:
    """Call a service: (True, what it returned), and ``success`` as a message; or, when it refuses
    (ValidationError), (False, None) with its reasons on ``form`` (each at its field), else as error
    messages after ``failed``."""
    try:
        result = call()
    except ValidationError as exc:
        if form is not None:
            add_form_errors(form, exc)
        else:
            for message in ([failed] if failed else []) + error_messages(exc):
                messages.error(request, message)
        return False, None
    if success:
        messages.success(request, success)
    return True, result
