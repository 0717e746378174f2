"""The programme manager's pages: calls, proposals and reviewers, commission meetings, council decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.exports import csv_response

from .. import exports, selectors, services, workflow
from ..forms import (
    CallForm,
    CriterionFormSet,
    DecisionForm,
    EligibleCostFormSet,
    MeetingForm,
    MeetingItemFormSet,
)
from ..models import Call, Programme, Proposal
from . import attempt, check, found


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    check(request, "projects.manage")
    calls = list(selectors.manager_overview())
    for call in calls:
        call.counts = [
            (status, label, getattr(call, f"n_{status}"))
            for status, label in Proposal.Status.choices
            if status != Proposal.Status.DRAFT and getattr(call, f"n_{status}")
        ]
    context = {"calls": calls, "programmes": selectors.programmes(), "now": timezone.now()}
    return render(request, "projects/manage.html", context)


def _rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, pk: int | None = None, slug: str | None = None) -> HttpResponse:
    check(request, "projects.manage")
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk) if pk else None
    programme = call.programme if call else get_object_or_404(Programme, slug=slug)
    if request.method == "POST":
        form = CallForm(request.POST, instance=call or Call(programme=programme))
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        costs = EligibleCostFormSet(request.POST, prefix="costs")
        if form.is_valid() and criteria.is_valid() and costs.is_valid():
            done, saved = attempt(
                request,
                lambda: services.call_save(
                    programme=programme,
                    call=call,
                    actor=request.user,
                    fields=form.cleaned_data,
                    criteria=_rows(criteria),
                    eligible_costs=_rows(costs),
                ),
                form=form,
                success=_("The call is saved."),
            )
            if done:
                return redirect("projects:call_manage", pk=saved.pk)
    else:
        form = CallForm(instance=call)
        criteria = CriterionFormSet(
            prefix="criteria",
            initial=[
                {"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight}
                for c in (call.criteria.all() if call else [])
            ],
        )
        costs = EligibleCostFormSet(
            prefix="costs",
            initial=[
                {"id": c.pk, "name": c.name, "description": c.description}
                for c in (call.eligible_costs.all() if call else [])
            ],
        )
    context = {"call": call, "programme": programme, "form": form, "criteria": criteria, "costs": costs}
    return render(
        request, "projects/call_form.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_GET
def call_manage(request: HttpRequest, pk: int) -> HttpResponse:
    check(request, "projects.manage")
    call = found(selectors.call_for_page(pk=pk))
    approved = selectors.approved_total(call=call)
    context = {
        "call": call,
        "proposals": list(selectors.proposals_of_call(call=call)),
        "meetings": list(selectors.meetings_of_call(call=call)),
        "meeting_form": MeetingForm(initial={"held_on": timezone.localdate()}),
        "approved": approved,
        "left": call.budget - approved,
    }
    return render(request, "projects/call_manage.html", context)


@login_required
@require_POST
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    check(request, "projects.manage")
    call = get_object_or_404(Call, pk=pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        meeting = services.meeting_create(call=call, actor=request.user, **form.cleaned_data)
        return redirect("projects:meeting", pk=meeting.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("projects:call_manage", pk=call.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    check(request, "projects.manage")
    meeting = found(selectors.meeting_for_page(pk=pk))
    items = list(meeting.items.all())
    formset = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "refresh":
            attempt(
                request,
                lambda: services.meeting_refresh(meeting=meeting, actor=request.user),
                success=_("The list is up to date and ranked by score."),
            )
            return redirect("projects:meeting", pk=meeting.pk)
        formset = MeetingItemFormSet(request.POST, prefix="items")
        status = 400
        if formset.is_valid():
            data = {
                f.cleaned_data["item"]: f.cleaned_data for f in formset.forms if f.cleaned_data.get("item")
            }
            closing = action == "close"
            saved, _none = attempt(
                request,
                lambda: services.meeting_save_items(meeting=meeting, actor=request.user, items=data),
                success=None if closing else _("The recommendations are saved."),
            )
            if saved and closing:
                attempt(
                    request,
                    lambda: services.meeting_close(meeting=meeting, actor=request.user),
                    success=_("The meeting is closed; the proposals wait for the council."),
                    failed=_("The recommendations are saved, but the meeting is not closed:"),
                )
            if saved:
                return redirect("projects:meeting", pk=meeting.pk)
    if formset is None:
        formset = MeetingItemFormSet(
            prefix="items",
            initial=[
                {
                    "item": item.pk,
                    "recommend": {True: "yes", False: "no"}.get(item.recommend, ""),
                    "proposed_amount": item.proposed_amount,
                    "note": item.note,
                }
                for item in items
            ],
        )
    approved = selectors.approved_total(call=meeting.call)
    context = {
        "meeting": meeting,
        "rows": list(zip(items, formset.forms, strict=False)),
        "formset": formset,
        "left": meeting.call.budget - approved,
    }
    return render(request, "projects/meeting.html", context, status=status)


def _meeting_export(request: HttpRequest, pk: int):
    check(request, "projects.manage")
    meeting = found(selectors.meeting_for_page(pk=pk))
    return meeting, list(meeting.items.all())


@login_required
@require_GET
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, items = _meeting_export(request, pk)
    left = meeting.call.budget - selectors.approved_total(call=meeting.call)
    pdf = exports.recommendations_pdf(meeting=meeting, items=items, budget_left=left, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="recommendations-{meeting.call.year}-{meeting.held_on}.pdf"'
    )
    return response


@login_required
@require_GET
def meeting_csv(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, items = _meeting_export(request, pk)
    return csv_response(exports.recommendations_table(meeting, items))


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = found(selectors.proposal_for_page(pk=pk))
    check(request, "projects.decide", proposal)
    if proposal.status not in workflow.AWAITING_DECISION:
        messages.error(request, _("The council's decision on this proposal has already been recorded."))
        return redirect("projects:proposal", pk=proposal.pk)
    item = selectors.latest_recommendation(proposal=proposal)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            recorded, _decision = attempt(
                request,
                lambda: services.decision_record(proposal=proposal, actor=request.user, **form.cleaned_data),
                form=form,
                success=_("The council's decision is recorded."),
            )
            if recorded:
                return redirect("projects:call_manage", pk=proposal.call_id)
    else:
        initial = {"resolved_on": timezone.localdate()}
        if item is not None and item.recommend:
            initial.update(outcome="approved", approved_amount=item.proposed_amount)
        elif item is not None:
            initial["outcome"] = "rejected"
        form = DecisionForm(initial=initial)
    call_approved = selectors.approved_total(call=proposal.call)
    programme = proposal.call.programme
    programme_approved = selectors.approved_total(programme=programme)
    context = {
        "proposal": proposal,
        "item": item,
        "form": form,
        "call_left": proposal.call.budget - call_approved,
        "programme_left": programme.total_budget - programme_approved,
    }
    return render(
        request, "projects/decision_form.html", context, status=400 if request.method == "POST" else 200
    )
