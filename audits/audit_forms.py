"""The audit cycle's forms: they parse input (sizes and dates bounded); the services check and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, Finding, SteeringMember, Wave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


class AuditCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = _date(_("Starts on"))
    report_due_on = _date(_("Report due on"))


class AuditSetupForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    themes = forms.CharField(
        label=_("Themes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: public space, traffic, night life."),
    )
    area = forms.CharField(
        label=_("Area"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = _date(_("Starts on"))
    report_due_on = _date(_("Report due on"))
    reaudit_on = _date(_("Re-audit on"), required=False, help_text=_("When the town audits again."))
    waves = forms.ModelMultipleChoiceField(
        label=_("Linked survey waves"),
        queryset=Wave.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waves"].queryset = Wave.objects.filter(municipalities=audit.municipality).order_by(
            "-opens_on"
        )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SteeringMember.Kind.choices)
    role = forms.CharField(label=_("Role in the group"), max_length=200, required=False)


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.ChoiceField(label=_("Evidence it rests on"), choices=Finding.Evidence.choices)
    evidence_note = forms.CharField(
        label=_("Which evidence exactly"),
        max_length=300,
        help_text=_("For example: repeat location at the station, walk of 12 March, spring survey."),
    )
    wave = forms.ModelChoiceField(label=_("Survey wave"), queryset=Wave.objects.none(), required=False)

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = audit.waves.all()


class PriorityForm(forms.Form):
    title = forms.CharField(label=_("Priority"), max_length=200)
    rationale = forms.CharField(
        label=_("Rationale"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.ModelMultipleChoiceField(
        label=_("Findings it rests on"),
        queryset=Finding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one finding.")},
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = audit.findings.all()
        self.fields["findings"].label_from_instance = lambda f: f.text[:120]


class _PriorityChoice(forms.Form):
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=None, empty_label=None)

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = audit.priorities.all()
        self.fields["priority"].label_from_instance = lambda p: f"{p.order}. {p.title}"


class ActionForm(_PriorityChoice):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.CharField(label=_("Owner organisation"), max_length=200)
    deadline = _date(_("Deadline"))
    cost = forms.DecimalField(
        label=_("Estimated cost (CZK)"), required=False, min_value=0, max_digits=12, decimal_places=0
    )
    seeking_grant = forms.BooleanField(
        label=_("Seeking a grant"),
        required=False,
        help_text=_("A grant proposal of the town can then cite this action."),
    )


class IndicatorForm(_PriorityChoice):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    baseline = forms.CharField(label=_("Baseline"), max_length=100)
    target = forms.CharField(label=_("Target"), max_length=100)
    source = forms.CharField(label=_("Source"), max_length=200)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class ReportLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the report"), choices=())

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
