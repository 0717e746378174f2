"""Forms of the results pages: they parse input; the services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models_results import Milestone, ProjectResult


class AreaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The area is given as"), choices=ProjectResult.AreaKind.choices, widget=forms.RadioSelect
    )
    wkt = forms.CharField(
        label=_("Polygon (WKT, longitude latitude)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. POLYGON((13.37 49.74, 13.38 49.74, 13.38 49.75, 13.37 49.74))."),
    )
    districts = forms.TypedMultipleChoiceField(
        label=_("Districts"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    points = forms.CharField(
        label=_("Points (one “latitude, longitude” per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    radius_m = forms.IntegerField(
        label=_("Radius around the points (m)"), min_value=20, max_value=5000, initial=200
    )
    buffer_m = forms.IntegerField(label=_("Buffer ring (m)"), min_value=50, max_value=2000, initial=300)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d.pk, d.name) for d in districts]


class DetailsForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=ProjectResult.Theme.choices)
    regional_project = forms.TypedChoiceField(
        label=_("Part of the region-wide project"), coerce=int, required=False, empty_value=None
    )
    implementation_start = forms.DateField(
        label=_("Implementation start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    implementation_end = forms.DateField(
        label=_("Implementation end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    window_months = forms.IntegerField(label=_("Months compared before and after"), min_value=3, max_value=36)
    categories = forms.TypedMultipleChoiceField(
        label=_("Report categories addressed"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.TypedChoiceField(
        label=_("Audit priority answered"), coerce=int, required=False, empty_value=None
    )
    target_residents = forms.IntegerField(
        label=_("Residents of the target area"), min_value=1, max_value=10_000_000, required=False
    )
    control_residents = forms.IntegerField(
        label=_("Residents of the control area"), min_value=1, max_value=10_000_000, required=False
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    emmie_mechanism = forms.CharField(
        label=_("Mechanism – how it should work"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    emmie_moderators = forms.CharField(
        label=_("Moderators – where and for whom it works"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    emmie_implementation = forms.CharField(
        label=_("Implementation – what helped or hindered"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    emmie_cost = forms.CharField(
        label=_("Economic cost – direct and indirect"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories=(), priorities=(), regional_projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.pk, str(c)) for c in categories]
        self.fields["priority"].choices = [("", _("none"))] + [
            (p.pk, f"{p.audit.title}: {p.order}. {p.title}") for p in priorities
        ]
        self.fields["regional_project"].choices = [("", _("none"))] + [
            (r.pk, r.name) for r in regional_projects
        ]


class ControlForm(forms.Form):
    districts = forms.TypedMultipleChoiceField(
        label=_("Control districts"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d.pk, d.name) for d in districts]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class MilestoneForm(forms.Form):
    on = forms.DateField(
        label=pgettext_lazy("milestone", "Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    text = forms.CharField(
        label=_("What happened"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=_("Photos (JPEG or PNG, up to 4)"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    progress = forms.IntegerField(label=_("Progress now (%)"), min_value=0, max_value=100, required=False)


class ResultsFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    town = forms.TypedChoiceField(
        label=pgettext_lazy("grants", "Town"), coerce=int, required=False, empty_value=None
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, years=(), towns=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("all years"))] + [(y, y) for y in years]
        self.fields["town"].choices = [("", _("all towns"))] + list(towns)
        self.fields["theme"].choices = [("", _("all themes"))] + list(ProjectResult.Theme.choices)
        self.fields["status"].choices = [("", _("all statuses"))] + list(statuses)


class EmmieForm(forms.Form):
    emmie_mechanism = DetailsForm.base_fields["emmie_mechanism"]
    emmie_moderators = DetailsForm.base_fields["emmie_moderators"]
    emmie_implementation = DetailsForm.base_fields["emmie_implementation"]
    emmie_cost = DetailsForm.base_fields["emmie_cost"]
