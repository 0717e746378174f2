"""Forms of the advice desk: they parse input; the services decide."""

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized

from .models import MAX_ANSWER, MAX_QUESTION, Topic
from .workflow import MAX_MESSAGE


class TopicChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return localized(obj, "name")


class AskForm(forms.Form):
    topic = TopicChoice(label=_("Topic"), queryset=Topic.objects.none(), empty_label=_("Choose a topic"))
    town = forms.ModelChoiceField(
        label=_("Town"),
        queryset=None,
        required=False,
        empty_label=_("Another place / I do not know"),
        help_text=_(
            "The working group of this town answers. Elsewhere the programme's central group answers."
        ),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    text = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 7, "maxlength": MAX_QUESTION}),
        help_text=_("At most 2000 characters. Do not write personal data of other people."),
        error_messages={"required": _("Please write your question.")},
        strip=True,
    )
    email = forms.EmailField(
        label=_("Email for the answer (optional)"),
        required=False,
        help_text=_("Without an email, follow the answer through the private link shown after sending."),
        error_messages={"invalid": _("This email address is not valid.")},
    )
    publish_allowed = forms.TypedChoiceField(
        label=_("May the answer be published?"),
        choices=[
            ("yes", _("Yes, anonymised: without my name and anything that could identify me")),
            ("no", _("No, the answer must stay private")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose whether the answer may be published.")},
    )
    # A honeypot: hidden from people (and screen readers), filled in by form-filling robots
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    similar_seen = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, topics=(), towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(pk__in=[t.pk for t in topics])
        from portal.models import Municipality

        self.fields["town"].queryset = Municipality.objects.filter(pk__in=[t.pk for t in towns]).defer(
            "boundary"
        )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text) > MAX_QUESTION:
            raise forms.ValidationError(
                _("The question may have at most %(max)d characters (it has %(count)d).")
                % {"max": MAX_QUESTION, "count": len(text)}
            )
        return text

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        data["point"] = Point(lon, lat, srid=4326) if lat is not None else None
        return data


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_MESSAGE}),
        max_length=MAX_MESSAGE,
        error_messages={"required": _("Please write the message.")},
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email for the answer"),
        required=False,
        error_messages={"invalid": _("This email address is not valid.")},
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the answer?"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    published_question = forms.CharField(
        label=_("Question as published"), max_length=MAX_QUESTION, widget=forms.Textarea(attrs={"rows": 5})
    )
    published_answer = forms.CharField(
        label=_("Answer as published"), max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 7})
    )
