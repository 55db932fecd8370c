"""The users' admin gains "Unlock" (lift a lockout) and shows who has a second factor; passkeys can be removed."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from mps.accounts.admin import UserAdmin
from mps.accounts.models import User
from mps.security.services import account_unlock


@admin.action(description=gettext_lazy("Unlock the selected accounts (after failed logins)"))
def unlock_accounts(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]) -> None:
    actor = request.user
    assert isinstance(actor, User)
    for user in queryset:
        account_unlock(actor=actor, user=user)
    messages.success(request, _("%(count)d accounts unlocked.") % {"count": queryset.count()})


class SecuredUserAdmin(UserAdmin):
    actions = [unlock_accounts]


admin.site.unregister(User)
admin.site.register(User, SecuredUserAdmin)
# The library defines the admin but leaves registering it to the project: an administrator removes a lost
# tablet's passkey here, as she removes a lost phone's authenticator in django-otp's own admin.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
