"""Read-mostly admin for the audits app: questionnaires and waves are changed through the services (a
version with answers never changes), answers and codes are never shown (codes exist only as hashes)."""

from django.contrib import admin

from .models import Action, Audit, Finding, Indicator, Priority, Question, Questionnaire, SteeringMember, Wave


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("order", "code", "kind", "required", "local")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "municipality", "created_at")
    readonly_fields = ("code", "version", "municipality", "created_at")
    inlines = [QuestionInline]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("name", "questionnaire", "opens_on", "closes_on", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "version", "published_at", "population_shares")
    filter_horizontal = ("municipalities", "methodologists")


class SteeringInline(admin.TabularInline):
    model = SteeringMember
    extra = 0


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("title", "municipality", "phase", "starts_on", "report_due_on")
    list_filter = ("phase",)
    readonly_fields = ("phase", "version", "published_at")
    inlines = [SteeringInline]


admin.site.register(Finding)
admin.site.register(Priority)
admin.site.register(Action)
admin.site.register(Indicator)
