from django.contrib import admin

from smartunion.core.admin import ReadOnlyAdmin

from .models import Person, StaffCategory


@admin.register(StaffCategory)
class StaffCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_retired", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only and without ID or mobile numbers: people change through services so changes are audited."""

    list_display = ["staff_no", "name", "unit", "category"]
    search_fields = ["staff_no", "name"]
    exclude = ["id_number", "id_number_hash", "mobile"]
