"""Forms of the registry pages. They parse input; the services decide what is valid."""

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mps.geography.models import Locality, Village
from mps.registry.models import MembershipEnd, Person, Relation, Sex


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, CNP or address")}),
    )
    locality = forms.ModelChoiceField(label=_("Locality"), queryset=Locality.objects.none(), required=False)

    def __init__(self, *args: Any, localities: QuerySet[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = localities  # type: ignore[attr-defined]
        self.fields["locality"].empty_label = _("All my localities")  # type: ignore[attr-defined]


class HouseholdForm(forms.Form):
    locality = forms.ModelChoiceField(label=_("Locality"), queryset=Locality.objects.none())
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=300)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    location_accuracy_m = forms.FloatField(label=_("GPS accuracy (m)"), required=False, min_value=0)

    def __init__(self, *args: Any, localities: QuerySet[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = localities  # type: ignore[attr-defined]
        self.fields["village"].queryset = Village.objects.filter(  # type: ignore[attr-defined]
            locality__in=localities
        ).select_related("locality")


class MemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    cnp = forms.CharField(
        label=_("CNP"),
        required=False,
        max_length=13,
        min_length=13,
        help_text=_("13 digits; leave empty if the person has none yet."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{13}", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation to the head of household"), choices=Relation.choices)
    mother = forms.ModelChoiceField(
        label=_("Mother (if she lives here)"), queryset=Person.objects.none(), required=False
    )
    father = forms.ModelChoiceField(
        label=_("Father (if he lives here)"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, parents: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mother"].queryset = parents.filter(sex=Sex.FEMALE)  # type: ignore[attr-defined]
        self.fields["father"].queryset = parents.filter(sex=Sex.MALE)  # type: ignore[attr-defined]

    def clean_cnp(self) -> str | None:
        value: str = self.cleaned_data["cnp"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("The CNP has only digits."))
        return value or None


class NewMemberForm(MemberForm):
    start_date = forms.DateField(
        label=_("Lives here since"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today; for a newborn, the date of birth."),
    )


class MembershipEndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does the person no longer live here?"),
        choices=[
            (MembershipEnd.MOVED_OUT, MembershipEnd.MOVED_OUT.label),
            (MembershipEnd.DIED, MembershipEnd.DIED.label),
        ],
    )
    end_date = forms.DateField(label=_("Since"), widget=DateInput())


class UUIDListField(forms.Field):
    """Several record ids sent under one name (ticked check boxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        try:
            return [uuid.UUID(str(item)) for item in value or []]
        except ValueError as error:
            raise forms.ValidationError(_("Enter a valid UUID."), code="invalid") from error


class MergeForm(forms.Form):
    """Which record of a group survives, and which of the others are the same person and merge into it."""

    keep = forms.UUIDField(label=_("Record to keep"))
    duplicates = UUIDListField(label=_("Records to merge into it"))
