"""The look-up of a person on the trail page: a CNP or a record id, told apart by their shape."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

_CNP = re.compile(r"\d{13}")


class PersonLookupForm(forms.Form):
    q = forms.CharField(
        label=_("CNP or person id"),
        max_length=40,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "inputmode": "search"}),
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"]
        if _CNP.fullmatch(value):
            return value
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(
                _("Enter a CNP of 13 digits or a person's id (UUID)."), code="invalid"
            ) from None

    @property
    def is_cnp(self) -> bool:
        """Tell whether the valid look-up is a CNP rather than an id."""
        return bool(_CNP.fullmatch(self.cleaned_data["q"]))
