"""The audit's fieldwork pages: walking audits (route on the map or typed, stops with their checklist,
photos), police statistics uploads, private interview notes (the steering group only) and the public
consultation on the draft findings with its moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.web import add_form_errors, error_messages

from .. import audit_forms as f
from ..models import Audit, ConsultationComment, WalkPhoto, WalkSession, WalkStop
from ..services import fieldwork as fw
from ..workflow import AuditPhase
from .audit_staff import _audit


def _url(name, *args, anchor=""):
    return reverse(f"audits:{name}", args=args) + (f"#{anchor}" if anchor else "")


@login_required
def fieldwork(request, pk):
    audit = _audit(request, pk)
    walk_form = f.WalkForm(prefix="walk")
    police_form = f.PoliceFiguresForm(prefix="police")
    if request.method == "POST" and request.POST.get("form") == "walk":
        walk_form = f.WalkForm(request.POST, prefix="walk")
        if walk_form.is_valid():
            data = walk_form.cleaned_data
            try:
                walk = fw.walk_add(
                    actor=request.user,
                    audit=audit,
                    title=data["title"],
                    held_at=data["held_at"],
                    after_dark=data["after_dark"],
                    route=data["route"],
                    route_description=data["route_description"],
                    participants=walk_form.participants(),
                )
                messages.success(request, _("The walking audit was saved. Add its stops."))
                return redirect("audits:walk", audit.pk, walk.pk)
            except ValidationError as exc:
                add_form_errors(walk_form, exc)
    elif request.method == "POST" and request.POST.get("form") == "police":
        police_form = f.PoliceFiguresForm(request.POST, request.FILES, prefix="police")
        if police_form.is_valid():
            upload = police_form.cleaned_data["file"]
            try:
                figures = fw.police_figures_import(
                    actor=request.user,
                    audit=audit,
                    data=upload.read(fw.CSV_MAX_BYTES + 1),
                    filename=upload.name or "",
                    source=police_form.cleaned_data["source"],
                )
                messages.success(
                    request, _("%(count)d rows of police statistics saved.") % {"count": figures.rows.count()}
                )
                return redirect(_url("fieldwork", audit.pk, anchor="police"))
            except ValidationError as exc:
                add_form_errors(police_form, exc)
    open_phase = audit.phase in fw.FIELDWORK_PHASES
    return render(
        request,
        "audits/audit/fieldwork.html",
        {
            "audit": audit,
            "open_phase": open_phase,
            "walks": audit.walks.all(),
            "walk_form": walk_form,
            "police_form": police_form,
            "uploads": audit.police_figures.prefetch_related("rows"),
            "groups": fw.PARTICIPANT_GROUPS,
        },
    )


def _walk(request, pk, walk_pk) -> WalkSession:
    audit = _audit(request, pk)
    return get_object_or_404(
        WalkSession.objects.select_related("audit__municipality"), pk=walk_pk, audit=audit
    )


@login_required
def walk(request, pk, walk_pk):
    session = _walk(request, pk, walk_pk)
    audit = session.audit
    stop_form = f.StopForm(prefix="stop")
    if request.method == "POST" and request.POST.get("form") == "stop":
        stop_form = f.StopForm(request.POST, prefix="stop")
        if stop_form.is_valid():
            data = stop_form.cleaned_data
            try:
                fw.walk_stop_add(
                    actor=request.user,
                    walk=session,
                    label=data["label"],
                    checklist=stop_form.checklist(),
                    comment=data["comment"],
                    lat=data["lat"],
                    lon=data["lon"],
                )
                messages.success(request, _("The stop was added."))
                return redirect(_url("walk", audit.pk, session.pk, anchor="stops"))
            except ValidationError as exc:
                add_form_errors(stop_form, exc)
    stops = list(session.stops.prefetch_related("photos"))
    route = ";".join(f"{y:.6f},{x:.6f}" for x, y in session.route.coords) if session.route else ""
    return render(
        request,
        "audits/audit/walk.html",
        {
            "audit": audit,
            "walk": session,
            "stops": [
                (stop, [fw.RATINGS.get(stop.checklist.get(code), "") for code in fw.CHECKLIST])
                for stop in stops
            ],
            "route": route,
            "stop_form": stop_form,
            "photo_form": f.PhotoForm(),
            "open_phase": audit.phase in fw.FIELDWORK_PHASES,
            "checklist": list(fw.CHECKLIST.items()),
            "participants": [(fw.PARTICIPANT_GROUPS.get(k, k), n) for k, n in session.participants.items()],
        },
    )


@login_required
@require_POST
def walk_photo(request, pk, walk_pk, stop_pk):
    session = _walk(request, pk, walk_pk)
    stop = get_object_or_404(WalkStop, pk=stop_pk, walk=session)
    form = f.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo."))
    else:
        try:
            fw.walk_photo_add(actor=request.user, stop=stop, upload=form.cleaned_data["photo"])
            messages.success(request, _("The photo was added."))
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
    return redirect(_url("walk", pk, session.pk, anchor=f"stop-{stop.pk}"))


@login_required
def photo(request, pk, photo_pk):
    audit = _audit(request, pk)
    item = get_object_or_404(WalkPhoto, pk=photo_pk, stop__walk__audit=audit)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- private notes: the steering group ----


@login_required
def notes(request, pk):
    audit = get_object_or_404(Audit.objects.select_related("municipality"), pk=pk)
    if not request.user.has_perm("audits.view_private_notes", audit):
        raise PermissionDenied
    can_write = request.user.has_perm("audits.manage_audit", audit) and audit.phase in fw.FIELDWORK_PHASES
    form = f.NoteForm(prefix="note")
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = f.NoteForm(request.POST, prefix="note")
        if form.is_valid():
            try:
                fw.note_add(actor=request.user, audit=audit, **form.cleaned_data)
                messages.success(request, _("The notes were saved."))
                return redirect("audits:notes", audit.pk)
            except ValidationError as exc:
                add_form_errors(form, exc)
    response = render(
        request,
        "audits/audit/notes.html",
        {"audit": audit, "notes": audit.notes.all(), "form": form if can_write else None},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def member_link(request, pk, member_pk):
    audit = _audit(request, pk)
    member = get_object_or_404(audit.steering_group, pk=member_pk)
    form = f.MemberLinkForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["email"][0])
        fw.steering_member_link(actor=request.user, member=member, email=form.cleaned_data["email"])
        messages.success(request, _("The member's account was saved."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect(_url("audit", audit.pk, anchor="member"))


# --- the public consultation ----


@login_required
@require_POST
def consultation_set(request, pk):
    audit = _audit(request, pk)
    form = f.ConsultationForm(request.POST, prefix="consult")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        fw.consultation_set(actor=request.user, audit=audit, **form.cleaned_data)
        messages.success(request, _("The consultation window was saved."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect(_url("audit", audit.pk, anchor="consultation"))


@login_required
@require_POST
def comment_moderate(request, pk, comment_pk):
    audit = _audit(request, pk)
    comment = get_object_or_404(ConsultationComment, pk=comment_pk, audit=audit)
    try:
        fw.comment_moderate(actor=request.user, comment=comment, status=request.POST.get("status", ""))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect(_url("audit", audit.pk, anchor="consultation"))


def consultation(request, pk):
    """The public page of the draft findings while the consultation is open: approved comments and a form."""
    audit = get_object_or_404(Audit.objects.select_related("municipality"), pk=pk)
    if audit.phase not in (AuditPhase.DIAGNOSIS,) or not audit.consultation_opens_on:
        raise Http404
    is_open = fw.consultation_open(audit)
    form = f.CommentForm(audit=audit)
    if request.method == "POST":
        form = f.CommentForm(request.POST, audit=audit)
        if form.is_valid():
            try:
                fw.comment_add(
                    audit=audit,
                    text=form.cleaned_data["text"],
                    finding=form.cleaned_data["finding"],
                    ip=request.META.get("REMOTE_ADDR", ""),
                )
                messages.success(request, _("Thank you. Your comment will appear once it has been checked."))
                return redirect("audits:consultation", audit.pk)
            except ValidationError as exc:
                add_form_errors(form, exc)
    approved = audit.comments.filter(status=ConsultationComment.Status.APPROVED).select_related("finding")
    return render(
        request,
        "audits/audit/consultation.html",
        {
            "audit": audit,
            "findings": audit.findings.all(),
            "comments": approved,
            "form": form,
            "is_open": is_open,
        },
    )
