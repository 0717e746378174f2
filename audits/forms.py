"""The audits app's forms: they parse input; the services check and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Municipality

from .models import Question
from .services.surveys import INVITATION_LETTERS_MAX, MAX_TEXT


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your letter"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("For example ABCD-EFGH-JKLM. Dashes and spaces do not matter."),
    )


class TownForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Your town"),
        queryset=Municipality.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose your town.")},
    )

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = towns


class DistrictForm(forms.Form):
    district = forms.ChoiceField(label=_("The district where you live"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("I don't know / I'd rather not say"))] + [
            (str(d.pk), d.name) for d in districts
        ]


class QuestionForm(forms.Form):
    """One question of the questionnaire, as plain HTML controls (radio buttons, check boxes, a select for
    the map question without JavaScript)."""

    def __init__(self, *args, question: Question, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        kind, label = question.kind, question.label()
        if kind == Question.Kind.SINGLE:
            self.fields["value"] = forms.ChoiceField(
                label=label, choices=question.choices(), widget=forms.RadioSelect, required=False
            )
        elif kind == Question.Kind.MULTIPLE:
            self.fields["values"] = forms.MultipleChoiceField(
                label=label, choices=question.choices(), widget=forms.CheckboxSelectMultiple, required=False
            )
        elif kind == Question.Kind.GRID:
            for code, row_label in question.row_choices():
                self.fields[f"grid_{code}"] = forms.ChoiceField(
                    label=row_label, choices=question.choices(), widget=forms.RadioSelect, required=False
                )
        elif kind == Question.Kind.NUMBER:
            self.fields["value"] = forms.CharField(
                label=label,
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        elif kind == Question.Kind.TEXT:
            self.fields["value"] = forms.CharField(label=label, required=False, max_length=MAX_TEXT)
        elif kind == Question.Kind.MAP:
            self.fields["points"] = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
            self.fields["district"] = forms.ChoiceField(
                label=_("Without the map: the district where you feel unsafe"),
                required=False,
                choices=[("", "—")] + [(str(d.pk), d.name) for d in districts],
            )

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "value": data.get("value", ""),
            "values": data.get("values", []),
            "grid": {name[5:]: value for name, value in data.items() if name.startswith("grid_")},
            "points": data.get("points", ""),
            "district": data.get("district", ""),
        }


class InvitationsForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=pgettext_lazy("survey", "Town"), queryset=Municipality.objects.none()
    )
    count = forms.IntegerField(label=_("Number of letters"), min_value=1, max_value=INVITATION_LETTERS_MAX)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = towns


class PopulationSharesForm(forms.Form):
    file = forms.FileField(
        label=_("Population shares (CSV)"),
        help_text=_("Columns age_group, sex, district, share; UTF-8."),
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
