"""Pages of the survey methodologist (a wave's set-up, workflow, letters, weights, raw answers) and of the
interviewer (entering an interview on their own device)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import exports
from portal.web import add_form_errors, error_messages

from .. import selectors, services
from ..forms import InvitationsForm, PopulationSharesForm, TownForm
from ..models import Wave
from ..workflow import WAVE
from .public import _with_cookie


@login_required
def manage(request):
    if not request.user.has_perm("audits.manage_surveys"):
        raise PermissionDenied
    waves = Wave.objects.filter(methodologists=request.user).prefetch_related("municipalities")
    return render(request, "audits/manage.html", {"waves": waves})


def _managed_wave(request, pk) -> Wave:
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404
    if not request.user.has_perm("audits.manage_wave", wave):
        raise PermissionDenied
    return wave


@login_required
def wave_detail(request, pk):
    wave = _managed_wave(request, pk)
    towns = wave.municipalities.all()
    invitations_form = InvitationsForm(towns=towns, prefix="inv")
    shares_form = PopulationSharesForm(prefix="pop")
    if request.method == "POST" and "inv-count" in request.POST:
        invitations_form = InvitationsForm(request.POST, towns=towns, prefix="inv")
        if invitations_form.is_valid():
            try:
                batch, _codes = services.invitations_generate(
                    actor=request.user,
                    wave=wave,
                    municipality=invitations_form.cleaned_data["municipality"],
                    count=invitations_form.cleaned_data["count"],
                )
                messages.success(
                    request, _("%(count)d invitation letters are ready.") % {"count": batch.count}
                )
                return redirect("audits:wave", wave.pk)
            except ValidationError as exc:
                add_form_errors(invitations_form, exc)
    elif request.method == "POST" and "pop-source" in request.POST:
        shares_form = PopulationSharesForm(request.POST, request.FILES, prefix="pop")
        if shares_form.is_valid():
            try:
                cells = services.wave_population_shares_import(
                    actor=request.user,
                    wave=wave,
                    data=shares_form.cleaned_data["file"].read(),
                    source=shares_form.cleaned_data["source"],
                )
                messages.success(request, _("Population shares of %(count)d cells saved.") % {"count": cells})
                return redirect("audits:wave", wave.pk)
            except ValidationError as exc:
                add_form_errors(shares_form, exc)
    return render(
        request,
        "audits/wave.html",
        {
            "wave": wave,
            "actions": WAVE.available(wave, request.user),
            "state": WAVE.label(wave.status),
            "batches": wave.batches.defer("pdf"),
            "invitations_form": invitations_form,
            "shares_form": shares_form,
            "responses": wave.responses.filter(submitted=True).count(),
        },
    )


@login_required
@require_POST
def wave_action(request, pk, action):
    wave = _managed_wave(request, pk)
    try:
        services.wave_transition(
            wave=wave, action=action, actor=request.user, expected_version=_int(request.POST.get("version"))
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect("audits:wave", wave.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def letters(request, pk, number):
    wave = _managed_wave(request, pk)
    batch = wave.batches.filter(number=number).first()
    if batch is None or not batch.pdf:
        raise Http404
    response = HttpResponse(bytes(batch.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invitations-{wave.pk}-{batch.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def raw_answers(request, pk):
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404
    if not request.user.has_perm("audits.view_raw_answers", wave):
        raise PermissionDenied
    rows = (
        [r, mode, town, district, cell, q, row, option, number, text, f"{p.x:.6f},{p.y:.6f}" if p else None]
        for r, mode, town, district, cell, q, row, option, number, text, p in selectors.raw_answers(wave)
    )
    table = exports.Table(
        name=f"survey-{wave.pk}-answers",
        header=[
            "response",
            "mode",
            "town",
            "district",
            "cell",
            "question",
            "row",
            "option",
            "number",
            "text",
            "point",
        ],
        rows=rows,
    )
    return exports.csv_response(table, streaming=True)


@login_required
def interviews(request):
    waves = [w for w in selectors.waves_open() if request.user.has_perm("audits.enter_interview", w)]
    if not waves and not request.user.has_perm("audits.manage_surveys"):
        from ..rules import is_survey_interviewer

        if not is_survey_interviewer(request.user):
            raise PermissionDenied
    return render(request, "audits/interviews.html", {"waves": waves})


@login_required
@require_POST
def interview_start(request, pk):
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404
    form = TownForm(request.POST, towns=wave.municipalities.all())
    if not form.is_valid():
        messages.error(request, _("Choose your town."))
        return redirect("audits:interviews")
    try:
        response = services.response_start_interview(
            wave=wave, municipality=form.cleaned_data["municipality"], interviewer=request.user
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("audits:interviews")
    # The interviewer's browser carries the response like a respondent's would
    token = services.new_device_token()
    type(response).objects.filter(pk=response.pk).update(device_hash=services.device_hash(token))
    return _with_cookie(redirect("audits:district", wave.pk), wave, token)
