from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from smartunion.core.admin import ReadOnlyAdmin

from .models import LoginAttempt, Role, RoleAssignment, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Accounts change in the console (账号管理), where the rules are checked and every change is
    audited; the first superuser comes from `manage.py createsuperuser`."""

    ordering = ["staff_no"]
    list_display = ["staff_no", "name", "is_active", "is_superuser", "last_login"]
    search_fields = ["staff_no", "name"]
    list_filter = ["is_active", "is_superuser", "must_change_password"]
    fieldsets = (
        (None, {"fields": ("staff_no", "name", "email")}),
        (
            _("Status"),
            {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password", "last_login")},
        ),
    )


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "is_system", "sort_order"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "unit", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["user__name", "user__staff_no", "unit__name"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    """The security log of logins: kept, never edited or erased here."""

    list_display = ["identifier", "user", "succeeded", "ip_address", "created_at"]
    list_filter = ["succeeded"]
    search_fields = ["identifier"]
