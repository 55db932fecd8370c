"""Administrators list device tokens and revoke them; pushed items and conflicts are shown read-only."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mps.accounts.models import User
from mps.sync.models import Conflict, DeviceToken, PushedItem
from mps.sync.tokens import device_token_revoke


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "device_name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "device_name", "prefix"]
    readonly_fields = [
        "user",
        "device_name",
        "device_id",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued by `manage.py issue_device_token` or the field app, which show them once.
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[DeviceToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        count = 0
        for device in queryset.filter(revoked_at__isnull=True):
            device_token_revoke(actor=actor, device=device)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PushedItem)
class PushedItemAdmin(admin.ModelAdmin):
    list_display = ["kind", "ref", "status", "user", "device_id", "received_at"]
    list_filter = ["kind", "status"]
    search_fields = ["=ref", "user__username", "device_id"]
    readonly_fields = [f.name for f in PushedItem._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PushedItem | None = None) -> bool:
        return False


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["household", "kind", "detected_at", "resolved_at", "resolved_by"]
    list_filter = ["kind", "resolved_at"]
    readonly_fields = [f.name for f in Conflict._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
