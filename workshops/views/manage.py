"""The organiser's pages: lists with filters and exports, check-in, the attendance sheet, messages, offers,
outputs and the publication. Every view asks for ``workshops.manage``."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.confirm import confirm_page, confirmed
from portal.exports import table_response
from portal.web import add_form_errors, redirect_next, safe_next

from .. import exporters, selectors, services
from .. import publication as renderer
from ..forms import (
    GoodPracticeForm,
    MessageForm,
    NominationFilterForm,
    OfferDecisionForm,
    OfferFilterForm,
    PublicationForm,
    RecommendationForm,
    RegistrationFilterForm,
    RegistrationForm,
    WorkshopForm,
)
from ..models import (
    GoodPractice,
    Initiative,
    PresentationOffer,
    Publication,
    Recommendation,
    Registration,
    Workshop,
)
from ..workflow import OFFER


def organiser_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("workshops.manage"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _initiative(code: str) -> Initiative:
    initiative = selectors.initiative_by_code(code)
    if initiative is None:
        raise Http404
    return initiative


def _workshop(pk: int) -> Workshop:
    item = selectors.workshop_detail(pk)
    if item is None:
        raise Http404
    return item


# --- initiative -----------------------------------------------------------------------------------------


@organiser_required
@require_GET
def initiative(request: HttpRequest, code: str) -> HttpResponse:
    item = _initiative(code)
    workshops = list(selectors.workshops_for_manage(item))
    for workshop in workshops:
        workshop.seats = selectors.seats_left(workshop)
    return render(
        request,
        "workshops/manage/initiative.html",
        {
            "initiative": item,
            "workshops": workshops,
            "nominations": selectors.nominations(initiative=item, status="active").count(),
        },
    )


@organiser_required
@require_GET
def nominations(request: HttpRequest, code: str) -> HttpResponse:
    item = _initiative(code)
    form = NominationFilterForm(request.GET or None, districts=selectors.nomination_districts(item))
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.nominations(
        initiative=item,
        status=filters.get("status", ""),
        district=filters.get("district", ""),
        q=filters.get("q", ""),
    )
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(exporters.nominations_table(item, rows), request.GET["format"])
    return render(
        request,
        "workshops/manage/nominations.html",
        {"initiative": item, "form": form, "rows": rows, "query": request.GET.urlencode()},
    )


# --- registrations --------------------------------------------------------------------------------------


@organiser_required
@require_GET
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    form = RegistrationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.registrations(
        workshop=item,
        status=filters.get("status", ""),
        organisation_type=filters.get("organisation_type", ""),
        q=filters.get("q", ""),
    )
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(exporters.registrations_table(item, rows), request.GET["format"])
    rows = list(rows)
    places = {}
    for waiting in selectors.waitlist(item):
        places.setdefault(waiting.partner_seat, []).append(waiting.pk)
    for row in rows:
        if row.status == Registration.Status.WAITLISTED:
            row.place = places[row.partner_seat].index(row.pk) + 1
    return render(
        request,
        "workshops/manage/registrations.html",
        {
            "workshop": item,
            "seats": selectors.seats_left(item),
            "form": form,
            "rows": rows,
            "query": request.GET.urlencode(),
            "tab": "registrations",
        },
    )


@organiser_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Registration, pk=pk)
    fallback = reverse("workshops:manage_registrations", args=[item.workshop_id])
    if not confirmed(request):
        back = safe_next(request, request.POST.get("next"), fallback)
        return confirm_page(
            request,
            question=_("Cancel the registration of %(name)s?") % {"name": item.full_name},
            explanation=_("They are told by email; a freed seat goes to the next person on the waitlist."),
            yes=_("Yes, cancel the registration"),
            no=_("No, keep it"),
            back=back,
            fields=[("next", back)],
        )
    try:
        promoted = services.registration_cancel(registration=item, actor=request.user, by_organiser=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("The registration of %(name)s is cancelled.") % {"name": item.full_name}
        if promoted:
            text += " " + _("From the waitlist: %(names)s.") % {
                "names": ", ".join(p.full_name for p in promoted)
            }
        messages.success(request, text)
    return redirect_next(request, fallback)


@organiser_required
@require_http_methods(["GET", "POST"])
def register_someone(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser registers a person (e.g. the partner country's delegates), also after the window."""
    item = _workshop(pk)
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                registration = services.registration_create(
                    workshop=item, actor=request.user, by_organiser=True, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered (%(status)s).")
                    % {"name": registration.full_name, "status": registration.get_status_display()},
                )
                return redirect("workshops:manage_registrations", pk=item.pk)
    else:
        form = RegistrationForm(initial={"language": item.initiative.language})
    return render(
        request,
        "workshops/register.html",
        {
            "workshop": item,
            "form": form,
            "registration_open": True,
            "by_organiser": True,
            "tab": "registrations",
        },
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    if request.method == "POST":
        form = WorkshopForm(request.POST, instance=Workshop.objects.get(pk=pk))
        if form.is_valid():
            try:
                _saved, promoted = services.workshop_update(
                    workshop=item, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                text = _("The workshop is saved.")
                if promoted:
                    text += " " + _("From the waitlist: %(names)s.") % {
                        "names": ", ".join(p.full_name for p in promoted)
                    }
                messages.success(request, text)
                return redirect("workshops:manage_registrations", pk=pk)
    else:
        form = WorkshopForm(instance=item)
    return render(
        request, "workshops/manage/workshop_edit.html", {"workshop": item, "form": form, "tab": "edit"}
    )


@organiser_required
@require_GET
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    q = request.GET.get("q", "")[:100]
    rows = selectors.attendance_list(item)
    if q:
        rows = rows.filter(full_name__icontains=q) | rows.filter(organisation__icontains=q)
    return render(
        request,
        "workshops/manage/check_in.html",
        {"workshop": item, "rows": rows.order_by("full_name", "pk"), "q": q, "tab": "check_in"},
    )


@organiser_required
@require_POST
def registration_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Registration, pk=pk)
    undo = request.POST.get("undo") == "1"
    try:
        services.registration_check_in(registration=item, actor=request.user, undo=undo)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("%(name)s: check-in taken back.") if undo else _("%(name)s is checked in."))
            % {"name": item.full_name},
        )
    return redirect_next(request, reverse("workshops:manage_check_in", args=[item.workshop_id]))


