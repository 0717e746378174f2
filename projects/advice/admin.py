"""Admin of the advice desk: topics, groups (their topics and the towns and districts they serve), answer
templates; questions read-only (their steps go through the pages, i.e. the services)."""

from django.contrib import admin

from .models import AnswerTemplate, GroupMember, Question, Topic, WorkingGroup


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "country", "acknowledge_days", "answer_days", "active"]
    list_filter = ["programme", "active", "country"]
    autocomplete_fields = ["municipality", "towns"]
    filter_horizontal = ["topics", "districts"]
    inlines = [GroupMemberInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_cs", "name_pl", "name_en", "order"]
    list_filter = ["programme"]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "topic"]
    list_filter = ["programme", "group"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "topic", "status", "created_at", "due_at", "publication"]
    list_filter = ["status", "publication", "group"]
    readonly_fields = [f.name for f in Question._meta.fields]

    def has_add_permission(self, request):
        return False
