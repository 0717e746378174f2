"""Forms of this app: they parse input and leave the decisions to services."""

import uuid
from decimal import Decimal

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Call, Decision, Proposal, Review
from .services.calls import CALL_FIELDS
from .services.proposals import MAX_BUDGET_LINES, PROPOSAL_FIELDS, proposal_date_problems

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OnceForm(forms.Form):
    """Carries a key made when the form is shown: sent twice (a double click, a reload), it is saved once
    (``portal.services.create_once``)."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_key", uuid.uuid4())


class ProposalStartForm(OnceForm):
    title = forms.CharField(label=_("Title of the project"), max_length=200)


class ProposalForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = list(PROPOSAL_FIELDS)
        widgets = {
            "local_need": forms.Textarea(attrs={"rows": 6}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "activities": forms.Textarea(attrs={"rows": 6}),
            "timetable": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "local_need": _("Why does the town need the project? What does it solve?"),
            "cite_reports": _("Attach the figures below to the proposal as evidence of the local need."),
            "activities": _("What will be done, by whom, with which partners."),
            "timetable": _("The main steps and when they happen."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Drafts may be incomplete: completeness is checked on submission.
        for name in ("local_need", "goals", "activities", "timetable"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        # The service refuses the same; asking here shows the message at the field before anything is saved
        if self.instance.call_id:
            problems = proposal_date_problems(
                call=self.instance.call, starts_on=data.get("starts_on"), ends_on=data.get("ends_on")
            )
            for name, message in problems.items():
                self.add_error(name, message)
        return data


class BudgetLineForm(forms.Form):
    eligible_cost = forms.ModelChoiceField(label=_("Cost type"), queryset=None, required=False)
    item = forms.CharField(label=_("Item"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Total cost"), required=False, **MONEY)
    cofinancing = forms.DecimalField(label=_("Paid by the town"), required=False, **MONEY)

    def __init__(self, *args, costs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_cost"].queryset = costs
        self.fields["eligible_cost"].empty_label = _("– choose –")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (
            data.get("item") or data.get("amount") or data.get("cofinancing") or data.get("eligible_cost")
        )

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("item"):
            self.add_error("item", _("Name the item."))
        if data.get("amount") is None:
            self.add_error("amount", _("Give the total cost."))
        elif (data.get("cofinancing") or 0) > data["amount"]:
            self.add_error("cofinancing", _("The town's part cannot exceed the total cost."))
        return data


# Rows are added in the browser (or, without JavaScript, one per "Add a row" save) and removed with their
# "remove" box; the service keeps at most ``MAX_BUDGET_LINES``.
class BaseBudgetLineFormSet(BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def rows(self) -> list[dict]:
        """The lines to save: neither blank nor marked for removal (after ``is_valid``)."""
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]

    def blank_count(self) -> int:
        return sum(1 for form in self.forms if form.is_blank() and not form.cleaned_data.get("DELETE"))


BudgetLineFormSet = formset_factory(
    BudgetLineForm,
    formset=BaseBudgetLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_BUDGET_LINES,
    absolute_max=MAX_BUDGET_LINES,
    validate_max=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB; at most 10 files."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )


class MessageForm(OnceForm):
    body = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=pgettext_lazy("grants", "Note"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Commission members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda user: (
            f"{user.profile.full_name} ({user.email})"
            if getattr(user, "profile", None) and user.profile.full_name
            else user.email
        )


class ConflictForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("no", _("I have no conflict of interest with this proposal or the applicant town.")),
            ("yes", _("I have a conflict of interest and will not review this proposal.")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    conflict_note = forms.CharField(
        label=_("Describe the conflict briefly"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


NA = "na"
SCORE_CHOICES = [("", _("– choose –"))] + [(str(i), str(i)) for i in range(6)] + [(NA, _("n/a"))]


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Review.Recommendation.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                help_text=_("Weight %(weight)s. 0 = poor, 5 = excellent; n/a = does not apply.")
                % {"weight": f"{criterion.weight.normalize():f}"},
            )

    def score_fields(self):
        return [self[f"score_{criterion.pk}"] for criterion in self.criteria]

    def scores(self) -> dict[int, int | None]:
        return {
            c.pk: None
            if self.cleaned_data[f"score_{c.pk}"] == NA
            else int(self.cleaned_data[f"score_{c.pk}"])
            for c in self.criteria
        }


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = list(CALL_FIELDS)
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The call must close after it opens."))
        return data


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=1000, required=False)
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("weight") is None:
            self.add_error("weight", _("Give the weight."))
        return data


class EligibleCostForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Eligible cost"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


CriterionFormSet = formset_factory(CriterionForm, extra=2, max_num=20, absolute_max=20)
EligibleCostFormSet = formset_factory(EligibleCostForm, extra=2, max_num=30, absolute_max=30)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Meeting date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("Attendees"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeetingItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    recommend = forms.TypedChoiceField(
        label=_("Commission's recommendation"),
        choices=[("", _("– not decided –")), ("yes", _("recommend")), ("no", _("do not recommend"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )
    proposed_amount = forms.DecimalField(label=_("Amount proposed"), required=False, **MONEY)
    note = forms.CharField(label=pgettext_lazy("grants", "Note"), max_length=500, required=False)


MeetingItemFormSet = formset_factory(MeetingItemForm, extra=0, max_num=500)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Council's decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    approved_amount = forms.DecimalField(label=_("Approved amount"), required=False, **MONEY)
    resolution_number = forms.CharField(label=_("Resolution number"), max_length=60)
    resolved_on = forms.DateField(label=_("Resolution date"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Decision.Outcome.APPROVED and not data.get("approved_amount"):
            self.add_error("approved_amount", _("Give the amount approved."))
        return data


class FinalReportForm(forms.Form):
    summary = forms.CharField(
        label=_("What was done"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )
    results = forms.CharField(
        label=_("Results and their evidence"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    spent_amount = forms.DecimalField(label=_("Grant money spent"), **MONEY)
    cofinancing_spent = forms.DecimalField(label=_("Own money spent"), required=False, **MONEY)


class SupportedFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    town = forms.TypedChoiceField(
        label=pgettext_lazy("grants", "Town"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years=(), towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("all years"))] + [(y, y) for y in years]
        self.fields["town"].choices = [("", _("all towns"))] + list(towns)
