"""The audit cycle's staff pages (the town's audit coordinator: municipal staff of the audit's town): the
list, one page per audit with the forms of its phase, phase moves through the workflow, the evidence panel and
the report's PDF editions. Authorization is the services'; views refuse other towns' audits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.permissions import is_municipal_staff, user_profile
from portal.web import add_form_errors, error_messages

from .. import audit_forms as f
from .. import services
from ..charts import count_bars, month_chart
from ..evidence import audit_evidence_panel, months_param
from ..models import Action, Audit, AuditReport, ConsultationComment, SteeringMember
from ..report import audit_content, audit_fieldwork
from ..services import audit_reports
from ..services.audit_cycle import OPEN_PHASES
from ..workflow import AUDIT, AuditPhase


def _audit(request, pk) -> Audit:
    audit = get_object_or_404(Audit.objects.select_related("municipality"), pk=pk)
    if not request.user.has_perm("audits.manage_audit", audit):
        raise PermissionDenied
    return audit


@login_required
def audit_list(request):
    profile = user_profile(request.user)
    if not is_municipal_staff(request.user) or profile is None or not profile.municipality_id:
        raise PermissionDenied
    town = profile.municipality
    form = f.AuditCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_create(actor=request.user, municipality=town, **form.cleaned_data)
            messages.success(request, _("The audit was created. Set up its steering group and scope."))
            return redirect("audits:audit", audit.pk)
        except ValidationError as exc:
            add_form_errors(form, exc)
    audits = Audit.objects.filter(municipality=town).order_by("-starts_on", "pk")
    return render(request, "audits/audit/list.html", {"town": town, "audits": audits, "form": form})


FORMS = {
    # name: (form class, needs the audit, phases in which it is offered)
    "setup": (f.AuditSetupForm, True, OPEN_PHASES),
    "member": (f.MemberForm, False, OPEN_PHASES),
    "finding": (f.FindingForm, True, (AuditPhase.EVIDENCE, AuditPhase.DIAGNOSIS)),
    "priority": (f.PriorityForm, True, (AuditPhase.DIAGNOSIS,)),
    "action": (f.ActionForm, True, (AuditPhase.ACTION_PLAN,)),
    "indicator": (f.IndicatorForm, True, (AuditPhase.ACTION_PLAN,)),
}


def _save(name: str, form, request, audit: Audit):
    data = form.cleaned_data
    if name == "setup":
        return services.audit_update(actor=request.user, audit=audit, **data)
    if name == "member":
        return services.steering_member_add(actor=request.user, audit=audit, **data)
    if name == "finding":
        return services.finding_add(actor=request.user, audit=audit, **data)
    if name == "priority":
        return services.priority_add(actor=request.user, audit=audit, **data)
    if name == "action":
        return services.action_add(actor=request.user, **data)
    return services.indicator_add(actor=request.user, **data)


def _setup_initial(audit: Audit) -> dict:
    return {
        "title": audit.title,
        "themes": audit.themes,
        "area": audit.area,
        "starts_on": audit.starts_on,
        "report_due_on": audit.report_due_on,
        "reaudit_on": audit.reaudit_on,
        "waves": list(audit.waves.all()),
    }


# Lazy: read in the language of the request that shows them, not the one active when this module loaded
SAVED = {
    "setup": gettext_lazy("The set-up was saved."),
    "member": gettext_lazy("The member was added to the steering group."),
    "finding": gettext_lazy("The finding was added."),
    "priority": gettext_lazy("The priority was added."),
    "action": gettext_lazy("The action was added."),
    "indicator": gettext_lazy("The indicator was added."),
}


@login_required
def audit_detail(request, pk):
    audit = _audit(request, pk)
    forms = {}
    for name, (cls, with_audit, phases) in FORMS.items():
        if audit.phase not in phases:
            continue
        kwargs = {"prefix": name, **({"audit": audit} if with_audit else {})}
        if name == "setup":
            kwargs["initial"] = _setup_initial(audit)
        forms[name] = cls(**kwargs)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted:
        if posted not in forms:
            messages.error(
                request,
                _("This is not possible in the phase %(phase)s.") % {"phase": audit.get_phase_display()},
            )
            return redirect("audits:audit", audit.pk)
        cls, with_audit, _phases = FORMS[posted]
        form = cls(request.POST, prefix=posted, **({"audit": audit} if with_audit else {}))
        forms[posted] = form
        if form.is_valid():
            try:
                _save(posted, form, request, audit)
                messages.success(request, SAVED[posted])
                return redirect(audit_url(audit) + f"#{posted}")
            except ValidationError as exc:
                add_form_errors(form, exc)
    content = audit_content(audit)
    return render(
        request,
        "audits/audit/detail.html",
        {
            "audit": audit,
            "forms": forms,
            "actions": AUDIT.available(audit, request.user),
            "phases": [(value, label) for value, label in AuditPhase.choices],
            "reports": list(audit.reports.all()[:10]),
            "report_form": f.ReportLanguageForm(initial={"language": request.LANGUAGE_CODE}),
            "status_choices": Action.Status.choices,
            "can_report": audit.phase in (AuditPhase.REPORT, AuditPhase.PUBLISHED),
            "consultation_form": f.ConsultationForm(
                prefix="consult",
                initial={"opens_on": audit.consultation_opens_on, "closes_on": audit.consultation_closes_on},
            ),
            "pending": list(
                audit.comments.filter(status=ConsultationComment.Status.PENDING).select_related("finding")[
                    :100
                ]
            ),
            **content,
        },
    )


@login_required
@require_POST
def audit_action(request, pk, action):
    audit = _audit(request, pk)
    try:
        services.audit_transition(
            audit=audit, action=action, actor=request.user, expected_version=_int(request.POST.get("version"))
        )
        audit.refresh_from_db()
        messages.success(
            request, _("The audit is now in the phase %(phase)s.") % {"phase": audit.get_phase_display()}
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect("audits:audit", audit.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    audit = _audit(request, pk)
    member = get_object_or_404(SteeringMember, pk=member_pk, audit=audit)
    try:
        services.steering_member_remove(actor=request.user, member=member)
        messages.success(request, _("The member was removed from the steering group."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect("audits:audit", audit.pk)


@login_required
@require_POST
def action_status(request, pk, action_pk):
    audit = _audit(request, pk)
    action = get_object_or_404(Action.objects.select_related("priority"), pk=action_pk, priority__audit=audit)
    form = f.ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect("audits:audit", audit.pk)
    services.action_set_status(actor=request.user, action=action, status=form.cleaned_data["status"])
    messages.success(request, _("The action's status was saved."))
    return redirect(audit_url(audit) + "#plan")


@login_required
def evidence(request, pk):
    audit = _audit(request, pk)
    panel = audit_evidence_panel(audit=audit, months=months_param(request.GET.get("months")))
    return render(
        request,
        "audits/audit/evidence.html",
        {
            "audit": audit,
            "panel": panel,
            "link_waves": True,
            "groups_svg": count_bars(
                [(g.label, g.per_1000 if g.per_1000 is not None else g.count) for g in panel.groups],
                title=_("Reports per 1 000 residents by category group"),
            ),
            "months_svg": month_chart(panel.reports.months, title=_("Reports per month")),
            **audit_fieldwork(audit),
        },
    )


@login_required
@require_POST
def report_request(request, pk):
    audit = _audit(request, pk)
    form = f.ReportLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language from the list."))
        return redirect("audits:audit", audit.pk)
    try:
        report, created = audit_reports.audit_report_request(
            actor=request.user, audit=audit, language=form.cleaned_data["language"]
        )
        if created:
            messages.success(request, _("The report is being built. Reload this page in a moment."))
        else:
            messages.info(request, _("An edition of the report in this language is already being built."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect(audit_url(audit) + "#report")


def audit_url(audit) -> str:
    return reverse("audits:audit", args=[audit.pk])


@login_required
def report_download(request, pk, report_pk):
    audit = _audit(request, pk)
    report = get_object_or_404(AuditReport, pk=report_pk, audit=audit, status=AuditReport.Status.DONE)
    return _pdf(report)


def _pdf(report: AuditReport):
    if not report.file:
        raise Http404
    response = FileResponse(report.file.open("rb"), content_type="application/pdf", filename=report.filename)
    response["Content-Disposition"] = f'inline; filename="{report.filename}"'
    return response
