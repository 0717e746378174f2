"""Views of the projects app, one module per audience: the public, the applicant towns, the Security
Commission and the programme manager. They parse input, ask the rules early for a nicer page (the services
authorize again) and call services/selectors; service errors reach the forms through ``portal.web``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


def check(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def found(obj):
    if obj is None:
        raise Http404
    return obj
