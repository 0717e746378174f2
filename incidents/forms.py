"""Forms of this app: they parse input and leave the decisions to services.

The citizen's report form. ``services.report_submit`` makes every decision that matters (served area,
description rules, attachments, the per-client limit); the form only turns the request into Python values and
carries the service's messages back to the fields the citizen sees.
"""

import math

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import selectors
from .coordinates import parse_coordinate, parse_pair
from .models import PUBLIC_STATUS_CHOICES, Category
from .services import MAX_DESCRIPTION, OCCURRED_EARLIEST, occurred_at_problem

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# The service's error keys that the form names otherwise (``portal.web.add_form_errors``)
SERVICE_FIELDS = {"point": "place"}


class PlaceWidget(forms.MultiWidget):
    """Latitude and longitude as two text inputs (``place_lat``, ``place_lon``): number inputs refuse the
    Czech decimal comma and a pasted pair. Without JavaScript the citizen types them; with it the map fills
    them in and hides them."""

    def __init__(self, attrs=None):
        text = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", "maxlength": "60"}
        super().__init__({"lat": forms.TextInput(attrs=text), "lon": forms.TextInput(attrs=text)}, attrs)

    def decompress(self, value):
        if isinstance(value, Point):
            return [value.y, value.x]
        return [None, None]


class PlaceField(forms.Field):
    """A point from the latitude and the longitude, each with a decimal comma or point ("49,7380"), or
    from a pair pasted into the latitude ("49.7475, 13.3776", "49.7475N, 13.3776E"). Empty: None (the form
    then asks for a town instead)."""

    widget = PlaceWidget
    default_error_messages = {
        "required": _(
            "Please mark the place on the map, enter its latitude and longitude, or choose the town below."
        ),
        "invalid": _(
            "Enter the latitude and the longitude as numbers, for example 49,7475 and 13,3776 (a decimal "
            "comma or point), or paste both into the latitude: 49.7475, 13.3776."
        ),
        "lon_missing": _(
            "Enter the longitude too, or paste both numbers into the latitude: 49.7475, 13.3776."
        ),
        "pair_conflict": _(
            "The latitude holds both numbers and the longitude another one: please keep only one of them."
        ),
        "range": _("These coordinates are not a place on Earth."),
    }

    def to_python(self, value):
        lat_text, lon_text = (str(v or "").strip() for v in (list(value or []) + [None, None])[:2])
        if not lat_text and not lon_text:
            return None
        try:
            pair = parse_pair(lat_text)
            lon_pair = parse_pair(lon_text)
            if pair is None and lon_pair is not None and not lat_text:
                pair = lon_pair  # pasted into the longitude
            elif lon_pair is not None:
                raise ValueError(lon_text)
            if pair is None:
                lat, lon = parse_coordinate(lat_text), parse_coordinate(lon_text)
            else:
                lat, lon = pair
                if lon_text and lat_text and parse_coordinate(lon_text) != lon:
                    raise ValidationError(self.error_messages["pair_conflict"], code="pair_conflict")
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if lat is None or lon is None:
            raise ValidationError(self.error_messages["lon_missing"], code="invalid")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(self.error_messages["range"], code="range")
        return Point(lon, lat, srid=4326)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the service checks count, size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What is the problem?"),
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose what kind of problem it is."),
            "invalid_choice": _("This category can no longer be chosen. Please choose another one."),
        },
    )
    place = PlaceField(label=_("Where is it?"), required=False)
    # Without a map and without coordinates: the town (and its district). The report's point is then a point
    # inside it, marked as approximate for the police.
    place_area = forms.ChoiceField(
        label=_("Or choose the town (and the district, if you know it)"),
        required=False,
        widget=forms.Select(attrs={"aria-describedby": "place-area-help"}),
        error_messages={
            "invalid_choice": _("This town or district cannot be chosen. Please choose another.")
        },
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_DESCRIPTION}),
        help_text=_("What is happening, when it usually happens, what to look for. Up to 500 characters."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen? (optional)"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={"invalid": _("Enter the date and the time, for example 2026-05-14 18:30.")},
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"}
        ),
        help_text=_(
            "Up to 3 files, JPEG, PNG or PDF, at most 5 MB together. Location data in photos is removed."
        ),
    )
    reporter_email = forms.EmailField(
        label=_("Your email (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Only for news about this report. The police see it; nobody else does."),
    )
    terms = forms.BooleanField(
        label=_("I have read the terms above and accept them."),
        error_messages={"required": _("Please accept the terms to send the report.")},
    )
    # A honeypot: hidden from people (and from screen readers), filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    # One value per form shown: a double click or a resent form files one report, not two.
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    # "I have seen the open reports nearby and send mine anyway"
    nearby_seen = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker starts where the service's window does (the view sets ``max``: now)
        earliest = timezone.localtime(OCCURRED_EARLIEST).strftime(DATETIME_LOCAL)
        self.fields["occurred_at"].widget.attrs["min"] = earliest
        self.fields["place_area"].choices = [("", _("— choose a town —")), *selectors.report_area_choices()]

    def clean(self):
        data = super().clean()
        # Typed or mapped coordinates are more precise than a town: they win when both are given.
        if data.get("place") is None and "place" not in self.errors:
            found = selectors.report_area_place(value=data.get("place_area") or "")
            if found is None:
                self.add_error("place", self.fields["place"].error_messages["required"])
            else:
                data["place"], data["place_route"] = found
                data["place_approximate"] = True
        return data

    def clean_occurred_at(self):
        # The service refuses the same (every channel goes through it); asking here tells the citizen before
        # the nearby-reports step, and a year-1 date never reaches the database.
        value = self.cleaned_data["occurred_at"]
        if problem := occurred_at_problem(value, now=timezone.now()):
            raise ValidationError(problem, code="range")
        return value

    def clean_description(self) -> str:
        # Browsers send line breaks as CRLF but count them as one character (maxlength): count them as one.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    @property
    def place_values(self) -> list:
        """[latitude, longitude] as typed (or as the map set them), for the map to show the point again."""
        value = self["place"].value()
        if isinstance(value, Point):
            return [value.y, value.x]
        lat, lon = (list(value or []) + [None, None])[:2]
        return [str(v).strip() if v not in (None, "") else None for v in (lat, lon)]


