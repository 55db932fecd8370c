from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mps.accounts.models import Role, ScopeKind, User
from mps.accounts.services import ALLOWED_SCOPES


class UserScopeForm(forms.ModelForm):
    """Refuse a scope that does not fit the role, naming the field."""

    class Meta:
        model = User
        fields = ["role", "scope", "county", "localities"]  # the admin adds the rest from its fieldsets

    def clean(self) -> dict:
        data = super().clean() or {}
        role, scope = data.get("role"), data.get("scope")
        if role and scope and scope not in ALLOWED_SCOPES.get(role, frozenset()):
            self.add_error(
                "scope",
                _("The role %(role)s cannot have the scope %(scope)s.")
                % {"role": Role(role).label, "scope": ScopeKind(scope).label},
            )
        if scope == ScopeKind.COUNTY and not data.get("county"):
            self.add_error("county", _("A county scope needs a county."))
        if scope != ScopeKind.COUNTY and data.get("county"):
            self.add_error("county", _("Only a county scope names a county."))
        if scope == ScopeKind.LOCALITIES and "localities" in data and not data["localities"]:
            self.add_error("localities", _("A locality scope needs at least one locality."))
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserScopeForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "scope",
        "county",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "scope", "county", "is_active"]
    filter_horizontal = ["localities", "groups", "user_permissions"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (gettext_lazy("Role and scope"), {"fields": ("role", "scope", "county", "localities")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (gettext_lazy("Role and scope"), {"fields": ("role", "scope", "county", "localities")}),
    )
