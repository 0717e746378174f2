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
    walk = forms.ModelChoiceField(label=_("Walking audit"), queryset=Wave.objects.none(), required=False)
    police_figures = forms.ModelChoiceField(
        label=_("Police statistics"), queryset=Wave.objects.none(), required=False
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = audit.waves.all()
        self.fields["walk"].queryset = audit.walks.all()
        self.fields["police_figures"].queryset = audit.police_figures.all()
        self.fields["police_figures"].label_from_instance = lambda upload: upload.source


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


# --- fieldwork -------------------------------------------------------------------------------------------


class WalkForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example: station and underpass")
    )
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    after_dark = forms.BooleanField(label=_("After dark"), required=False)
    route = forms.CharField(
        label=_("Route: points as “latitude, longitude”, one per line"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("With the map, click the route's points in order; without it, type them here."),
    )
    route_description = forms.CharField(
        label=_("Route in words"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from .services.fieldwork import PARTICIPANT_GROUPS, PARTICIPANTS_MAX

        super().__init__(*args, **kwargs)
        for code, label in PARTICIPANT_GROUPS.items():
            self.fields[f"p_{code}"] = forms.IntegerField(
                label=_("Participants: %(group)s") % {"group": label},
                required=False,
                min_value=0,
                max_value=PARTICIPANTS_MAX,
            )

    def participants(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("p_")}


class StopForm(forms.Form):
    label = forms.CharField(label=_("Place"), max_length=200)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from .services.fieldwork import CHECKLIST, RATINGS

        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST.items():
            self.fields[f"c_{code}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *RATINGS.items()],
            )

    def checklist(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("c_")}


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG, at most 5 MB)"))


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    held_on = _date(_("Held on"))
    title = forms.CharField(label=_("With whom / topic"), max_length=200)
    text = forms.CharField(label=_("Notes"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        from .models import FieldNote

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FieldNote.Kind.choices


class PoliceFiguresForm(forms.Form):
    file = forms.FileField(
        label=_("Police statistics (CSV)"),
        help_text=_("Columns district, period, offence, count; UTF-8; comma or semicolon."),
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)


class MemberLinkForm(forms.Form):
    email = forms.EmailField(label=_("Email of their Okrsek account"), required=False, max_length=254)


class ConsultationForm(forms.Form):
    opens_on = _date(_("Consultation opens on"))
    closes_on = _date(_("Consultation closes on"))


class CommentForm(forms.Form):
    finding = forms.ModelChoiceField(
        label=_("Which finding (optional)"), queryset=Finding.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Your comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment.")},
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = audit.findings.all()
        self.fields["finding"].label_from_instance = lambda f: f.text[:100]
