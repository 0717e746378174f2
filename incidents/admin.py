from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .alerts import services as alert_services
from .models import Alert, ApiKey, AreaWarning, Category, District
from .open311 import services as open311_services


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_cs", "name_pl", "group", "active", "public", "description_required"]
    list_filter = ["group", "active", "public"]
    search_fields = ["code", "name_cs", "name_pl", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    """Districts come from ``manage.py import_districts`` (areas); here their officers are assigned."""

    list_display = ["name", "code", "police_unit", "municipality", "active"]
    list_filter = ["police_unit", "active"]
    search_fields = ["name", "code", "municipality__name"]
    list_select_related = ["police_unit", "municipality"]
    fields = ["name", "code", "police_unit", "municipality", "officers", "active"]
    readonly_fields = ["code", "police_unit", "municipality"]
    filter_horizontal = ["officers"]

    def has_add_permission(self, request):
        return False  # areas are imported, never drawn by hand


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys of the Open311 API's client applications. The secret is generated on creation (and by the "new
    secret" action) and shown once in a message; only its hash is stored."""

    list_display = ["name", "prefix", "active", "staff", "police_unit", "rate_limit_per_hour", "last_used_at"]
    list_filter = ["active", "staff", "police_unit"]
    search_fields = ["name", "prefix", "contact_email"]
    fields = ["name", "contact_email", "active", "staff", "police_unit", "rate_limit_per_hour"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["issue_new_secret"]

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else [])

    def _show_secret(self, request, api_key: ApiKey, secret: str) -> None:
        messages.warning(
            request,
            gettext(
                "The API key of “%(name)s” is %(key)s — copy it now: it is not stored and will not be "
                "shown again."
            )
            % {"name": api_key.name, "key": secret},
        )

    def save_model(self, request, obj, form, change):
        if change:
            open311_services.api_key_update(api_key=obj, actor=request.user, changed=form.changed_data)
        else:
            self._show_secret(request, obj, open311_services.api_key_issue(api_key=obj, actor=request.user))

    @admin.action(description=_("Issue a new secret (the old one stops working)"))
    def issue_new_secret(self, request, queryset):
        for api_key in queryset:
            self._show_secret(
                request, api_key, open311_services.api_key_issue(api_key=api_key, actor=request.user)
            )


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-mostly: subscribers make, confirm, change and stop their alerts by their links (the services).
    Staff see what is followed, not by whom: the address only superusers;
    the private link's token and the hashes nobody. Deleting (e.g. on a request under the GDPR) goes
    through the service, which logs it."""

    list_filter = ["kind", "frequency", "warnings", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["district", "municipality"]
    date_hierarchy = "created_at"
    actions = ["delete_through_service"]

    def _addresses(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_list_display(self, request):
        shown = ["__str__", *(["email"] if self._addresses(request) else []), "district", "municipality"]
        shown.append("radius_m")
        return [*shown, "frequency", "warnings", "created_at", "confirmed_at"]

    def get_search_fields(self, request):
        return ["=email"] if self._addresses(request) else []  # no probing for an address otherwise

    def get_fields(self, request, obj=None):
        fields = [
            "kind",
            "district",
            "municipality",
            "center",
            "radius_m",
            "category_groups",
            "category_codes",
        ]
        fields += ["events", "frequency", "warnings", "language", "created_at", "confirmed_at"]
        return (["email"] if self._addresses(request) else []) + fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the service's action instead: it logs every deletion
        return actions if self.has_delete_permission(request) else {}

    def delete_model(self, request, obj):
        alert_services.alert_delete(alert=obj)

    @admin.action(description=_("Delete the selected alerts (logged)"))
    def delete_through_service(self, request, queryset):
        for alert in queryset:
            alert_services.alert_delete(alert=alert)


@admin.register(AreaWarning)
class AreaWarningAdmin(admin.ModelAdmin):
    """Read-only: warnings are written and reviewed on the staff page (``/reports/staff/warnings/``) by the
    services, which check the four-eyes rule and send them."""

    list_display = ["title", "state", "district", "municipality", "police_unit", "valid_until", "reviewed_at"]
    list_filter = ["state", "police_unit"]
    list_select_related = ["district", "municipality", "police_unit"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "text",
        "state",
        "district",
        "municipality",
        "police_unit",
        "issuer_municipality",
        "category_groups",
        "valid_until",
        "author",
        "reviewer",
        "created_at",
        "reviewed_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("district__area", "municipality__boundary")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
