"""Admin pages for the geography: regions and counties are fixed facts; localities and villages are edited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mps.geography.models import County, Locality, Region, Village


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows that a migration loads and nobody should edit by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "siruta", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]


class VillageInline(admin.TabularInline):
    model = Village
    fields = ["name", "siruta"]
    extra = 0


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "siruta", "county", "kind", "marginalisation", "population", "children"]
    list_filter = ["county", "kind", "marginalisation"]
    list_select_related = ["county"]
    # "siruta__exact" matches the whole code, so typing 20297 finds Bacău and not every code containing it.
    search_fields = ["name", "siruta__exact"]
    inlines = [VillageInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Locality | None = None) -> list[str]:
        # The SIRUTA code is the key other records point to; changing it would orphan them.
        return ["siruta"] if obj is not None else []
