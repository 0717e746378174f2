"""Pages for everybody: the workshops, registration and its self-service link, presentation offers,
nominations, and the published edition of the publication."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.confirm import confirm_page, confirmed
from portal.services import profile_ensure
from portal.web import add_form_errors

from .. import selectors, services
from ..forms import NominationForm, OfferForm, RegistrationForm
from ..models import OrganisationType, PresentationOffer, Registration, Workshop
from ..workflow import OfferStatus


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    initiatives = list(selectors.initiatives_with_workshops())
    now = timezone.now()
    for initiative in initiatives:
        for workshop in initiative.workshops.all():
            workshop.seats = selectors.seats_left(workshop)
            workshop.is_open = workshop.registration_open(now)
    return render(
        request,
        "workshops/index.html",
        {
            "initiatives": initiatives,
            "can_manage": request.user.has_perm("workshops.manage"),
            "can_offer": request.user.has_perm("workshops.offer_presentation"),
        },
    )


@require_GET
def workshop(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.workshop_detail(pk)
    if item is None:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "workshops/workshop.html",
        {
            "workshop": item,
            "seats": selectors.seats_left(item),
            "registration": selectors.user_registration(workshop=item, user=request.user),
            "registration_open": item.registration_open(now),
            "offers_open": item.offers_open(now),
            "can_register": request.user.has_perm("workshops.register"),
            "can_manage": request.user.has_perm("workshops.manage"),
            "can_offer": request.user.has_perm("workshops.offer_presentation"),
        },
    )


def _registration_initial(user) -> dict:
    profile = profile_ensure(user=user)
    initial = {"full_name": profile.full_name, "email": user.email, "language": profile.language}
    if profile.partner_body_id:
        initial.update(
            organisation=profile.partner_body.name, organisation_type=OrganisationType.MUNICIPAL_POLICE
        )
    elif profile.police_unit_id:
        initial.update(organisation=profile.police_unit.name, organisation_type=OrganisationType.STATE_POLICE)
    elif profile.municipality_id:
        initial.update(organisation=profile.municipality.name, organisation_type=OrganisationType.TOWN)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Workshop.objects.select_related("initiative"), pk=pk)
    if not request.user.has_perm("workshops.register"):
        raise PermissionDenied
    existing = selectors.user_registration(workshop=item, user=request.user)
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                registration = services.registration_create(
                    workshop=item, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                if registration.status == Registration.Status.CONFIRMED:
                    messages.success(
                        request, _("You are registered. The confirmation is on its way by email.")
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "The workshop is full: you are on the waitlist. "
                            "We will email you if a seat frees up."
                        ),
                    )
                return redirect("workshops:registration", token=registration.cancel_token)
    else:
        form = RegistrationForm(initial=_registration_initial(request.user))
    return render(
        request,
        "workshops/register.html",
        {
            "workshop": item,
            "form": form,
            "existing": existing,
            "registration_open": item.registration_open(),
            "by_organiser": False,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def registration(request: HttpRequest, token: str) -> HttpResponse:
    """The self-service page of a registration, reached through the secret link in the emails: its state,
    the place on the waitlist, the calendar file (for a confirmed place), and cancellation (a POST: link
    scanners only GET; the first POST asks, only the confirmed one cancels)."""
    item = selectors.registration_by_token(token)
    if item is None:
        raise Http404
    if request.method == "POST" and not confirmed(request) and item.status != Registration.Status.CANCELLED:
        return confirm_page(
            request,
            question=_("Cancel your registration for %(workshop)s?") % {"workshop": item.workshop},
            explanation=_("Your seat goes to the next person on the waitlist. This cannot be undone.")
            if item.status == Registration.Status.CONFIRMED
            else _("You leave the waitlist. This cannot be undone."),
            yes=_("Yes, cancel my registration"),
            no=_("No, keep it"),
            back=reverse("workshops:registration", args=[token]),
        )
    if request.method == "POST":
        try:
            services.registration_cancel(registration=item, actor=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
        return redirect("workshops:registration", token=token)
    return render(
        request,
        "workshops/registration.html",
        {
            "registration": item,
            "workshop": item.workshop,
            "place": selectors.waitlist_place(item),
            "token": token,
            # A calendar entry only for a confirmed place: a place on the waitlist is no appointment.
            "has_calendar": item.status == Registration.Status.CONFIRMED and item.workshop.held_on,
            "can_cancel": item.status in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
            and not (item.workshop.starts_at and item.workshop.starts_at <= timezone.now()),
        },
    )


@require_GET
def registration_ics(request: HttpRequest, token: str) -> HttpResponse:
    item = selectors.registration_by_token(token)
    if item is None or item.workshop.held_on is None or item.status != Registration.Status.CONFIRMED:
        raise Http404  # no calendar entry for a place on the waitlist (nor a cancelled one)
    response = HttpResponse(services.registration_ics(item), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{item.workshop.number}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("workshops.offer_presentation"):
        raise PermissionDenied
    workshops = selectors.workshops_open_for_offers()
    if request.method == "POST":
        form = OfferForm(request.POST, workshops=workshops)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.offer_submit(author=request.user, **data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Thank you: your offer was sent to the organisers."))
                return redirect("workshops:my")
    else:
        profile = profile_ensure(user=request.user)
        form = OfferForm(
            workshops=workshops,
            initial={
                "workshop": request.GET.get("workshop"),
                "speaker_name": profile.full_name,
                "speaker_email": request.user.email,
            },
        )
    return render(
        request, "workshops/offer_form.html", {"form": form, "offer": None, "no_workshops": not workshops}
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(PresentationOffer.objects.select_related("workshop__initiative"), pk=pk)
    if not request.user.has_perm("workshops.change_offer", offer):
        raise PermissionDenied
    editable = offer.status == OfferStatus.SUBMITTED and offer.workshop.offers_open()
    workshops = Workshop.objects.filter(pk=offer.workshop_id).select_related("initiative")
    if request.method == "POST" and editable:
        form = OfferForm(request.POST, instance=offer, workshops=workshops)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("submission_key", "workshop")}
            try:
                services.offer_update(offer=offer, actor=request.user, **data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Your offer is saved."))
                return redirect("workshops:my")
    else:
        form = OfferForm(instance=offer, workshops=workshops)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "workshops/offer_form.html", {"form": form, "offer": offer, "editable": editable})


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(PresentationOffer, pk=pk)
    if not request.user.has_perm("workshops.change_offer", offer):
        raise PermissionDenied
    if not confirmed(request):
        return confirm_page(
            request,
            question=_("Withdraw your offer “%(title)s”?") % {"title": offer.title},
            yes=_("Yes, withdraw the offer"),
            no=_("No, keep it"),
            back=reverse("workshops:my"),
        )
    try:
        services.offer_withdraw(offer=offer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your offer is withdrawn."))
    return redirect("workshops:my")


@login_required
@require_GET
def my(request: HttpRequest) -> HttpResponse:
    registrations = list(selectors.user_registrations(request.user))
    return render(
        request,
        "workshops/my.html",
        {
            "registrations": registrations,
            "offers": selectors.user_offers(request.user),
            "can_offer": request.user.has_perm("workshops.offer_presentation"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination(request: HttpRequest, code: str) -> HttpResponse:
    initiative = selectors.initiative_by_code(code)
    if initiative is None:
        raise Http404
    municipality = profile_ensure(user=request.user).municipality
    if municipality is None or not request.user.has_perm("workshops.nominate", municipality):
        raise PermissionDenied(_("Only the staff of a municipality can nominate its representative."))
    current = selectors.active_nomination(initiative=initiative, municipality=municipality)
    is_open = initiative.nominations_open()
    if request.method == "POST" and is_open:
        if request.POST.get("action") == "withdraw" and current is not None:
            if not confirmed(request):
                return confirm_page(
                    request,
                    question=_("Withdraw the nomination of %(name)s?")
                    % {"name": current.representative_name},
                    explanation=_("Your town will have no representative until you nominate somebody again."),
                    yes=_("Yes, withdraw the nomination"),
                    no=_("No, keep it"),
                    back=reverse("workshops:nomination", args=[code]),
                    fields=[("action", "withdraw")],
                )
            try:
                services.nomination_withdraw(nomination=current, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The nomination is withdrawn."))
            return redirect("workshops:nomination", code=code)
        form = NominationForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.nomination_save(
                    initiative=initiative, municipality=municipality, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The nomination is saved. You can change it until the deadline."))
                return redirect("workshops:nomination", code=code)
    else:
        form = NominationForm(instance=current)
    if not is_open:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "workshops/nomination.html",
        {
            "initiative": initiative,
            "municipality": municipality,
            "form": form,
            "current": current,
            "is_open": is_open,
        },
    )


@require_GET
def publication_latest(request: HttpRequest, code: str) -> HttpResponse:
    initiative = selectors.initiative_by_code(code)
    publication = selectors.latest_published(initiative) if initiative else None
    if publication is None or not publication.file:
        raise Http404
    return FileResponse(
        publication.file.open("rb"),
        as_attachment=True,
        filename=publication.filename,
        content_type="application/pdf",
    )
