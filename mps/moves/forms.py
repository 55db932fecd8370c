"""Forms of the transfer pages. They parse input; the services decide what is valid."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mps.accounts.models import User
from mps.core.collation import romanian
from mps.geography.models import County, Locality, Village
from mps.moves.models import TransferStatus
from mps.registry.models import Relation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _moved_on_field() -> forms.DateField:
    return forms.DateField(
        label=_("Moved on"), widget=DateInput(), help_text=_("The day the family (or person) moved.")
    )


def _reason_field(label: Any = None, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"), required=required, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *TransferStatus.choices]
    )


PLACE = "place"
PLACE_FIELDS = ("county", "to_locality", "to_village")


def _refresh_on_change(url: str) -> dict[str, str]:
    """Ask HTMX to re-read the page with the place chosen so far and swap in the selects that depend on it.

    Only the place's own selects are sent (not the whole form, whose CSRF token has no place in a URL).
    """
    return {
        "hx-get": url,
        "hx-trigger": "change",
        "hx-include": f"#{PLACE}",
        "hx-target": f"#{PLACE}",
        "hx-select": f"#{PLACE}",
        "hx-swap": "outerHTML",
    }


class PlaceFields(forms.Form):
    """County, then one of its localities, then one of its villages: 3,181 localities do not fit one list."""

    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none())
    to_locality = forms.ModelChoiceField(label=_("New locality"), queryset=Locality.objects.none())
    to_village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none(), required=False)

    def set_places(self, *, county: County | None, locality: Locality | None, url: str) -> None:
        self.fields["county"].queryset = County.objects.order_by(romanian("name"))  # type: ignore[attr-defined]
        self.fields["to_locality"].queryset = (  # type: ignore[attr-defined]
            Locality.objects.filter(county=county).order_by(romanian("name"))
            if county
            else Locality.objects.none()
        )
        self.fields["to_village"].queryset = (  # type: ignore[attr-defined]
            Village.objects.filter(locality=locality).order_by(romanian("name"))
            if locality
            else Village.objects.none()
        )
        self.fields["county"].widget.attrs.update(_refresh_on_change(url))
        self.fields["to_locality"].widget.attrs.update(_refresh_on_change(url))

    def place_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PLACE_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in PLACE_FIELDS]


class HouseholdTransferForm(PlaceFields):
    to_address = forms.CharField(label=_("New address"), required=False, max_length=300)
    moved_on = _moved_on_field()
    reason = _reason_field()

    field_order = ["county", "to_locality", "to_village", "to_address", "moved_on", "reason"]


class HouseholdClaimForm(forms.Form):
    cnp = forms.CharField(
        label=_("CNP of one family member"),
        max_length=13,
        help_text=_(
            "The family says it was registered in another locality. Nothing about it is shown before the "
            "coordinator accepts the transfer."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    to_locality = forms.ModelChoiceField(
        label=_("Locality the family came to"), queryset=Locality.objects.none()
    )
    moved_on = _moved_on_field()
    reason = _reason_field()

    def __init__(self, *args: Any, localities: QuerySet[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_locality"].queryset = localities.order_by(romanian("name"))  # type: ignore[attr-defined]


class PersonMoveForm(forms.Form):
    to_household = forms.UUIDField(label=_("New household"))
    relation = forms.ChoiceField(
        label=_("Relation to the head of the new household"), choices=Relation.choices
    )
    moved_on = _moved_on_field()
    reason = _reason_field()


class PersonClaimForm(forms.Form):
    cnp = forms.CharField(
        label=_("CNP of the person"),
        max_length=13,
        help_text=_("Nothing about the person is shown before the transfer is accepted."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation to the head of this household"), choices=Relation.choices)
    moved_on = _moved_on_field()
    reason = _reason_field()


class AcceptForm(forms.Form):
    case_manager = forms.ModelChoiceField(label=_("New case manager"), queryset=User.objects.none())
    address = forms.CharField(label=_("Address in the new locality"), max_length=300)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none(), required=False)
    note = _reason_field(label=_("Note"))

    def __init__(self, *args: Any, team: QuerySet[User], villages: QuerySet[Village], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = team  # type: ignore[attr-defined]
        self.fields["case_manager"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.username
        )
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class PersonAcceptForm(forms.Form):
    note = _reason_field(label=_("Note"))


class RefuseForm(forms.Form):
    note = _reason_field(label=_("Why is the transfer refused?"), required=True)


def today_initial() -> dict[str, Any]:
    return {"moved_on": timezone.localdate()}
