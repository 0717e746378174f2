"""Pages of the project results: a project's results and effect panel (public once published), the
programme manager's editing page, milestones, publication, photos, and the programme's results page."""

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.selectors import priorities_of_town
from incidents.selectors import categories_active_grouped, districts_of_municipalities

from .. import selectors as project_selectors
from ..models import Proposal
from ..models_results import MilestonePhoto
from ..views import attempt, check, found
from ..workflow import PROPOSAL, SUPPORTED
from . import charts, services
from . import selectors as results
from .forms import AreaForm, ControlForm, DetailsForm, EmmieForm, MilestoneForm, ResultsFilterForm


def _supported_proposal(pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("call__programme", "municipality"), pk=pk, status__in=SUPPORTED
    )


@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    result = results.result_for_proposal(proposal_id=pk)
    if result is None:
        proposal = _supported_proposal(pk)
        if not request.user.has_perm("projects.manage_results"):
            raise Http404
        return render(request, "projects/results/project.html", {"proposal": proposal, "result": None})
    show_effect = result.effect_published or request.user.has_perm("projects.view_effect_draft", result)
    panel = results.effect_panel(result) if show_effect else None
    context = {
        "proposal": result.proposal,
        "result": result,
        "panel": panel,
        "show_effect": show_effect,
        "can_manage": request.user.has_perm("projects.manage_results", result),
        "chart": charts.monthly_chart(
            panel.months, title=_("Reports per month in the target and control areas")
        )
        if panel and panel.ready
        else "",
        "milestone_form": MilestoneForm(initial={"on": timezone.localdate(), "progress": result.progress}),
        "programme": result.proposal.call.programme,
        "emmie_form": _emmie_form(request, result),
    }
    return render(request, "projects/results/project.html", context)


def _emmie_form(request: HttpRequest, result, data=None):
    """The EMMIE form for the applicant town's staff (and the manager), else None."""
    user = request.user
    if not (
        user.has_perm("projects.manage_results") or user.has_perm("projects.edit_proposal", result.proposal)
    ):
        return None
    return EmmieForm(data, initial={name: getattr(result, name) for name in services.EMMIE})


