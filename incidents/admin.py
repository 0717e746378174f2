from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Category, District
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
