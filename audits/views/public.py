"""Answering a survey (phone-friendly, without JavaScript except the map) and the published results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import exports
from portal.web import add_form_errors, error_messages

from .. import selectors, services
from ..charts import bar_chart, hexagon_svg, trend_chart
from ..forms import CodeForm, DistrictForm, QuestionForm, TownForm
from ..workflow import WaveStatus

COOKIE_DAYS = 60


def _cookie(wave) -> str:
    return f"survey_{wave.pk}"


def _wave_or_404(pk):
    wave = selectors.wave_get(pk)
    if wave is None or wave.status == WaveStatus.DRAFT:
        raise Http404
    return wave


def _device_token(request, wave) -> str:
    return request.COOKIES.get(_cookie(wave), "") or getattr(request, "_survey_token", "")


def _with_cookie(response, wave, token):
    response.set_cookie(_cookie(wave), token, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax")
    return response


def index(request):
    return render(
        request,
        "audits/index.html",
        {"open_waves": selectors.waves_open(), "published": selectors.waves_published()},
    )


@require_http_methods(["GET", "POST"])
def start(request, pk):
    """The wave's front door: a code from the letter, or (open web) the town; resumes a started response."""
    wave = _wave_or_404(pk)
    existing = selectors.response_on_device(
        wave=wave, device_hash=services.device_hash(_device_token(request, wave))
    )
    if existing is not None and wave.is_open:
        return redirect("audits:done" if existing.submitted else "audits:answer", wave.pk)
    code_form = CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    town_form = TownForm(
        request.POST if request.method == "POST" and "municipality" in request.POST else None,
        towns=wave.municipalities.all(),
    )
    if request.method == "POST":
        token = services.new_device_token()
        ip = request.META.get("REMOTE_ADDR", "")
        form = code_form if "code" in request.POST else town_form
        try:
            if form.is_valid():
                if form is code_form:
                    services.response_start_with_code(
                        wave=wave, code=form.cleaned_data["code"], device_token=token, ip=ip
                    )
                else:
                    services.response_start_web(
                        wave=wave, municipality=form.cleaned_data["municipality"], device_token=token, ip=ip
                    )
                return _with_cookie(redirect("audits:district", wave.pk), wave, token)
        except ValidationError as exc:
            add_form_errors(form, exc)
    return render(
        request, "audits/start.html", {"wave": wave, "code_form": code_form, "town_form": town_form}
    )


def _current(request, wave):
    response = selectors.response_on_device(
        wave=wave, device_hash=services.device_hash(_device_token(request, wave))
    )
    if response is None:
        return None
    return response


