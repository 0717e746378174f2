from django.contrib import admin

from .models import Membership, Programme


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "declared_on", "total_budget", "currency"]
    inlines = [MembershipInline]
