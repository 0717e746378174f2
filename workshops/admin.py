from django.contrib import admin

from .models import Initiative, Workshop


class WorkshopInline(admin.TabularInline):
    model = Workshop
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_cs", "nomination_deadline"]
    inlines = [WorkshopInline]
