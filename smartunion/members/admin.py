from django.contrib import admin

from .models import Person, StaffCategory


@admin.register(StaffCategory)
class StaffCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_retired", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-only and without ID numbers: people change through services so changes are audited."""

    list_display = ["staff_no", "name", "unit", "category"]
    search_fields = ["staff_no", "name"]
    exclude = ["id_number"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
