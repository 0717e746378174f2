from django.contrib.gis import admin

from .models import ActivityLog, Municipality, Notification, PartnerBody, PoliceUnit, Profile


@admin.register(Municipality)
class MunicipalityAdmin(admin.GISModelAdmin):
    list_display = ["name", "code", "country", "district_name", "population"]
    list_filter = ["country", "district_name"]
    search_fields = ["name", "code"]


@admin.register(PoliceUnit)
class PoliceUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country"]
    filter_horizontal = ["municipalities"]


@admin.register(PartnerBody)
class PartnerBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "municipality"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "language", "municipality", "police_unit", "partner_body"]
    raw_id_fields = ["user"]


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "verb", "target_type", "target_id"]
    list_filter = ["verb"]
    readonly_fields = [f.name for f in ActivityLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_email", "kind", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]
