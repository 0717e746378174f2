"""The Security Commission member's pages: their assignments, the conflict declaration and the review."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import NA, ConflictForm, ReviewForm
from ..models import Assignment
from . import attempt, check, found


@login_required
@require_GET
def commission(request: HttpRequest) -> HttpResponse:
    check(request, "projects.view_commission")
    assignments = list(selectors.assignments_of_member(user=request.user))
    return render(request, "projects/commission.html", {"assignments": assignments})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = found(selectors.proposal_for_page(pk=pk))
    check(request, "projects.review_proposal", proposal)
    assignment = found(selectors.assignment_of(proposal=proposal, user=request.user))
    criteria = list(proposal.call.criteria.all())
    conflict_form = review_form = None
    status = 200
    existing = getattr(assignment, "review", None)
    if assignment.conflict == Assignment.Conflict.UNDECLARED:
        conflict_form = ConflictForm(request.POST or None)
        if request.method == "POST" and conflict_form.is_valid():
            declared, declaration = attempt(
                request,
                lambda: services.conflict_declare(
                    assignment=assignment,
                    actor=request.user,
                    conflict=conflict_form.cleaned_data["conflict"],
                    note=conflict_form.cleaned_data["conflict_note"],
                ),
                form=conflict_form,
                success=_("Your declaration is recorded."),
            )
            if declared:
                if declaration.conflict == Assignment.Conflict.CONFLICT:
                    return redirect("projects:commission")  # the proposal is closed to them from now on
                return redirect("projects:review", pk=proposal.pk)
        status = 400 if request.method == "POST" else 200
    elif assignment.conflict == Assignment.Conflict.NONE:
        initial = {}
        if existing is not None:
            initial = {"recommendation": existing.recommendation, "comment": existing.comment}
            for score in existing.scores.all():
                initial[f"score_{score.criterion_id}"] = NA if score.value is None else str(score.value)
        review_form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
        if request.method == "POST":
            if review_form.is_valid():
                saved, _review = attempt(
                    request,
                    lambda: services.review_save(
                        assignment=assignment,
                        actor=request.user,
                        scores=review_form.scores(),
                        recommendation=review_form.cleaned_data["recommendation"],
                        comment=review_form.cleaned_data["comment"],
                    ),
                    form=review_form,
                    success=_("Your review is saved. You can change it while the proposal is in review."),
                )
                if saved:
                    return redirect("projects:commission")
            status = 400
    context = {
        "proposal": proposal,
        "assignment": assignment,
        "criteria": criteria,
        "conflict_form": conflict_form,
        "review_form": review_form,
        "existing": existing,
        "lines": list(proposal.budget_lines.all()),
    }
    return render(request, "projects/review_form.html", context, status=status)
