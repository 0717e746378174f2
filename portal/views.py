import contextlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import health, selectors, services
from .models import Country
from .roles import ROLE_LINKS, ROLES, role_names

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The map shows the deployment's whole area (every served municipality) whatever the visitor's language:
    # language is not geography.
    context = {
        "municipality_count": selectors.municipalities_served().count(),
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    return render(request, "portal/home.html", context)


@require_GET
@gzip_page
@cache_control(public=True, max_age=3600)
def municipalities_geojson(request: HttpRequest) -> HttpResponse:
    country = request.GET.get("country") or None
    if country is not None and country not in Country.values:
        return JsonResponse({"error": "unknown country"}, status=400)
    return HttpResponse(
        selectors.municipalities_geojson(country=country), content_type="application/geo+json"
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("portal.view_dashboard"):
        raise PermissionDenied
    names = sorted(role_names(request.user))
    links, seen = [], set()
    for name in names:
        for url_name, label in ROLE_LINKS.get(name, []):
            if url_name not in seen:
                seen.add(url_name)
                links.append((reverse(url_name), label))
    return render(request, "portal/dashboard.html", {"roles": [(n, ROLES[n]) for n in names], "links": links})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also remembers the choice for a logged-in user's emails."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language:
        with contextlib.suppress(ValueError):
            services.profile_set_language(user=request.user, language=language)
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    failed = sorted(name for name, result in checks.items() if result != "ok")
    status = 503 if failed else 200
    return JsonResponse(
        {"status": "fail" if failed else "ok", "checks": checks, "failed": failed}, status=status
    )
