"""Admin of the projects app: for support and data fixes. Workflow changes go through the portal's pages
(services), so the admin shows proposals, reviews and decisions read-only where a change would bypass the
budget checks or the activity log."""

from django.contrib import admin

from .models import (
    Assignment,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    EligibleCost,
    FinalReport,
    Meeting,
    MeetingItem,
    Membership,
    Message,
    Programme,
    Proposal,
    ProposalAttachment,
    RegionalProject,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality"]


class RegionalProjectInline(admin.StackedInline):
    model = RegionalProject
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "declared_on", "total_budget", "currency"]
    inlines = [MembershipInline, RegionalProjectInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class EligibleCostInline(admin.TabularInline):
    model = EligibleCost
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "programme", "budget", "opens_at", "closes_at", "max_per_proposal"]
    list_filter = ["programme", "year"]
    inlines = [CriterionInline, EligibleCostInline]

    def get_readonly_fields(self, request, obj=None):
        # The budget is checked against the programme's total and the approved sums by services.call_save.
        return ["programme", "budget"] if obj else []


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    can_delete = False
    readonly_fields = ["eligible_cost", "item", "amount", "cofinancing", "order"]


class AttachmentInline(admin.TabularInline):
    model = ProposalAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]
    exclude = ["file", "uploaded_by"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    readonly_fields = ["author", "from_manager", "body", "created_at"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    can_delete = False
    readonly_fields = ["member", "assigned_at", "conflict", "conflict_note", "declared_at"]
    exclude = ["assigned_by"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "call", "status", "requested_amount", "score", "submitted_at"]
    list_filter = ["status", "call__year", "call__programme"]
    search_fields = ["title", "municipality__name"]
    list_select_related = ["municipality", "call"]
    readonly_fields = [
        "call",
        "municipality",
        "status",
        "requested_amount",
        "score",
        "review_count",
        "submitted_at",
        "decided_at",
        "started_at",
        "completed_at",
        "evidence",
        "created_by",
        "version",
    ]
    inlines = [BudgetLineInline, AttachmentInline, MessageInline, AssignmentInline]

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["proposal", "outcome", "approved_amount", "resolution_number", "resolved_on"]
    list_filter = ["outcome"]
    list_select_related = ["proposal"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MeetingItemInline(admin.TabularInline):
    model = MeetingItem
    extra = 0
    can_delete = False
    readonly_fields = ["proposal", "rank", "score", "review_count", "recommend", "proposed_amount", "note"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["call", "held_on", "place", "closed_at"]
    readonly_fields = ["closed_at", "closed_by"]
    inlines = [MeetingItemInline]


@admin.register(FinalReport)
class FinalReportAdmin(admin.ModelAdmin):
    list_display = ["proposal", "spent_amount", "submitted_at"]
    readonly_fields = ["proposal", "spent_amount", "cofinancing_spent", "submitted_by", "submitted_at"]


from .advice import admin as advice_admin  # noqa: E402, F401 - the advice desk's admin
