"""The subscribe form (no account needed) and the "my alerts" form: they parse input, the services check."""

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality

from ..models import Alert, AlertEvent, Category, District
from . import selectors
from .services import RADIUS_MAX_M, RADIUS_PRESETS_M

CUSTOM = "custom"
POLYGON_MAX_TEXT = 20_000


def _km(metres: int) -> str:
    return f"{metres / 1000:g} km"


class AlertForm(forms.Form):
    """An alert's area, categories, events and frequency: the subscribe form without the address, and the
    "my alerts" page's change form. Without script the place is typed (latitude, longitude, WKT); the map
    picker (static/js/alert-map.js) fills the same fields."""

    kind = forms.ChoiceField(
        label=_("Area"), choices=Alert.Kind.choices, widget=forms.RadioSelect, initial=Alert.Kind.CIRCLE
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    radius = forms.ChoiceField(
        label=_("Distance"),
        choices=[(str(m), _km(m)) for m in RADIUS_PRESETS_M] + [(CUSTOM, _("other distance"))],
        initial="1000",
        required=False,
    )
    radius_custom = forms.IntegerField(label=_("Other distance (m)"), required=False, min_value=1)
    polygon = forms.CharField(
        label=_("Drawn area (WKT or GeoJSON)"),
        required=False,
        max_length=POLYGON_MAX_TEXT,  # 200 corners as WKT or GeoJSON fit in a few kB
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category_groups = forms.MultipleChoiceField(
        label=_("Only these groups (none: all)"),
        choices=Category.Group.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    category_codes = forms.MultipleChoiceField(
        label=_("Or only these categories"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    events = forms.MultipleChoiceField(
        label=_("Tell me about"),
        choices=AlertEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(AlertEvent.values),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Alert.Frequency.choices,
        widget=forms.RadioSelect,
        initial=Alert.Frequency.IMMEDIATE,
    )
    warnings = forms.BooleanField(
        label=_("Also warnings from the police and the town (sent at once)"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = selectors.area_districts()
        self.fields["municipality"].queryset = selectors.area_municipalities()
        self.fields["radius_custom"].help_text = _("At most %(max)s m.") % {"max": RADIUS_MAX_M}
        self.fields["category_codes"].choices = [
            (category.code, category.name) for category in selectors.alert_categories()
        ]

    @staticmethod
    def initial_of(alert: Alert) -> dict:
        """The form's fields as ``alert`` has them (the change form starts from the alert)."""
        initial = {
            "kind": alert.kind,
            "district": alert.district_id,
            "municipality": alert.municipality_id,
            "category_groups": list(alert.category_groups),
            "category_codes": list(alert.category_codes),
            "events": list(alert.events),
            "frequency": alert.frequency,
            "warnings": alert.warnings,
        }
        if alert.center is not None:
            initial.update(lat=alert.center.y, lon=alert.center.x)
        if alert.radius_m:
            preset = alert.radius_m in RADIUS_PRESETS_M
            initial.update(
                radius=str(alert.radius_m) if preset else CUSTOM,
                radius_custom=None if preset else alert.radius_m,
            )
        if alert.kind == Alert.Kind.POLYGON and alert.area is not None:
            initial["polygon"] = alert.area.wkt
        return initial

    def alert_input(self) -> dict:
        """The keyword arguments of ``services.alert_subscribe`` and ``services.alert_update`` but the
        address."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "events": data["events"],
            "category_groups": data["category_groups"],
            "category_codes": data["category_codes"],
            "frequency": data["frequency"],
            "warnings": data["warnings"],
            **self.area_input(),
        }

    def area_input(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == Alert.Kind.DISTRICT:
            return {"district": data.get("district")}
        if kind == Alert.Kind.MUNICIPALITY:
            return {"municipality": data.get("municipality")}
        if kind == Alert.Kind.CIRCLE:
            lat, lon = data.get("lat"), data.get("lon")
            center = Point(lon, lat, srid=4326) if lat is not None and lon is not None else None
            radius = data.get("radius") or ""
            radius_m = (
                data.get("radius_custom") if radius == CUSTOM else int(radius) if radius.isdigit() else None
            )
            return {"center": center, "radius_m": radius_m}
        return {"polygon": data.get("polygon") or ""}


class SubscribeForm(AlertForm):
    email = forms.EmailField(label=_("Your email"), max_length=254)

    field_order = ["email"]


class WarningForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    category_groups = forms.MultipleChoiceField(
        label=_("Related categories"),
        choices=Category.Group.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = selectors.area_districts()
        self.fields["municipality"].queryset = selectors.area_municipalities()