# --- the public map and statistics: their filters (GET) -------------------------------------------------

MAP_PERIODS = (7, 30, 90)
STATS_PERIODS = (30, 90, 182, 365)
BBOX_MAX_DEGREES = 20.0  # the largest box the map endpoint answers: wider than Czechia or Poland


class PublicReportFilterForm(forms.Form):
    """The filters of the public map. Checking them needs no query (the map's GeoJSON endpoint runs it on
    every pan); given ``choices`` (``selectors.public_filter_choices()``) they render as select boxes and
    accept only those values. A wrong filter is reported and left out; the others still apply."""

    periods = MAP_PERIODS
    default_period = 90

    category = forms.SlugField(label=_("Category"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *PUBLIC_STATUS_CHOICES]
    )
    period = forms.TypedChoiceField(label=_("Period"), required=False, coerce=int)
    district = forms.IntegerField(label=_("District"), required=False, min_value=1, max_value=2**62)
    municipality = forms.IntegerField(label=_("Town"), required=False, min_value=1, max_value=2**62)

    def __init__(self, data=None, *, choices: dict | None = None, **kwargs):
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = str(self.default_period)
        super().__init__(data, **kwargs)
        period = self.fields["period"]
        period.choices = [
            (days, ngettext("last %(days)d day", "last %(days)d days", days) % {"days": days})
            for days in self.periods
        ]
        period.empty_value = self.default_period
        if choices is not None:
            self.fields["category"] = forms.ChoiceField(
                label=_("Category"),
                required=False,
                choices=[("", _("All categories")), *choices["categories"]],
            )
            self.fields["district"] = forms.TypedChoiceField(
                label=_("District"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("All districts")), *choices["districts"]],
            )
            self.fields["municipality"] = forms.TypedChoiceField(
                label=_("Town"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("All towns")), *choices["municipalities"]],
            )

    def filters(self) -> dict:
        """The valid filters as keyword arguments of the selectors: category, status, district,
        municipality (None when not chosen or wrong) and period (days)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "category": data.get("category") or None,
            "status": data.get("status") or None,
            "district": data.get("district") or None,
            "municipality": data.get("municipality") or None,
            "period": data.get("period") or self.default_period,
        }

    def filter_query(self) -> dict:
        """The valid filters as GET parameters (for links and the map's data requests)."""
        return {key: value for key, value in self.filters().items() if value}


class PublicStatsFilterForm(PublicReportFilterForm):
    periods = STATS_PERIODS
    default_period = 365


class MapBoxForm(PublicReportFilterForm):
    """The map's data request: the filters plus the box in view and the zoom."""

    bbox = forms.CharField(
        max_length=200,
        error_messages={"required": _("Give the map's box as bbox=west,south,east,north.")},
    )
    zoom = forms.IntegerField(required=False, min_value=0, max_value=24)

    def clean_bbox(self) -> tuple[float, float, float, float]:
        parts = self.cleaned_data["bbox"].split(",")
        try:
            if len(parts) != 4:
                raise ValueError
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise ValidationError(
                _("The box must be four numbers: west,south,east,north (longitudes, latitudes in degrees)."),
                code="invalid",
            ) from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValidationError(_("The box must be four finite numbers."), code="invalid")
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
            raise ValidationError(
                _("Longitudes must lie between -180 and 180 and latitudes between -90 and 90."), code="range"
            )
        if west >= east or south >= north:
            raise ValidationError(
                _("West must be less than east and south less than north: are the corners swapped?"),
                code="swapped",
            )
        if east - west > BBOX_MAX_DEGREES or north - south > BBOX_MAX_DEGREES:
            raise ValidationError(
                _("The box is too large: at most %(max)d degrees each way. Zoom in.")
                % {"max": BBOX_MAX_DEGREES},
                code="too_large",
            )
        return west, south, east, north