@require_http_methods(["GET", "POST"])
def district(request, pk):
    wave = _wave_or_404(pk)
    response = _current(request, wave)
    if response is None:
        return redirect("audits:start", wave.pk)
    if response.submitted:
        return redirect("audits:done", wave.pk)
    districts = selectors.wave_districts(wave).get(response.municipality_id, [])
    form = DistrictForm(request.POST or None, districts=districts, initial={"district": response.district_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.response_set_district(response=response, district_id=form.cleaned_data["district"])
            return redirect("audits:answer", wave.pk)
        except ValidationError as exc:
            add_form_errors(form, exc)
    return render(request, "audits/district.html", {"wave": wave, "form": form, "response": response})


@require_http_methods(["GET", "POST"])
def answer(request, pk):
    """One question per page; ``?q=N`` goes back to question N. Answers are saved at each step, so the
    respondent can stop and come back on the same device."""
    wave = _wave_or_404(pk)
    response = _current(request, wave)
    if response is None:
        return redirect("audits:start", wave.pk)
    if response.submitted:
        return redirect("audits:done", wave.pk)
    questions = selectors.wave_questions(wave)
    answered = selectors.answered_question_ids(response)
    try:
        index = int(request.GET.get("q") or request.POST.get("q") or 0)
    except ValueError:
        index = 0
    if not 1 <= index <= len(questions):
        index = next((i for i, q in enumerate(questions, 1) if q.pk not in answered), 0)
        if index == 0:
            return redirect("audits:review", wave.pk)
    question = questions[index - 1]
    districts = selectors.wave_districts(wave).get(response.municipality_id, [])
    if request.method == "POST":
        form = QuestionForm(request.POST, question=question, districts=districts)
        if form.is_valid():
            try:
                services.answer_save(response=response, question=question, data=form.data_for_service())
                if index < len(questions):
                    return redirect(f"{reverse('audits:answer', args=[wave.pk])}?q={index + 1}")
                return redirect("audits:review", wave.pk)
            except ValidationError as exc:
                for message in error_messages(exc):
                    form.add_error(None, message)
    else:
        form = QuestionForm(question=question, districts=districts, initial=_initial(response, question))
    return render(
        request,
        "audits/question.html",
        {
            "wave": wave,
            "form": form,
            "question": question,
            "index": index,
            "count": len(questions),
            "progress": round(100 * (index - 1) / len(questions)),
            "map_question": question.kind == "map",
        },
    )


def _initial(response, question) -> dict:
    rows = selectors.answers_of(response, question)
    initial = {"value": "", "values": [], "points": ""}
    for row in rows:
        if row.row:
            initial[f"grid_{row.row}"] = row.option
        elif row.point is not None:
            initial["points"] = ";".join(
                filter(None, [initial["points"], f"{row.point.x:.6f},{row.point.y:.6f}"])
            )
        elif row.option:
            initial["values"].append(row.option)
            initial["value"] = row.option
            initial["district"] = row.option
        elif row.number is not None:
            initial["value"] = str(row.number)
        else:
            initial["value"] = row.text
    return initial


@require_http_methods(["GET", "POST"])
def review(request, pk):
    wave = _wave_or_404(pk)
    response = _current(request, wave)
    if response is None:
        return redirect("audits:start", wave.pk)
    if response.submitted:
        return redirect("audits:done", wave.pk)
    questions = selectors.wave_questions(wave)
    answered = selectors.answered_question_ids(response)
    errors = []
    if request.method == "POST":
        try:
            services.response_submit(response=response)
            return redirect("audits:done", wave.pk)
        except ValidationError as exc:
            errors = error_messages(exc)
    return render(
        request,
        "audits/review.html",
        {
            "wave": wave,
            "rows": [(i, q, q.pk in answered) for i, q in enumerate(questions, 1)],
            "errors": errors,
        },
    )


def done(request, pk):
    wave = _wave_or_404(pk)
    response = _current(request, wave)
    return render(
        request, "audits/done.html", {"wave": wave, "submitted": bool(response and response.submitted)}
    )


def _results_visible(request, wave) -> bool:
    if wave.status == WaveStatus.PUBLISHED:
        return True
    return wave.status == WaveStatus.CLOSED and request.user.has_perm("audits.manage_wave", wave)


def results(request, pk):
    wave = _wave_or_404(pk)
    if not _results_visible(request, wave):
        return render(request, "audits/results_unavailable.html", {"wave": wave}, status=200)
    data = selectors.wave_results(wave)
    headline = next((q for q in data.questions if q.headline), data.questions[0] if data.questions else None)
    charts = []
    for town in data.towns:
        if headline is None:
            break
        bars = [
            (c.district, None if c.suppressed else c.estimates.get(headline.code)) for c in town.districts
        ]
        charts.append(
            (
                town,
                bar_chart(
                    bars,
                    title=_("%(question)s — %(town)s")
                    % {"question": headline.label(), "town": town.cell.town},
                ),
            )
        )
    trend = selectors.wave_trend(wave)
    if len({row["wave"].pk for row in trend}) < 2:
        trend = []  # a trend needs at least two published waves
    return render(
        request,
        "audits/results.html",
        {
            "wave": wave,
            "results": data,
            "headline": headline,
            "charts": charts,
            "trend": trend,
            "trend_svg": trend_chart(trend) if trend else "",
            "hexagons_svg": hexagon_svg(data.hexagons),
            "can_see_raw": request.user.has_perm("audits.view_raw_answers", wave),
        },
    )


def results_export(request, pk, fmt):
    wave = _wave_or_404(pk)
    if not _results_visible(request, wave):
        raise Http404
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = selectors.wave_results(wave).rows()
    table = exports.Table(
        name=f"survey-{wave.pk}-results",
        header=[
            _("level"),
            _("town"),
            _("district"),
            _("question"),
            "n",
            _("share"),
            _("lower bound"),
            _("upper bound"),
            _("suppressed"),
        ],
        rows=[
            [
                r["level"],
                r["town"],
                r["district"],
                r["question"],
                r["n"],
                r["share"],
                r["low"],
                r["high"],
                r["suppressed"],
            ]
            for r in rows
        ],
    )
    return exports.table_response(table, fmt, private=False)


@require_POST
def forget_device(request, pk):
    """Start again on a shared device (an interviewer's tablet): forget this browser's response cookie."""
    wave = _wave_or_404(pk)
    response = redirect("audits:start", wave.pk)
    response.delete_cookie(_cookie(wave))
    if not request.user.has_perm("audits.enter_interview", wave):
        raise PermissionDenied
    messages.info(request, _("Ready for the next interview."))
    return response
