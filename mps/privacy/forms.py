"""The forms of the data-subject requests' pages: the request as received, and the reasons of each step."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mps.privacy.models import RequestKind, RequestStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubjectRequestForm(forms.Form):
    """A request as the administrator received it (lengths are checked by the service, naming the field)."""

    kind = forms.ChoiceField(label=_("What the person asks for"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    requester = forms.CharField(
        label=_("Who asked"),
        help_text=_(
            "The person, a parent or a legal guardian: name and quality, as they signed the request."
        ),
    )
    details = forms.CharField(
        label=_("What is asked"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    identity_checked = forms.BooleanField(
        label=_("I checked the requester's identity (and, for a parent or guardian, their right to ask)"),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Answer given to the requester"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *RequestStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
