from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import LoginAttempt, Role, RoleAssignment, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["staff_no"]
    list_display = ["staff_no", "name", "mobile", "is_active", "is_superuser", "last_login"]
    search_fields = ["staff_no", "name", "mobile"]
    list_filter = ["is_active", "is_superuser", "must_change_password"]
    fieldsets = (
        (None, {"fields": ("staff_no", "password")}),
        ("Personal", {"fields": ("name", "mobile", "email")}),
        (
            "Status",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "must_change_password",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("staff_no", "name", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_system", "sort_order"]
    filter_horizontal = ["permissions"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments change through the console so they are checked and audited."""

    list_display = ["user", "role", "unit", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["user__name", "user__staff_no", "unit__name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["identifier", "user", "succeeded", "ip_address", "created_at"]
    list_filter = ["succeeded"]
    search_fields = ["identifier"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
