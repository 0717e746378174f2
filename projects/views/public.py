"""Public pages: the programmes, a programme with its members on a map, calls, supported projects."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from portal.exports import csv_response

from .. import exports, selectors
from ..forms import ProposalStartForm, SupportedFilterForm
from ..models import Membership
from . import found


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "programmes": selectors.programmes_with_members(),
        "open_calls": list(selectors.calls_open(now=timezone.now())),
    }
    return render(request, "projects/index.html", context)


@require_GET
def programme(request: HttpRequest, slug: str) -> HttpResponse:
    programme = found(selectors.programme_for_page(slug=slug))
    memberships = list(programme.memberships.all())
    districts = selectors.member_districts(memberships=memberships)
    members = [(m, districts.get(m.municipality_id, [])) for m in memberships]
    now = timezone.now()
    context = {
        "programme": programme,
        "members": members,
        "joined_count": sum(1 for m in memberships if m.status == Membership.Status.JOINED),
        "preparing_count": sum(1 for m in memberships if m.status == Membership.Status.PREPARING),
        "waves": selectors.membership_waves(memberships),
        "budget": selectors.programme_budget(programme=programme),
        "by_year": selectors.supported_by_year(programme=programme),
        "calls": [(call, call.is_open(now)) for call in programme.calls.all()],
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    return render(request, "projects/programme.html", context)


@require_GET
@gzip_page
@cache_control(public=True, max_age=600)
def members_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    programme = found(selectors.programme_by_slug(slug=slug))
    return HttpResponse(selectors.members_geojson(programme=programme), content_type="application/geo+json")


def _supported(request: HttpRequest, slug: str):
    programme = found(selectors.programme_by_slug(slug=slug))
    by_year = selectors.supported_by_year(programme=programme)
    form = SupportedFilterForm(
        request.GET or None,
        years=[row["year"] for row in by_year],
        towns=selectors.supported_towns(programme=programme),
    )
    year = town = None
    if form.is_bound and form.is_valid():
        year, town = form.cleaned_data["year"], form.cleaned_data["town"]
    projects = selectors.supported_projects(programme=programme, year=year, municipality_id=town)
    return programme, by_year, form, projects


@require_GET
def supported(request: HttpRequest, slug: str) -> HttpResponse:
    programme, by_year, form, projects = _supported(request, slug)
    projects = list(projects)
    context = {
        "programme": programme,
        "by_year": by_year,
        "form": form,
        "projects": projects,
        "shown_total": sum(p.decision.approved_amount for p in projects),
        "budget": selectors.programme_budget(programme=programme),
        "query": request.GET.urlencode(),
    }
    return render(request, "projects/supported.html", context)


@require_GET
def supported_csv(request: HttpRequest, slug: str) -> HttpResponse:
    programme, _by_year, _form, projects = _supported(request, slug)
    return csv_response(exports.supported_table(programme, projects), private=False)


@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = found(selectors.call_for_page(pk=pk))
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    town = profile.municipality if profile and profile.municipality_id else None
    town_staff = bool(town and request.user.has_perm("projects.submit_proposal", town))
    now = timezone.now()
    can_propose = bool(
        town_staff
        and now < call.closes_at
        and selectors.is_member_on(programme=call.programme, municipality=town, day=timezone.localdate(now))
    )
    context = {
        "call": call,
        "is_open": call.is_open(),
        "town": town,
        "town_staff": town_staff,
        "start_form": ProposalStartForm() if can_propose else None,
    }
    return render(request, "projects/call.html", context)
