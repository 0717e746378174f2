from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    GoodPractice,
    Initiative,
    Nomination,
    PresentationOffer,
    Publication,
    Recommendation,
    Registration,
    Workshop,
    WorkshopMessage,
)


class WorkshopInline(admin.TabularInline):
    model = Workshop
    extra = 0
    fields = ["number", "theme_cs", "held_on", "venue", "capacity", "partner_seats"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_cs", "language", "nomination_deadline"]
    inlines = [WorkshopInline]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["municipality", "initiative", "representative_name", "email", "status", "updated_at"]
    list_filter = ["initiative", "status"]
    search_fields = ["municipality__name", "representative_name", "email"]
    raw_id_fields = ["municipality", "submitted_by"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-mostly: seats are given and freed by the services (capacity, waitlist, emails), not here."""

    list_display = ["full_name", "email", "workshop", "organisation", "status", "partner_seat", "created_at"]
    list_filter = ["workshop__initiative", "workshop", "status", "organisation_type"]
    search_fields = ["full_name", "email", "organisation"]
    readonly_fields = [
        "status",
        "partner_seat",
        "confirmed_at",
        "waitlisted_at",
        "cancelled_at",
        "attended_at",
        "reminder_sent_at",
        "created_at",
        "consent_at",
    ]
    raw_id_fields = ["user"]


@admin.register(PresentationOffer)
class PresentationOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "speaker_name", "workshop", "status", "created_at"]
    list_filter = ["workshop__initiative", "status"]
    search_fields = ["title", "speaker_name", "speaker_email"]
    readonly_fields = ["status", "decided_by", "decided_at"]
    raw_id_fields = ["author"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "town", "workshop"]
    list_filter = ["workshop__initiative", "workshop"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "addressee", "priority", "workshop"]
    list_filter = ["workshop__initiative", "workshop", "addressee", "priority"]


@admin.register(WorkshopMessage)
class WorkshopMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "workshop", "recipients", "created_at"]
    readonly_fields = ["recipients", "sent_by", "created_at"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "initiative",
        "language",
        "edition",
        "status",
        "progress",
        "heartbeat_at",
        "pages",
        "created_at",
        "published_at",
    ]
    list_filter = ["initiative", "status", "language"]
    readonly_fields = [
        "status",
        "progress",
        "pages",
        "size",
        "started_at",
        "heartbeat_at",
        "requeued_at",
        "finished_at",
        "failure",
        "error",
    ]
    actions = ["reset"]

    @admin.action(
        description=_("Reset stuck builds (shown as failed; the organiser may retry)"), permissions=["change"]
    )
    def reset(self, request: HttpRequest, queryset) -> None:
        stopped = sum(
            services.publication_reset(publication=edition, actor=request.user) for edition in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d build stopped; editions already finished were left alone.",
                "%(count)d builds stopped; editions already finished were left alone.",
                stopped,
            )
            % {"count": stopped},
            messages.SUCCESS if stopped else messages.WARNING,
        )