@organiser_required
@require_GET
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    pdf = renderer.attendance_sheet_pdf(workshop=item, rows=list(selectors.attendance_list(item)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="attendance-workshop-{item.number}.pdf"'
    return response


@organiser_required
@require_http_methods(["GET", "POST"])
def message(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                sent, created = services.workshop_message_send(
                    workshop=item, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("The message is on its way; recipients: %(count)d.") % {"count": sent.recipients},
                    )
                else:
                    messages.info(request, _("This message was already sent."))
                return redirect("workshops:manage_message", pk=pk)
    else:
        form = MessageForm()
    return render(
        request,
        "workshops/manage/message.html",
        {
            "workshop": item,
            "form": form,
            "sent": selectors.messages_sent(item),
            "tab": "message",
        },
    )


# --- offers ---------------------------------------------------------------------------------------------


@organiser_required
@require_GET
def offers(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    form = OfferFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = selectors.offers(workshop=item, status=status)
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(exporters.offers_table(item, rows), request.GET["format"])
    rows = list(rows)
    for row in rows:
        row.actions = OFFER.available(row, request.user)  # the decisions (the author withdraws elsewhere)
    return render(
        request,
        "workshops/manage/offers.html",
        {"workshop": item, "form": form, "rows": rows, "query": request.GET.urlencode(), "tab": "offers"},
    )


@organiser_required
@require_POST
def offer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        PresentationOffer.objects.select_related("workshop__initiative", "author"), pk=pk
    )
    form = OfferDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action; the message may have at most 2000 characters."))
    else:
        try:
            services.offer_transition(
                offer=offer,
                action=form.cleaned_data["action"],
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            messages.error(request, f"{offer.title}: " + " ".join(error.messages))
        else:
            messages.success(
                request,
                _("“%(title)s” is %(status)s.")
                % {"title": offer.title, "status": offer.get_status_display()},
            )
    return redirect_next(request, reverse("workshops:manage_offers", args=[offer.workshop_id]))


# --- outputs --------------------------------------------------------------------------------------------


@organiser_required
@require_http_methods(["GET", "POST"])
def outputs(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workshop(pk)
    practice_form, recommendation_form = GoodPracticeForm(prefix="gp"), RecommendationForm(prefix="rec")
    if request.method == "POST":
        if request.POST.get("kind") == "good_practice":
            practice_form = GoodPracticeForm(request.POST, prefix="gp")
            form, save = practice_form, services.good_practice_save
        else:
            recommendation_form = RecommendationForm(request.POST, prefix="rec")
            form, save = recommendation_form, services.recommendation_save
        if form.is_valid():
            try:
                save(workshop=item, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(
                    reverse("workshops:manage_outputs", args=[pk]) + f"#{request.POST.get('kind', '')}"
                )
    practices, recommendations = selectors.outputs(item)
    return render(
        request,
        "workshops/manage/outputs.html",
        {
            "workshop": item,
            "practices": practices,
            "recommendations": recommendations,
            "practice_form": practice_form,
            "recommendation_form": recommendation_form,
            "tab": "outputs",
        },
    )


def _output_edit(request: HttpRequest, obj, form_class, save, title: str) -> HttpResponse:
    workshop = _workshop(obj.workshop_id)
    if request.method == "POST":
        form = form_class(request.POST, instance=obj)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "submission_key"}
            try:
                save(workshop=workshop, actor=request.user, instance=obj, **data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("workshops:manage_outputs", pk=workshop.pk)
    else:
        form = form_class(instance=obj)
    return render(
        request,
        "workshops/manage/output_edit.html",
        {"workshop": workshop, "form": form, "title": title, "tab": "outputs"},
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def good_practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(GoodPractice, pk=pk)
    return _output_edit(request, obj, GoodPracticeForm, services.good_practice_save, _("Edit good practice"))


@organiser_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Recommendation, pk=pk)
    return _output_edit(
        request, obj, RecommendationForm, services.recommendation_save, _("Edit recommendation")
    )


@organiser_required
@require_POST
def output_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = {"good_practice": GoodPractice, "recommendation": Recommendation}.get(kind)
    if model is None:
        raise Http404
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        messages.info(request, _("It was already deleted."))
        return redirect("workshops:index")
    workshop_id = obj.workshop_id
    if not confirmed(request):
        name = obj.title if kind == "good_practice" else Truncator(obj.text).chars(60)
        return confirm_page(
            request,
            question=_("Delete “%(name)s”?") % {"name": name},
            explanation=_("This cannot be undone."),
            yes=_("Yes, delete it"),
            no=_("No, keep it"),
            back=reverse("workshops:manage_outputs", args=[workshop_id]),
        )
    services.output_delete(obj=obj, actor=request.user)
    messages.success(request, _("Deleted."))
    return redirect("workshops:manage_outputs", pk=workshop_id)


# --- the publication ------------------------------------------------------------------------------------


@organiser_required
@require_http_methods(["GET", "POST"])
def publication(request: HttpRequest, code: str) -> HttpResponse:
    item = _initiative(code)
    if request.method == "POST":
        form = PublicationForm(request.POST)
        if form.is_valid():
            edition, created = services.publication_request(
                initiative=item, language=form.cleaned_data["language"], actor=request.user
            )
            if created:
                messages.success(
                    request, _("The publication is being built. This page shows when it is ready.")
                )
            else:
                messages.info(request, _("This edition is already being built."))
            return redirect("workshops:publication_manage", code=code)
    else:
        form = PublicationForm(initial={"language": item.language})
    editions = list(selectors.publications(item))
    return render(
        request,
        "workshops/manage/publication.html",
        {
            "initiative": item,
            "form": form,
            "editions": editions,
            "building": [e for e in editions if e.in_progress],
        },
    )


@organiser_required
@require_GET
def publication_preview(request: HttpRequest, code: str) -> HttpResponse:
    item = _initiative(code)
    language = request.GET.get("language") or item.language
    if language not in dict(PublicationForm.base_fields["language"].choices):
        language = item.language
    context = renderer.publication_context(initiative=item, language=language)
    return render(
        request, "workshops/manage/publication_preview.html", {**context, "preview_language": language}
    )


@never_cache
@organiser_required
@require_GET
def publication_status(request: HttpRequest, pk: int) -> JsonResponse:
    edition = get_object_or_404(Publication, pk=pk)
    return JsonResponse(
        {
            "status": edition.status,
            "label": str(edition.get_status_display()),
            "progress": edition.progress,
            "done": not edition.in_progress,
        }
    )


@organiser_required
@require_GET
def publication_download(request: HttpRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(Publication.objects.select_related("initiative"), pk=pk)
    if edition.status != Publication.Status.DONE or not edition.file:
        raise Http404
    return FileResponse(
        edition.file.open("rb"), as_attachment=True, filename=edition.filename, content_type="application/pdf"
    )


@organiser_required
@require_POST
def publication_publish(request: HttpRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(Publication.objects.select_related("initiative"), pk=pk)
    try:
        services.publication_publish(
            publication=edition, actor=request.user, publish=request.POST.get("publish") != "0"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("workshops:publication_manage", code=edition.initiative.code)


@organiser_required
@require_POST
def publication_retry(request: HttpRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(Publication.objects.select_related("initiative"), pk=pk)
    try:
        running, retried = services.publication_retry(publication=edition, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if retried:
            messages.success(request, _("The publication is being built. This page shows when it is ready."))
        else:
            messages.info(request, _("This edition is already being built."))
    return redirect("workshops:publication_manage", code=edition.initiative.code)
