from django.contrib import admin

from smartunion.core.admin import ReadOnlyAdmin

from .models import OfficerTerm, OrgUnit, PositionKind, UnitAlias, UnitKind


@admin.register(UnitKind, PositionKind)
class ListAdmin(admin.ModelAdmin):
    """The editable lists (rules are data)."""

    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    """The tree changes through the console, so every change is checked and audited."""

    list_display = ["name", "code", "union_type", "parent", "depth", "is_active"]
    list_filter = ["union_type", "is_active", "kind"]
    search_fields = ["name", "code", "short_name"]


@admin.register(UnitAlias)
class UnitAliasAdmin(ReadOnlyAdmin):
    list_display = ["alias", "unit"]
    search_fields = ["alias", "unit__name"]


@admin.register(OfficerTerm)
class OfficerTermAdmin(ReadOnlyAdmin):
    list_display = ["unit", "position", "user", "start_date", "end_date"]
    list_filter = ["position"]
    search_fields = ["unit__name", "user__name", "user__staff_no"]
