"""Forms of the case pages: they parse input; the services decide what is allowed."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.accounts.models import User
from mps.cases.models import (
    ActivityKind,
    CloseReason,
    Institution,
    Place,
    PlanAction,
    PlanGoal,
    Service,
)
from mps.cases.services import ActionChoice
from mps.core.collation import romanian
from mps.core.limits import NOTE_MAX
from mps.geography.models import Locality
from mps.registry.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.birth_date:%d.%m.%Y})"


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class GoalChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, names: Mapping[str, str], **kwargs: Any) -> None:
        self.names = names
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        who = f" · {obj.person.full_name}" if obj.person else ""
        return f"{obj.code} {self.names.get(obj.code, '')}{who}"


class DeliveryForm(forms.Form):
    service = ServiceChoiceField(label=_("Service"), queryset=Service.objects.none())
    person = PersonChoiceField(
        label=pgettext_lazy("delivery", "For"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("the whole household"),
    )
    worker = WorkerChoiceField(label=pgettext_lazy("delivery", "Who"), queryset=User.objects.none())
    delivered_on = forms.DateField(label=pgettext_lazy("delivery", "When"), widget=DATE)
    place = forms.ChoiceField(label=pgettext_lazy("delivery", "Where"), choices=Place.choices)
    duration_minutes = forms.IntegerField(
        label=_("How long (minutes)"), min_value=1, max_value=720, initial=30
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        services: Sequence[Service],
        people: Sequence[Person],
        workers: Sequence[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = Service.objects.filter(id__in=[s.id for s in services])
        fields["person"].queryset = Person.objects.filter(id__in=[p.id for p in people]).order_by(
            "birth_date"
        )
        fields["worker"].queryset = User.objects.filter(id__in=[w.id for w in workers]).order_by(
            romanian("last_name")
        )


class ReferralForm(forms.Form):
    goal = GoalChoiceField(label=_("For the finding"), queryset=PlanGoal.objects.none(), names={})
    institution = forms.ChoiceField(label=_("Institution"), choices=Institution.choices)
    institution_name = forms.CharField(
        label=_("Name and address of the institution"), required=False, max_length=200
    )
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Answer due by"), widget=DATE)

    def __init__(
        self, *args: Any, goals: Sequence[PlanGoal], names: Mapping[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["goal"]
        field.queryset = PlanGoal.objects.filter(id__in=[g.id for g in goals]).select_related("person")
        field.names = names


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("Signature date"), widget=DATE)
    signed_by = forms.CharField(label=_("Signed for the family by"), max_length=200)
    family_commitments = forms.CharField(
        label=_("The family's commitments"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    team_commitments = forms.CharField(
        label=_("The team's commitments"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=CloseReason.choices)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)


class ReassignForm(forms.Form):
    manager = WorkerChoiceField(label=_("New case manager"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, workers: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["manager"]
        field.queryset = User.objects.filter(id__in=[w.id for w in workers]).order_by(romanian("last_name"))


class ActionAddForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    service = ServiceChoiceField(label=_("Service"), queryset=Service.objects.none())
    owner = WorkerChoiceField(label=pgettext_lazy("plan", "Who"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("By when"), widget=DATE)

    def __init__(
        self, *args: Any, services: Sequence[Service], workers: Sequence[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = Service.objects.filter(id__in=[s.id for s in services])
        fields["owner"].queryset = User.objects.filter(id__in=[w.id for w in workers]).order_by(
            romanian("last_name")
        )


class ActivityForm(forms.Form):
    locality = forms.ModelChoiceField(label=_("Locality"), queryset=Locality.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    facilitator = WorkerChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, localities: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["locality"].queryset = localities
        fields["facilitator"].queryset = workers


def plan_choices_from_post(
    data: Mapping[str, Any], actions: Sequence[PlanAction], workers: Sequence[User]
) -> tuple[list[ActionChoice], dict[str, list[str]]]:
    """Read the plan form (include_<id>, owner_<id>, due_<id> per action) into choices and parsing problems."""
    by_id = {str(worker.id): worker for worker in workers}
    choices, problems = [], {}
    for action in actions:
        include = data.get(f"include_{action.id}") == "on"
        owner = by_id.get(str(data.get(f"owner_{action.id}", "")))
        raw_due = str(data.get(f"due_{action.id}", ""))
        try:
            due_on = dt.date.fromisoformat(raw_due)
        except ValueError:
            if include:
                problems[f"due_{action.id}"] = [str(_("Enter a valid date."))]
            due_on = action.due_on
        choices.append(ActionChoice(action_id=action.id, include=include, owner=owner, due_on=due_on))
    return choices, problems


def today() -> dt.date:
    """Return today's date in the platform's time zone (the forms' default)."""
    return timezone.localdate()


DUE_ITEM_TYPE_LABELS = {
    "task": _("Tasks"),
    "action": _("Plan actions"),
    "referral": _("Referrals"),
    "reevaluation": _("Re-evaluations"),
}


class MyDayFilterForm(forms.Form):
    """The filters of "Ziua mea": item type, household and locality, each optional, read from GET."""

    type = forms.ChoiceField(label=_("Type"), required=False)
    household = forms.ChoiceField(label=_("Household"), required=False)
    locality = forms.ModelChoiceField(label=_("Locality"), queryset=Locality.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        households: Sequence[Any],
        localities: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *DUE_ITEM_TYPE_LABELS.items()]  # type: ignore[attr-defined]
        self.fields["household"].choices = [  # type: ignore[attr-defined]
            ("", _("All households")),
            *((str(h.id), h.address) for h in households),
        ]
        self.fields["locality"].queryset = localities  # type: ignore[attr-defined]
        self.fields["locality"].empty_label = _("All my localities")  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of MyDay.filtered; an invalid one is left out."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        locality = data.get("locality")
        household = data.get("household")
        return {
            "item_type": data.get("type") or "",
            "household_id": uuid.UUID(household) if household else None,
            "locality_id": locality.pk if locality else None,
        }

    def problems(self) -> list[str]:
        """Return one sentence per filter whose value is unknown, naming the filter."""
        if not self.is_bound or self.is_valid():
            return []
        return [
            _("The “%(filter)s” filter has no value “%(value)s”; it was left out.")
            % {"filter": self.fields[name].label, "value": self.data.get(name, "")}
            for name in self.errors
        ]
