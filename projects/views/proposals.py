"""A proposal's pages: the town drafts, submits, answers and reports; everybody allowed reads it."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.confirm import confirm_page, confirmed
from portal.web import add_form_errors

from .. import selectors, services, workflow
from ..forms import (
    AssignForm,
    AttachmentForm,
    BudgetLineFormSet,
    FinalReportForm,
    MessageForm,
    ProposalForm,
    ProposalStartForm,
    TransitionForm,
)
from ..models import BudgetLine, Call, Proposal, ProposalAttachment
from ..money import ZERO
from ..next_steps import manager_next_step
from ..services.proposals import MAX_BUDGET_LINES
from ..workflow import PROPOSAL
from . import attempt, check, found


def _town(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return profile.municipality if profile is not None and profile.municipality_id else None


@login_required
@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    town = _town(request)
    if town is None:
        raise PermissionDenied
    check(request, "projects.submit_proposal", town)
    context = {
        "town": town,
        "proposals": selectors.proposals_of_town(municipality_id=town.pk),
        "open_calls": list(selectors.calls_open(now=timezone.now())),
    }
    return render(request, "projects/my_proposals.html", context)


@login_required
@require_POST
def proposal_start(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk)
    town = _town(request)
    if town is None:
        raise PermissionDenied
    check(request, "projects.submit_proposal", town)
    form = ProposalStartForm(request.POST)
    if form.is_valid():
        created, proposal = attempt(
            request,
            lambda: services.proposal_create(
                call=call,
                municipality=town,
                actor=request.user,
                title=form.cleaned_data["title"],
                submission_key=form.cleaned_data["submission_key"],
            ),
            success=_("The draft is saved. Fill it in and submit it before the call closes."),
        )
        if created:
            return redirect("projects:proposal_edit", pk=proposal.pk)
        return redirect("projects:call", pk=call.pk)
    for message in form.errors.get("title", []):
        messages.error(request, message)
    return redirect("projects:call", pk=call.pk)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = found(selectors.proposal_for_page(pk=pk))
    check(request, "projects.view_proposal", proposal)
    user = request.user
    is_town = user.has_perm("projects.edit_proposal", proposal)
    is_manager = user.has_perm("projects.manage", proposal)
    staff = is_manager or (user.has_perm("projects.review_proposal", proposal) and not is_town)
    assignments = list(proposal.assignments.all())
    own_assignment = next((a for a in assignments if a.member_id == user.pk), None)
    lines = list(proposal.budget_lines.all())
    actions = PROPOSAL.available(proposal, user)
    context = {
        "proposal": proposal,
        "call": proposal.call,
        "is_town": is_town,
        "is_manager": is_manager,
        "staff": staff,
        "status_label": proposal.staff_status if staff else proposal.public_status,
        # The running score: the manager, and a commission member once their own review is in
        "can_see_scores": user.has_perm("projects.view_scores", proposal),
        "lines": lines,
        "totals": selectors.budget_totals(lines),
        "problems": selectors.proposal_problems(proposal=proposal)
        if is_town and proposal.is_editable
        else [],
        "actions": [
            (t, TransitionForm(initial={"action": t.name}), t.input("note").required) for t in actions
        ],
        "history": selectors.proposal_history(proposal=proposal, staff=staff),
        "thread_open": proposal.status in workflow.THREAD_OPEN and (is_town or is_manager),
        "message_form": MessageForm(),
        "assignments": assignments if is_manager else [],
        "next_step": manager_next_step(proposal=proposal, assignments=assignments) if is_manager else None,
        "own_assignment": own_assignment,
        "assign_form": (
            AssignForm(
                members=selectors.commission_members().exclude(
                    profile__municipality_id=proposal.municipality_id
                ),
                initial={"members": [a.member_id for a in assignments]},
            )
            if is_manager and proposal.status in workflow.ASSIGNABLE
            else None
        ),
        "can_decide": user.has_perm("projects.decide", proposal)
        and proposal.status in workflow.AWAITING_DECISION,
        "evidence_rows": _evidence_rows(proposal.evidence, request.LANGUAGE_CODE),
        "evidence_period": _evidence_period(proposal.evidence),
    }
    return render(request, "projects/proposal.html", context)


def _evidence_period(evidence: dict) -> tuple[date, date] | None:
    try:
        return date.fromisoformat(evidence["since"]), date.fromisoformat(evidence["until"])
    except (KeyError, TypeError, ValueError):
        return None


def _evidence_rows(evidence: dict, language: str) -> list[dict]:
    confirmed = {"confirmed", "eliminated", "handed_over"}
    return [
        {
            "name": row["names"].get(language) or row["names"].get("en") or row["code"],
            "total": row["total"],
            "confirmed": sum(n for status, n in row["by_status"].items() if status in confirmed),
        }
        for row in (evidence or {}).get("rows", [])
    ]


def _line_initial(proposal: Proposal, blank: int) -> list[dict]:
    rows = [
        {
            "eligible_cost": line.eligible_cost_id,
            "item": line.item,
            "amount": line.amount,
            "cofinancing": line.cofinancing,
        }
        for line in proposal.budget_lines.all()
    ]
    return rows + [{} for _ in range(max(0, min(blank, MAX_BUDGET_LINES - len(rows))))]


def _blank_rows(request: HttpRequest) -> int:
    """How many empty budget rows the page shows: one, or what "Add a row" asked for (without JavaScript)."""
    try:
        return min(max(int(request.GET.get("rows", "")), 1), MAX_BUDGET_LINES)
    except ValueError:
        return 1


def _show_refusal(form, exc: ValidationError) -> list[str]:
    """A service's refusal on the draft form, each message at its field; the budget's messages are returned
    to be shown at the budget lines."""
    if not hasattr(exc, "error_dict"):
        add_form_errors(form, exc)
        return []
    errors = dict(exc.error_dict)
    budget = [str(message) for error in errors.pop(selectors.BUDGET, []) for message in error.messages]
    add_form_errors(form, ValidationError(errors))
    return budget


def _totals(lines, proposal: Proposal) -> selectors.BudgetTotals:
    """The budget's sums as the page shows them before any script runs: what was typed, else what is saved."""
    if lines.is_bound and lines.is_valid():
        rows = lines.rows()
        return selectors.budget_totals(
            [
                BudgetLine(amount=r.get("amount") or ZERO, cofinancing=r.get("cofinancing") or ZERO)
                for r in rows
            ]
        )
    return selectors.budget_totals(list(proposal.budget_lines.all()))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = found(selectors.proposal_for_page(pk=pk))
    check(request, "projects.edit_proposal", proposal)
    if not proposal.is_editable:
        messages.error(request, _("The proposal has been submitted and can no longer be changed."))
        return redirect("projects:proposal", pk=proposal.pk)
    costs = selectors.eligible_costs(call=proposal.call)
    budget_errors: list[str] = []
    if request.method == "POST":
        data = request.POST.copy()
        form = ProposalForm(data, instance=Proposal.objects.get(pk=proposal.pk))
        lines = BudgetLineFormSet(data, prefix="lines", form_kwargs={"costs": costs})
        if form.is_valid() and lines.is_valid():
            try:
                saved = services.proposal_update(
                    proposal=proposal,
                    actor=request.user,
                    fields=form.cleaned_data,
                    budget_lines=lines.rows(),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                budget_errors = _show_refusal(form, exc)
            else:
                if "add_row" in request.POST:  # without JavaScript: saved, and back with one more empty row
                    messages.success(request, _("The draft is saved."))
                    url = reverse("projects:proposal_edit", args=[proposal.pk])
                    return redirect(f"{url}?rows={lines.blank_count() + 1}#budget")
                if "submit" not in request.POST:
                    messages.success(request, _("The draft is saved."))
                    return redirect("projects:proposal", pk=proposal.pk)
                try:
                    services.proposal_submit(proposal=saved, actor=request.user)
                except ValidationError as exc:
                    # Saved: the page comes back with what was typed and each reason at its field
                    messages.error(request, _("The proposal was saved but not submitted yet:"))
                    budget_errors = _show_refusal(form, exc)
                    data["version"] = str(saved.version)
                else:
                    messages.success(
                        request, _("The proposal is submitted. The programme manager has been told.")
                    )
                    return redirect("projects:proposal", pk=proposal.pk)
    else:
        form = ProposalForm(instance=proposal, initial={"version": proposal.version})
        lines = BudgetLineFormSet(
            initial=_line_initial(proposal, _blank_rows(request)),
            prefix="lines",
            form_kwargs={"costs": costs},
        )
    context = {
        "proposal": proposal,
        "call": proposal.call,
        "form": form,
        "lines": lines,
        "budget_errors": budget_errors,
        "totals": _totals(lines, proposal),
        "max_lines": MAX_BUDGET_LINES,
        "evidence": selectors.report_evidence(municipality=proposal.municipality),
        "attachment_form": AttachmentForm(),
    }
    context["evidence_rows"] = _evidence_rows(context["evidence"], request.LANGUAGE_CODE)
    context["evidence_period"] = _evidence_period(context["evidence"])
    return render(
        request, "projects/proposal_form.html", context, status=400 if request.method == "POST" else 200
    )


def _submit(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    attempt(
        request,
        lambda: services.proposal_submit(proposal=proposal, actor=request.user),
        success=_("The proposal is submitted. The programme manager has been told."),
        failed=_("The proposal was saved but not submitted yet:"),
    )
    return redirect("projects:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    check(request, "projects.edit_proposal", proposal)
    return _submit(request, proposal)


@login_required
@require_POST
def proposal_act(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    check(request, "projects.view_proposal", proposal)
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        transition = PROPOSAL.transition(action)
        if action == "withdraw" and not confirmed(request):  # ask first; only the confirmed POST acts
            return confirm_page(
                request,
                question=_("Withdraw the proposal “%(title)s”?") % {"title": proposal.title},
                explanation=_("The town withdraws it for good: it will not be assessed or funded."),
                yes=_("Yes, withdraw the proposal"),
                no=_("No, keep it"),
                back=reverse("projects:proposal", args=[proposal.pk]),
                fields=[("action", action), ("note", form.cleaned_data["note"])],
            )
        attempt(  # a PermissionDenied goes through: 403
            request,
            lambda: services.proposal_transition(
                proposal=proposal, action=action, actor=request.user, note=form.cleaned_data["note"]
            ),
            success=transition.public_label if transition else None,
        )
    else:
        messages.error(request, _("The note is too long (at most 4000 characters)."))
    return redirect("projects:proposal", pk=proposal.pk)


@login_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    check(request, "projects.view_proposal", proposal)
    form = MessageForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.message_post(
                proposal=proposal,
                actor=request.user,
                body=form.cleaned_data["body"],
                submission_key=form.cleaned_data["submission_key"],
            ),
            success=_("The message was sent."),
        )
    else:
        for message in form.errors.get("body", []):
            messages.error(request, message)
    return redirect(reverse("projects:proposal", args=[proposal.pk]) + "#thread")


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    check(request, "projects.edit_proposal", proposal)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attempt(
            request,
            lambda: services.attachment_add(
                proposal=proposal, actor=request.user, upload=form.cleaned_data["file"]
            ),
            success=_("The file is attached."),
        )
    else:
        for message in form.errors.get("file", []):
            messages.error(request, message)
    return redirect(reverse("projects:proposal_edit", args=[proposal.pk]) + "#attachments")


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ProposalAttachment.objects.select_related("proposal"), pk=attachment_pk, proposal_id=pk
    )
    check(request, "projects.view_proposal", attachment.proposal)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type != "application/pdf",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        ProposalAttachment.objects.select_related("proposal"), pk=attachment_pk, proposal_id=pk
    )
    check(request, "projects.edit_proposal", attachment.proposal)
    back = reverse("projects:proposal_edit", args=[pk]) + "#attachments"
    if not confirmed(request):  # ask first; only the confirmed POST removes the file
        return confirm_page(
            request,
            question=_("Remove the file “%(name)s”?") % {"name": attachment.original_name},
            yes=_("Yes, remove the file"),
            no=_("No, keep it"),
            back=back,
        )
    attempt(
        request,
        lambda: services.attachment_delete(attachment=attachment, actor=request.user),
        success=_("The file was removed."),
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def final_report(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = found(selectors.proposal_for_page(pk=pk))
    check(request, "projects.edit_proposal", proposal)
    if proposal.status != Proposal.Status.IN_PROGRESS:
        messages.error(request, _("A final report is submitted while the project is in progress."))
        return redirect("projects:proposal", pk=proposal.pk)
    existing = getattr(proposal, "final_report", None)
    if request.method == "POST":
        form = FinalReportForm(request.POST)
        if form.is_valid():
            submitted, _report = attempt(
                request,
                lambda: services.final_report_submit(
                    proposal=proposal,
                    actor=request.user,
                    summary=form.cleaned_data["summary"],
                    results=form.cleaned_data["results"],
                    spent_amount=form.cleaned_data["spent_amount"],
                    cofinancing_spent=form.cleaned_data["cofinancing_spent"],
                ),
                form=form,
                success=_("The final report is submitted. Thank you."),
            )
            if submitted:
                return redirect("projects:proposal", pk=proposal.pk)
    else:
        initial = {}
        if existing is not None:
            initial = {
                "summary": existing.summary,
                "results": existing.results,
                "spent_amount": existing.spent_amount,
                "cofinancing_spent": existing.cofinancing_spent,
            }
        form = FinalReportForm(initial=initial)
    return render(
        request,
        "projects/final_report_form.html",
        {"proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    check(request, "projects.manage", proposal)
    form = AssignForm(request.POST, members=selectors.commission_members())
    if form.is_valid():
        attempt(
            request,
            lambda: services.assignments_set(
                proposal=proposal, members=list(form.cleaned_data["members"]), actor=request.user
            ),
            success=_("The reviewers are set."),
        )
    else:
        messages.error(request, _("Choose commission members from the list."))
    return redirect(reverse("projects:proposal", args=[pk]) + "#commission")
