from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/index.html", {"groups": selectors.categories_active_grouped()})


# Not built yet: each of these answers 404 until its page exists.


def report_new(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def nearby(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def places(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def report_submitted(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def track(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def support(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
