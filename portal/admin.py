from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.gis import admin
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .logs import redact
from .models import ActivityLog, Municipality, Notification, PartnerBody, PoliceUnit, Profile, User
from .roles import ROLES, role_names


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
    # The texts carry private links (a report's tracking page, a registration's page): their tokens are
    # masked here; the row itself is deleted once the email is delivered (retention "portal.outbox").
    # (an email the worker has not rendered yet keeps its links in ``context``: not shown)
    exclude = ["body_text", "body_html", "attachments", "context"]
    readonly_fields = [
        *(
            f.name
            for f in Notification._meta.fields
            if f.name not in {"body_text", "body_html", "attachments", "context"}
        ),
        "text_masked",
        "html_masked",
        "attachment_names",
    ]

    @admin.display(description=_("text"))
    def text_masked(self, obj):
        return format_html("<pre>{}</pre>", redact(obj.body_text))

    @admin.display(description=_("HTML"))
    def html_masked(self, obj):
        return format_html("<pre>{}</pre>", redact(obj.body_html)) if obj.body_html else "–"

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj):
        return ", ".join(a.get("filename", "?") for a in obj.attachments or []) or "–"


# --- People: deactivate leavers, see and edit their roles and profile


class UserRolesForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=list(ROLES.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = ["email", "is_active", "is_staff", "is_superuser"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(role_names(self.instance))


class UserAddForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["full_name", "language", "municipality", "police_unit", "partner_body"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Roles are written by ``services.user_set_roles`` (logged, the user is told by email); Django's raw
    groups and permissions are not offered."""

    form = UserRolesForm
    add_form = UserAddForm
    ordering = ["email"]
    list_display = ["email", "full_name", "roles_display", "second_factor", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "profile__full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Roles"), {"fields": ["roles"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})
    ]
    inlines = [ProfileInline]
    actions = ["deactivate"]

    def get_queryset(self, request):
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return (
            super()
            .get_queryset(request)
            .select_related("profile")
            .prefetch_related("groups")
            .annotate(has_second_factor=Exists(totp))
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("full name"), ordering="profile__full_name")
    def full_name(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.full_name if profile else ""

    @admin.display(description=_("Roles"))
    def roles_display(self, obj):
        return ", ".join(str(ROLES[group.name]) for group in obj.groups.all() if group.name in ROLES)

    @admin.display(description=_("Second factor"), boolean=True)
    def second_factor(self, obj):
        return getattr(obj, "has_second_factor", None)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            services.user_set_roles(
                user=form.instance, roles=list(form.cleaned_data["roles"]), actor=request.user
            )
        if not hasattr(form.instance, "profile"):
            services.profile_ensure(user=form.instance)

    @admin.action(description=_("Deactivate the selected people (they can no longer log in)"))
    def deactivate(self, request, queryset):
        count = services.users_deactivate(users=list(queryset), actor=request.user)
        message = ngettext("%(count)d person deactivated.", "%(count)d people deactivated.", count)
        self.message_user(request, message % {"count": count})
