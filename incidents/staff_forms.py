"""Forms of the staff pages (queue, report page, dashboard): they parse input and leave every decision to
``services.report_transition`` and the selectors."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.widgets import QuickSelect

from . import selectors
from .models import Category, Report
from .workflow import MAX_ANSWER, MAX_NOTE, Status, Transition

MAX_BULK = 100

ALL_STATUSES = "all"


class QueueFilterForm(forms.Form):
    """The queue's filters (a GET form). Also used by the exports, so they export what the queue shows."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=selectors.MAX_SEARCH,
        help_text=_("Reference, words of the description, district or municipality."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    # Choices from one plain query (a ModelChoiceField reads them through a server-side cursor on PostgreSQL:
    # three round trips per page)
    district = forms.TypedChoiceField(
        label=_("District"), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Open (to be worked on)")),
            (ALL_STATUSES, _("All statuses")),
            *Status.choices,
        ]
        categories = Category.objects.order_by("group", "sort_order", "code")
        self.fields["category"].choices = [("", _("All categories"))] + [(c.code, c.name) for c in categories]
        districts = selectors.staff_districts(user).order_by("name").values_list("pk", "name")
        self.fields["district"].choices = [("", _("All districts")), *districts]

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.staff_queue``; invalid values are ignored (see ``errors``)."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or ""
        district = data.get("district")
        return {
            "status": None if status in ("", ALL_STATUSES) else status,
            "open_only": status != ALL_STATUSES,
            "category": data.get("category") or None,
            "district": district,
            "overdue_only": bool(data.get("overdue")),
            "search": (data.get("q") or "").strip() or None,
        }


class ReportIdsField(forms.Field):
    """A list of report ids (checkboxes named ``report``). Which of them the user may act on is for the
    service to decide, report by report."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                message = _("The selection was not understood. Please try again.")
                raise forms.ValidationError(message) from None
        return list(dict.fromkeys(ids))

    def validate(self, value) -> None:
        if not value:
            raise forms.ValidationError(_("Tick at least one report to take up."))
        if len(value) > MAX_BULK:
            raise forms.ValidationError(
                _("At most %(max)d reports can be taken up at once.") % {"max": MAX_BULK}
            )


class BulkTakeUpForm(forms.Form):
    """The reports ticked in the queue."""

    report = ReportIdsField()
    next = forms.CharField(required=False)


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return selectors.person_name(obj)


class ActionForm(forms.Form):
    """One workflow action on one report. Each action's form has its own prefix, so the page can hold one
    form per allowed action with unique field ids."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    public_answer = forms.CharField(
        label=_("Public answer"),
        required=False,
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the reporter and, for public categories, on the public map."),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen by the police only."),
    )

    def __init__(self, *args, transition: Transition, report: Report, **kwargs):
        """The fields are the transition's declared inputs (``workflow.TRANSITIONS``): which are required,
        their wording for this step, the choices for the objects it needs."""
        kwargs.setdefault("prefix", transition.name)
        kwargs.setdefault("initial", {"version": report.version})
        super().__init__(*args, **kwargs)
        self.transition = transition
        answer = transition.input("public_answer")
        if answer is not None and answer.required:
            self.fields["public_answer"].required = True
            self.fields["public_answer"].label = _("Public answer (required)")
            self.fields["public_answer"].error_messages["required"] = answer.required_message
        note = transition.input("internal_note")
        if note is not None:
            self.fields["internal_note"].label = note.label or self.fields["internal_note"].label
            self.fields["internal_note"].help_text = note.help_text or self.fields["internal_note"].help_text
        partner_body = transition.input("partner_body")
        if partner_body is not None:
            targets = selectors.hand_over_targets(report=report)
            self.fields["partner_body"] = forms.ModelChoiceField(
                label=_("Partner body"),
                queryset=targets.bodies,
                error_messages={"required": partner_body.required_message},
                help_text=self._fallback_note(report) if targets.fallback else "",
            )
        self.assignee = transition.input("assignee")
        if self.assignee is not None:
            self.fields["assignee"] = OfficerChoiceField(
                label=_("Officer"),
                queryset=selectors.unit_officers(police_unit=report.police_unit),
                required=False,
                empty_label=_("The district's officer"),
            )
            self.fields["district"] = forms.ModelChoiceField(
                label=_("District"),
                queryset=selectors.unit_districts(police_unit=report.police_unit),
                required=False,
                empty_label=_("Keep the district"),
            )
        self.order_fields(["version", "partner_body", "assignee", "district"])

    @staticmethod
    def _fallback_note(report: Report) -> str:
        if report.municipality_id:
            return _(
                "No partner body serves %(town)s: the bodies of the whole area of the police unit are "
                "offered. Check that the one you choose can act there."
            ) % {"town": report.municipality.name}
        return _(
            "The place is in no municipality we know: the bodies of the whole area of the police unit are "
            "offered. Check that the one you choose can act there."
        )

    def clean(self):
        data = super().clean()
        chosen = data.get("assignee") or data.get("district")
        if self.assignee is not None and self.assignee.required and not chosen:
            raise forms.ValidationError(self.assignee.required_message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "action": self.transition.name,
            "public_answer": data.get("public_answer", ""),
            "internal_note": data.get("internal_note", ""),
            "partner_body": data.get("partner_body"),
            "assignee": data.get("assignee"),
            "district": data.get("district"),
            "expected_version": data["version"],
        }


PERIOD_CHOICES = [
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 12 months")),
    ("custom", _("Chosen dates")),
]
MAX_PERIOD_DAYS = 3 * 366


class DashboardFilterForm(forms.Form):
    """The dashboard's period: a preset or two dates (both inclusive)."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if not start or not end:
                raise forms.ValidationError(_("Choose both dates of the period."))
            if start > end:
                raise forms.ValidationError(_("The period cannot end before it starts."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return data

    def period_bounds(self, today: date | None = None) -> tuple[datetime, datetime]:
        """[since, until) as aware datetimes in the current time zone; the last 30 days when invalid."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        period = data.get("period") or "30"
        if period == "custom":
            start, end = data["date_from"], data["date_to"]
        else:
            start, end = today - timedelta(days=int(period) - 1), today
        tz = timezone.get_current_timezone()
        since = timezone.make_aware(datetime.combine(start, time.min), tz)
        until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
        return since, until
