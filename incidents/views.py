from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/index.html", {"groups": selectors.categories_active_grouped()})
