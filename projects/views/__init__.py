"""Views of the projects app, one module per audience: the public, the applicant towns, the Security
Commission and the programme manager. They parse input, check permissions and call services/selectors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def check(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def found(obj):
    if obj is None:
        raise Http404
    return obj


def error_messages(exc: ValidationError) -> list[str]:
    """The messages of a service's ValidationError, flat, for a form's non-field errors."""
    if hasattr(exc, "message_dict"):
        return [message for messages in exc.message_dict.values() for message in messages]
    return list(exc.messages)


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
