"""Forms of the census pages. They parse input; the services decide what is valid."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.geography.models import Locality, Village

from .models import EntrySource, EntryStatus, VisitOutcome


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignOpenForm(forms.Form):
    locality = forms.ModelChoiceField(label=_("Locality"), queryset=Locality.objects.none())
    wave = forms.CharField(
        label=_("Wave"),
        max_length=3,
        initial="T0",
        help_text=_("T0 is the first social census; T1, T2… are the re-evaluations."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    name = forms.CharField(
        label=pgettext_lazy("census campaign", "Name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty for “Census T0, <locality>”."),
    )

    def __init__(self, *args: Any, localities: QuerySet[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = localities  # type: ignore[attr-defined]


class CampaignCloseForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register (CSV file)"),
        help_text=_(
            "First line: register_ref,address,village,head_name. One household per line, saved as UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class FoundInFieldForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=300)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none(), required=False)
    head_name = forms.CharField(label=_("Head of household"), max_length=200, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    location_accuracy_m = forms.FloatField(label=_("GPS accuracy (m)"), required=False, min_value=0)

    def __init__(self, *args: Any, locality: Locality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(locality=locality)  # type: ignore[attr-defined]


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *EntryStatus.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *EntrySource.choices], required=False
    )


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    visited_on = forms.DateField(label=_("Visit date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    # Made by the page when it is drawn, so that pressing the button twice records one visit.
    ref = forms.UUIDField(required=False, widget=forms.HiddenInput())
