from django.contrib import admin

from .models import OfficerTerm, OrgUnit, PositionKind, UnitAlias, UnitKind


@admin.register(UnitKind, PositionKind)
class ListAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    """Read-only here: the tree changes through the console so every change is checked and audited."""

    list_display = ["name", "code", "union_type", "parent", "depth", "is_active"]
    list_filter = ["union_type", "is_active", "kind"]
    search_fields = ["name", "code", "short_name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "unit"]
    search_fields = ["alias", "unit__name"]
    readonly_fields = ["unit", "alias"]


@admin.register(OfficerTerm)
class OfficerTermAdmin(admin.ModelAdmin):
    list_display = ["unit", "position", "user", "start_date", "end_date"]
    list_filter = ["position"]
    search_fields = ["unit__name", "user__name", "user__staff_no"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
