"""Forms of this app: they parse input and leave the decisions to services."""

import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    GoodPractice,
    Nomination,
    OrganisationType,
    PresentationOffer,
    Recommendation,
    Registration,
    Workshop,
    WorkshopMessage,
)
from .workflow import OfferStatus


class SubmissionKeyMixin(forms.Form):
    """A hidden key generated when the form is shown: the same form sent twice (double click, reload) is
    recognised by it and saved once."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


class RegistrationForm(forms.ModelForm):
    consent = forms.BooleanField(
        label_suffix="",
        label=_("I agree to the processing of my personal data for the organisation of the workshop."),
        help_text=_(
            "The organiser keeps your data until the initiative ends and uses it only to organise the "
            "workshops and to list the participating institutions in the publication."
        ),
        error_messages={"required": _("Please agree to the processing of your personal data.")},
    )

    class Meta:
        model = Registration
        fields = [
            "full_name",
            "email",
            "phone",
            "organisation",
            "organisation_type",
            "position",
            "language",
            "needs",
        ]
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "email": _("The confirmation, with a calendar invitation and a link to cancel, goes here."),
            "organisation_type": _("Participants from the partner country have seats of their own."),
            "language": _("Language of the emails about this registration."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["position"].widget.attrs["autocomplete"] = "organization-title"
        self.fields["organisation_type"].choices = [("", "---------"), *OrganisationType.choices]

    def _post_clean(self):
        # The service validates and saves; the model's own checks (unique email per workshop, …) run there.
        pass


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = [
            "theme_cs",
            "theme_en",
            "theme_nb",
            "held_on",
            "start_time",
            "end_time",
            "venue",
            "languages",
            "description",
            "capacity",
            "partner_seats",
            "registration_opens_at",
            "registration_closes_at",
            "offers_close_at",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "registration_opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "registration_closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "offers_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def _post_clean(self):
        pass


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["representative_name", "position", "email", "phone", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass


class OfferForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = PresentationOffer
        fields = [
            "workshop",
            "title",
            "speaker_name",
            "speaker_organisation",
            "speaker_email",
            "abstract",
            "minutes",
        ]
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "workshop": _("Each workshop has its own theme; choose the one your presentation fits."),
            "minutes": _("Between 5 and 120 minutes, questions included."),
        }

    def __init__(self, *args, workshops=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workshops is not None:
            self.fields["workshop"].queryset = workshops
        self.fields["workshop"].label_from_instance = lambda w: f"{w.initiative.name} – {w}"
        # The model's 5–120 minutes at the form too: the field's own message and the browser's number input
        minutes = self.fields["minutes"]
        for validator in PresentationOffer._meta.get_field("minutes").validators:
            if validator not in minutes.validators:
                minutes.validators.append(validator)
            if isinstance(validator, MinValueValidator | MaxValueValidator):
                minutes.widget.attrs[validator.code.removesuffix("_value")] = validator.limit_value

    def _post_clean(self):
        pass


class OfferDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject"), ("reopen", "reopen")])
    message = forms.CharField(
        label=_("Message to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting or reopening; sent to the author by email."),
    )


class GoodPracticeForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = ["title", "town", "description", "contact", "title_en", "description_en"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def _post_clean(self):
        pass


class RecommendationForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "addressee", "priority", "text_en"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "text_en": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass


class MessageForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = WorkshopMessage
        fields = ["audience", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "audience": forms.RadioSelect}


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Registration.Status.choices]
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"), required=False, choices=[("", _("all")), *OrganisationType.choices]
    )


class NominationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Nomination.Status.choices]
    )
    district = forms.ChoiceField(label=pgettext_lazy("okres / powiat", "District"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("all")), *((d, d) for d in districts)]


class OfferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *OfferStatus.choices]
    )


class PublicationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the edition"), choices=settings.LANGUAGES)
