"""A URL configuration for the error page tests: the portal's URLs plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.urls import path

from portal.urls import handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def database_down(request):
    raise DatabaseError("the database is gone")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/database/", database_down),
    path("test-errors/forbidden/", forbidden),
    *portal_urlpatterns,
]