@login_required
@require_POST
def emmie(request: HttpRequest, pk: int) -> HttpResponse:
    result = found(results.result_for_proposal(proposal_id=pk))
    form = _emmie_form(request, result, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        ok, _r = attempt(
            request,
            lambda: services.result_emmie_save(result=result, actor=request.user, fields=form.cleaned_data),
            form=form,
            success=_("The final report's evidence (EMMIE) was saved."),
        )
        if ok:
            return redirect(reverse("projects:result", kwargs={"pk": pk}) + "#emmie")
    context = {
        "proposal": result.proposal,
        "result": result,
        "panel": None,
        "show_effect": False,
        "can_manage": request.user.has_perm("projects.manage_results", result),
        "milestone_form": MilestoneForm(),
        "programme": result.proposal.call.programme,
        "emmie_form": form,
    }
    return render(request, "projects/results/project.html", context, status=400)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _supported_proposal(pk)
    check(request, "projects.manage_results")
    attempt(request, lambda: services.result_ensure(proposal=proposal, actor=request.user))
    return redirect("projects:result_edit", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    result = found(results.result_for_proposal(proposal_id=pk))
    check(request, "projects.manage_results", result)
    proposal = result.proposal
    town_districts = districts_of_municipalities(municipality_ids=[proposal.municipality_id]).get(
        proposal.municipality_id, []
    )
    categories = [c for _group, items in categories_active_grouped() for c in items]
    priorities = list(priorities_of_town(municipality=proposal.municipality))
    regional = list(proposal.call.programme.regional_projects.all())
    suggestions = results.control_suggestions(result)
    candidates = {d.pk: d for d in suggestions["candidates"]}
    candidates.update({d.pk: d for d in result.control_districts.all()})
    which = request.POST.get("form") if request.method == "POST" else None
    area_form = AreaForm(
        request.POST if which == "area" else None,
        districts=town_districts,
        initial={
            "kind": result.area_kind or "districts",
            "wkt": result.area.wkt if result.area_kind == "drawn" and result.area else "",
            "districts": [d.pk for d in result.area_districts.all()],
            "points": "\n".join(f"{p.y}, {p.x}" for p in result.area_points) if result.area_points else "",
            "radius_m": result.radius_m,
            "buffer_m": result.buffer_m,
        },
    )
    details_form = DetailsForm(
        request.POST if which == "details" else None,
        categories=categories,
        priorities=priorities,
        regional_projects=regional,
        initial={
            **{name: getattr(result, name) for name in services.EDITABLE},
            "regional_project": result.regional_project_id,
            "categories": [c.pk for c in result.categories.all()],
            "priority": result.priority_id,
        },
    )
    control_form = ControlForm(
        request.POST if which == "control" else None,
        districts=sorted(candidates.values(), key=lambda d: d.name),
        initial={"districts": [d.pk for d in result.control_districts.all()]},
    )
    if which == "area" and area_form.is_valid():
        data = area_form.cleaned_data
        ok, _r = attempt(
            request,
            lambda: services.result_area_set(
                result=result,
                actor=request.user,
                kind=data["kind"],
                wkt=data["wkt"],
                district_ids=data["districts"],
                points=data["points"],
                radius_m=data["radius_m"],
                buffer_m=data["buffer_m"],
            ),
            form=area_form,
            success=_("The area was saved."),
        )
        if ok:
            return redirect("projects:result_edit", pk=pk)
    elif which == "details" and details_form.is_valid():
        data = dict(details_form.cleaned_data)
        category_ids, priority_id = data.pop("categories"), data.pop("priority")
        data["regional_project_id"] = data.pop("regional_project")
        fields = {k: v for k, v in data.items() if k in services.EDITABLE}
        if data["regional_project_id"] and data["regional_project_id"] not in {r.pk for r in regional}:
            data["regional_project_id"] = None
        fields["regional_project"] = next((r for r in regional if r.pk == data["regional_project_id"]), None)
        ok, _r = attempt(
            request,
            lambda: services.result_update(
                result=result,
                actor=request.user,
                fields=fields,
                category_ids=category_ids,
                priority_id=priority_id,
            ),
            form=details_form,
            success=_("The project's details were saved."),
        )
        if ok:
            return redirect("projects:result_edit", pk=pk)
    elif which == "control" and control_form.is_valid():
        ok, _r = attempt(
            request,
            lambda: services.result_control_set(
                result=result, actor=request.user, district_ids=control_form.cleaned_data["districts"]
            ),
            form=control_form,
            success=_("The control area was saved."),
        )
        if ok:
            return redirect("projects:result_edit", pk=pk)
    context = {
        "proposal": proposal,
        "result": result,
        "area_form": area_form,
        "details_form": details_form,
        "control_form": control_form,
        "suggestions": suggestions,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "centre": result.area.centroid
        if result.area
        else (proposal.municipality.boundary.point_on_surface if proposal.municipality.boundary else None),
    }
    return render(request, "projects/results/edit.html", context, status=400 if which else 200)


@login_required
@require_POST
def milestone(request: HttpRequest, pk: int) -> HttpResponse:
    result = found(results.result_for_proposal(proposal_id=pk))
    check(request, "projects.manage_results", result)
    form = MilestoneForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        ok, _r = attempt(
            request,
            lambda: services.milestone_add(
                result=result,
                actor=request.user,
                on=data["on"],
                status=data["status"],
                text=data["text"],
                photos=[(f.name, f.read()) for f in data["photos"]],
                progress=data["progress"],
            ),
            form=form,
            success=_("The milestone was recorded."),
        )
        if ok:
            return redirect(reverse("projects:result", kwargs={"pk": pk}) + "#milestones")
    context = {
        "proposal": result.proposal,
        "result": result,
        "panel": None,
        "show_effect": False,
        "can_manage": True,
        "milestone_form": form,
        "programme": result.proposal.call.programme,
    }
    return render(request, "projects/results/project.html", context, status=400)


@login_required
@require_POST
def milestone_delete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    result = found(results.result_for_proposal(proposal_id=pk))
    check(request, "projects.manage_results", result)
    attempt(
        request,
        lambda: services.milestone_delete(result=result, actor=request.user, milestone_id=milestone_pk),
        success=_("The milestone was removed."),
    )
    return redirect(reverse("projects:result", kwargs={"pk": pk}) + "#milestones")


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    result = found(results.result_for_proposal(proposal_id=pk))
    check(request, "projects.manage_results", result)
    publish_it = request.POST.get("publish") == "1"
    attempt(
        request,
        lambda: services.effect_publish(result=result, actor=request.user, publish=publish_it),
        success=_("The effect panel is public now.")
        if publish_it
        else _("The effect panel is a draft again."),
    )
    return redirect(reverse("projects:result", kwargs={"pk": pk}) + "#effect")


@require_GET
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    item = get_object_or_404(
        MilestonePhoto.objects.select_related("milestone__result__proposal"),
        pk=photo_pk,
        milestone__result__proposal_id=pk,
        milestone__result__proposal__status__in=SUPPORTED,
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- the programme's results page ------------------------------------------------------------------------


def _programme_results(request: HttpRequest, slug: str):
    programme = found(project_selectors.programme_by_slug(slug=slug))
    statuses = [(s, PROPOSAL.public_label(s)) for s in SUPPORTED]
    seen, status_choices = set(), []
    for value, label in statuses:  # several statuses share a public label: offer each once
        if str(label) not in seen:
            seen.add(str(label))
            status_choices.append((value, label))
    form = ResultsFilterForm(
        request.GET or None,
        years=[row["year"] for row in project_selectors.supported_by_year(programme=programme)],
        towns=project_selectors.supported_towns(programme=programme),
        statuses=status_choices,
    )
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "year": data["year"],
            "municipality_id": data["town"],
            "theme": data["theme"] or None,
            "status": data["status"] or None,
        }
    projects = results.programme_results(programme=programme, **filters)
    return programme, form, projects


@require_GET
def programme_results(request: HttpRequest, slug: str) -> HttpResponse:
    programme, form, projects = _programme_results(request, slug)
    shapes = [
        (p.title, reverse("projects:result", kwargs={"pk": p.pk}), p.results_record.area)
        for p in projects
        if p.results_record is not None and p.results_record.area is not None
    ]
    context = {
        "programme": programme,
        "form": form,
        "groups": results.group_by_parent(projects),
        "count": len(projects),
        "map": charts.areas_map(
            shapes,
            title=_("Areas of the projects shown"),
            background=results.member_boundaries(programme=programme) if shapes else (),
        ),
        "mapped": len(shapes),
        "can_manage": request.user.has_perm("projects.manage_results"),
        "query": request.GET.urlencode(),
    }
    return render(request, "projects/results/programme.html", context)


@require_GET
def programme_results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    programme, _form, projects = _programme_results(request, slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "year",
            "town",
            "project",
            "region_wide_project",
            "theme",
            "status",
            "progress_percent",
            "approved",
            "spent",
            "milestones",
            "milestones_done",
            "effect_published",
        ]
    )
    for p in projects:
        r = p.results_record
        counts = p.milestone_counts or {}
        writer.writerow(
            [
                p.call.year,
                p.municipality.name,
                p.title,
                r.regional_project.name if r and r.regional_project else "",
                r.theme if r else "",
                p.status,
                r.progress if r else "",
                p.decision.approved_amount,
                p.final_report.spent_amount if hasattr(p, "final_report") else "",
                counts.get("total", 0),
                counts.get("done", 0),
                "yes" if r and r.effect_published else "no",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-results.csv"'
    return response
