"""Every change to households, people and memberships: one function each, atomic, validated, audited."""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mps.access.policy import case_localities, may_edit_in
from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record, field_changes
from mps.core.cnp import cnp_problems
from mps.core.errors import DomainValidationError
from mps.core.limits import ADDRESS_MAX, NAME_MAX, too_long
from mps.geography.models import Locality, Village
from mps.registry.models import Household, Membership, MembershipEnd, Person, Relation

HOUSEHOLD_FIELDS = ("locality", "village", "address", "latitude", "longitude", "location_accuracy_m")
PERSON_FIELDS = ("first_name", "last_name", "sex", "birth_date", "cnp", "mother", "father")
MAX_AGE_YEARS = 120


def _require_editor(actor: User, locality_id: int, field: str = "locality") -> None:
    if not may_edit_in(actor, locality_id):
        raise DomainValidationError({field: [_("You may not record households in this locality.")]})


def require_processable(person: Person, field: str = "person") -> None:
    """Refuse to change a person whose processing is restricted or whose record was anonymised (mps.privacy)."""
    if person.erased_on is not None:
        raise DomainValidationError(
            {
                field: [
                    _(
                        "This person's record was anonymised after an erasure request (GDPR art. 17): "
                        "it can no longer be changed."
                    )
                ]
            }
        )
    if person.restricted:
        raise DomainValidationError(
            {
                field: [
                    _(
                        "The processing of this person's data is restricted after a data-subject request "
                        "(GDPR art. 18): their record cannot be changed until the administrator lifts the "
                        "restriction."
                    )
                ]
            }
        )


def _household_problems(data: Mapping[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not (data.get("address") or "").strip():
        problems["address"] = [_("The address is required.")]
    problems |= too_long({"address": (data.get("address"), ADDRESS_MAX)})
    village: Village | None = data.get("village")
    locality: Locality | None = data.get("locality")
    if village is not None and locality is not None and village.locality_id != locality.siruta:
        problems["village"] = [_("This village does not belong to the chosen locality.")]
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        problems["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if lat is not None and not -90 <= lat <= 90:
        problems["latitude"] = [_("The latitude must be between -90 and 90.")]
    if lon is not None and not -180 <= lon <= 180:
        problems["longitude"] = [_("The longitude must be between -180 and 180.")]
    accuracy = data.get("location_accuracy_m")
    if accuracy is not None and accuracy < 0:
        problems["location_accuracy_m"] = [_("The GPS accuracy cannot be negative.")]
    return problems


def _snapshot(instance: Household | Person, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        field: getattr(
            instance, f"{field}_id" if field in ("locality", "village", "mother", "father") else field
        )
        for field in fields
    }


def household_create(
    *,
    actor: User,
    locality: Locality,
    address: str,
    village: Village | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    location_accuracy_m: float | None = None,
    ref: uuid.UUID | None = None,
) -> Household:
    """Register a household in a locality the actor serves."""
    _require_editor(actor, locality.siruta)
    data = {
        "locality": locality,
        "village": village,
        "address": address.strip(),
        "latitude": latitude,
        "longitude": longitude,
        "location_accuracy_m": location_accuracy_m,
    }
    problems = _household_problems(data)
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        household = Household(id=ref or uuid.uuid4(), **data)
        household.refresh_search_keys()
        household.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="household",
            object_id=household.id,
            locality_id=locality.siruta,
            changes=field_changes({}, _snapshot(household, HOUSEHOLD_FIELDS)),
        )
    return household


def household_update(*, actor: User, household: Household, **changes: Any) -> Household:
    """Change a household's address, village or location; the old values stay in the audit trail."""
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"household_update got unknown fields: {sorted(unknown)}")
    _require_editor(actor, household.locality_id)
    new_locality = changes.get("locality", household.locality)
    if new_locality.siruta != household.locality_id:
        _require_editor(actor, new_locality.siruta)
    data = {field: getattr(household, field) for field in HOUSEHOLD_FIELDS} | changes
    if isinstance(data["address"], str):
        data["address"] = data["address"].strip()
    problems = _household_problems(data)
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        before = _snapshot(household, HOUSEHOLD_FIELDS)
        for field, value in data.items():
            setattr(household, field, value)
        diff = field_changes(before, _snapshot(household, HOUSEHOLD_FIELDS))
        if not diff:
            return household
        household.refresh_search_keys()
        household.version += 1
        household.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="household",
            object_id=household.id,
            locality_id=household.locality_id,
            changes=diff,
        )
    return household


# The answer for a CNP held outside the user's localities; the member pages recognise it to offer the transfer.
CNP_ELSEWHERE = gettext_lazy(
    "This CNP is already registered for a person outside your localities; their record cannot be shown "
    "here. If the person now lives here, ask your coordinator to request their transfer."
)


def _cnp_taken(actor: User, holder: Person, locality_id: int) -> str:
    """Say that a CNP is taken without disclosing, outside the user's scope, where or by whom.

    Inside the user's localities the worker may read the record anyway, so the message points at it. Outside,
    it only says that the person is registered elsewhere and how to bring them over (a transfer request to the
    coordinator), and the lookup is audited: the answer still tells that the CNP exists, which a unique
    national register cannot avoid, so repeated probing shows in the trail.
    """
    visible = Membership.objects.filter(
        person=holder, end_date__isnull=True, household__locality__in=case_localities(actor)
    ).select_related("household")
    current = visible.first()
    if current is not None:
        return _("This CNP belongs to %(name)s, already registered at %(address)s in your localities.") % {
            "name": holder.full_name,
            "address": current.household.address,
        }
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="cnp_lookup",
        object_id=holder.id,
        locality_id=locality_id,
        changes={"outcome": [None, "registered_elsewhere"]},
    )
    return str(CNP_ELSEWHERE)


def _person_problems(
    data: Mapping[str, Any], *, actor: User, locality_id: int, person_id: uuid.UUID | None, today: dt.date
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for field in ("first_name", "last_name"):
        if not (data.get(field) or "").strip():
            problems[field] = [_("This field is required.")]
    problems |= too_long(
        {"first_name": (data.get("first_name"), NAME_MAX), "last_name": (data.get("last_name"), NAME_MAX)}
    )
    if data.get("sex") not in ("F", "M"):
        problems["sex"] = [_("Choose female or male.")]
    birth: dt.date | None = data.get("birth_date")
    if birth is None:
        problems["birth_date"] = [_("The date of birth is required.")]
    elif birth > today:
        problems["birth_date"] = [_("The date of birth cannot be in the future.")]
    elif (today.year - birth.year) > MAX_AGE_YEARS:
        problems["birth_date"] = [
            _("A person cannot be older than %(years)s years.") % {"years": MAX_AGE_YEARS}
        ]
    cnp = data.get("cnp")
    if cnp:
        found = cnp_problems(cnp, sex=data.get("sex"), birth_date=birth)
        if found:
            problems["cnp"] = list(found)
        else:
            holder = (
                Person.objects.filter(cnp=cnp, merged_into__isnull=True)
                .exclude(pk=person_id or uuid.UUID(int=0))
                .first()
            )
            if holder is not None:
                problems["cnp"] = [_cnp_taken(actor, holder, locality_id)]
    for parent_field, sex in (("mother", "F"), ("father", "M")):
        parent: Person | None = data.get(parent_field)
        if parent is None:
            continue
        if person_id is not None and parent.id == person_id:
            problems[parent_field] = [_("A person cannot be their own parent.")]
        elif parent.sex != sex:
            problems[parent_field] = [
                _("The mother must be a woman.") if sex == "F" else _("The father must be a man.")
            ]
        elif birth is not None and parent.birth_date >= birth:
            problems[parent_field] = [_("A parent must be born before the child.")]
    return problems


def member_add(
    *,
    actor: User,
    household: Household,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: dt.date,
    relation: str,
    cnp: str | None = None,
    mother: Person | None = None,
    father: Person | None = None,
    start_date: dt.date | None = None,
    ref: uuid.UUID | None = None,
) -> Membership:
    """Record a new person as living in the household from a date (birth or moving in)."""
    _require_editor(actor, household.locality_id, field="household")
    today = timezone.localdate()
    data = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "sex": sex,
        "birth_date": birth_date,
        "cnp": (cnp or "").strip() or None,
        "mother": mother,
        "father": father,
    }
    problems = _person_problems(
        data, actor=actor, locality_id=household.locality_id, person_id=None, today=today
    )
    problems.update(_membership_problems(household, relation, person_id=None))
    start = start_date or today
    if birth_date and start < birth_date:
        problems.setdefault("start_date", []).append(_("Nobody lives in a household before being born."))
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        person = Person(id=ref or uuid.uuid4(), **data)
        person.refresh_search_keys()
        try:
            person.save(force_insert=True)
        except IntegrityError as error:  # a concurrent save took the same CNP
            raise DomainValidationError(
                cnp=_("The CNP was registered for another person meanwhile.")
            ) from error
        membership = Membership.objects.create(
            household=household, person=person, relation=relation, start_date=start
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="person",
            object_id=person.id,
            locality_id=household.locality_id,
            changes=field_changes({}, _snapshot(person, PERSON_FIELDS))
            | {"household": [None, str(household.id)], "relation": [None, relation]},
        )
    return membership


def _membership_problems(
    household: Household, relation: str, *, person_id: uuid.UUID | None
) -> dict[str, list[str]]:
    if relation not in Relation.values:
        return {"relation": [_("Choose the relation to the head of household.")]}
    if relation == Relation.HEAD:
        others = household.memberships.filter(end_date__isnull=True, relation=Relation.HEAD)
        if person_id is not None:
            others = others.exclude(person_id=person_id)
        if others.exists():
            return {"relation": [_("This household already has a head.")]}
    return {}


def person_update(
    *, actor: User, membership: Membership, relation: str | None = None, **changes: Any
) -> Person:
    """Correct a current member's personal data or relation; old values stay in the audit trail."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update got unknown fields: {sorted(unknown)}")
    household = membership.household
    person = membership.person
    _require_editor(actor, household.locality_id, field="household")
    require_processable(person)
    data = {field: getattr(person, field) for field in PERSON_FIELDS} | changes
    for field in ("first_name", "last_name"):
        data[field] = (data[field] or "").strip()
    data["cnp"] = (data["cnp"] or "").strip() or None
    problems = _person_problems(
        data, actor=actor, locality_id=household.locality_id, person_id=person.id, today=timezone.localdate()
    )
    if relation is not None and relation != membership.relation:
        problems.update(_membership_problems(household, relation, person_id=person.id))
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        before = _snapshot(person, PERSON_FIELDS) | {"relation": membership.relation}
        for field, value in data.items():
            setattr(person, field, value)
        if relation is not None:
            membership.relation = relation
        diff = field_changes(before, _snapshot(person, PERSON_FIELDS) | {"relation": membership.relation})
        if not diff:
            return person
        person.refresh_search_keys()
        person.version += 1
        person.save()
        membership.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person",
            object_id=person.id,
            locality_id=household.locality_id,
            changes=diff,
        )
    return person


def membership_end(*, actor: User, membership: Membership, end_date: dt.date, reason: str) -> Membership:
    """Record that a member moved out or died; the membership stays in the household's history."""
    _require_editor(actor, membership.household.locality_id, field="household")
    require_processable(membership.person)
    problems: dict[str, list[str]] = {}
    if membership.end_date is not None:
        problems["end_date"] = [_("This person no longer lives in the household.")]
    if reason not in (MembershipEnd.MOVED_OUT, MembershipEnd.DIED):
        problems["reason"] = [_("Choose why the person left: moved out or died.")]
    if end_date < membership.start_date:
        problems["end_date"] = [_("The date cannot be before the person came to live here.")]
    if end_date > timezone.localdate():
        problems["end_date"] = [_("The date cannot be in the future.")]
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        membership.end_date = end_date
        membership.end_reason = reason
        membership.version += 1
        membership.save()
        person = membership.person
        if reason == MembershipEnd.DIED:
            person.death_date = end_date
            person.version += 1
            person.save()
        audit_record(
            actor=actor,
            action=AuditAction.END,
            object_type="person",
            object_id=person.id,
            locality_id=membership.household.locality_id,
            changes={
                "household": [str(membership.household_id), None],
                "reason": [None, reason],
                "end_date": [None, end_date.isoformat()],
            },
        )
    return membership


def person_merge(*, actor: User, keep: Person, duplicate: Person) -> Person:
    """Merge a duplicate into the record to keep: both histories end up on the kept person."""
    problems: dict[str, list[str]] = {}
    if keep.id == duplicate.id:
        problems["duplicate"] = [_("A person cannot be merged with themselves.")]
    if keep.merged_into_id or duplicate.merged_into_id:
        problems["duplicate"] = [_("One of these records was already merged.")]
    if keep.cnp and duplicate.cnp and keep.cnp != duplicate.cnp:
        problems["cnp"] = [_("The two records have different CNPs; they are not the same person.")]
    if problems:
        raise DomainValidationError(problems)
    require_processable(keep, field="duplicate")
    require_processable(duplicate, field="duplicate")
    localities = set(
        Membership.objects.filter(person__in=[keep, duplicate]).values_list(
            "household__locality_id", flat=True
        )
    )
    for locality_id in localities:
        _require_editor(actor, locality_id, field="duplicate")
    with transaction.atomic():
        keep_current = keep.memberships.filter(end_date__isnull=True).first()
        today = timezone.localdate()
        for membership in duplicate.memberships.all():
            if membership.end_date is None and keep_current is not None:
                # The kept person already lives somewhere: the duplicate's open stay ends as merged.
                membership.end_date = max(today, membership.start_date)
                membership.end_reason = MembershipEnd.MERGED
            membership.person = keep
            membership.save()
        changes: dict[str, list[Any]] = {"merged": [str(duplicate.id), str(keep.id)]}
        for field in ("cnp", "mother", "father", "death_date"):
            attr = f"{field}_id" if field in ("mother", "father") else field
            if getattr(keep, attr) is None and getattr(duplicate, attr) is not None:
                changes[field] = [None, str(getattr(duplicate, attr))]
                setattr(keep, attr, getattr(duplicate, attr))
        Person.objects.filter(mother=duplicate).update(mother=keep)
        Person.objects.filter(father=duplicate).update(father=keep)
        duplicate.merged_into = keep
        duplicate.version += 1
        duplicate.save()
        keep.refresh_search_keys()
        keep.version += 1
        keep.save()
        audited_localities: list[int | None] = [*sorted(localities)] or [None]
        for audited in audited_localities:
            audit_record(
                actor=actor,
                action=AuditAction.MERGE,
                object_type="person",
                object_id=keep.id,
                locality_id=audited,
                changes=changes,
            )
    return keep


def person_merge_group(*, actor: User, keep: Person, duplicates: list[Person]) -> Person:
    """Merge several records of one person into the one the user chose to keep: all of them or none."""
    # The page lets the kept record stay ticked; it is the survivor, not one of the merged.
    duplicates = [duplicate for duplicate in duplicates if duplicate.id != keep.id]
    if not duplicates:
        raise DomainValidationError(
            {"duplicates": [_("Tick at least one record to merge into the one kept.")]}
        )
    with transaction.atomic():
        for duplicate in duplicates:
            keep = person_merge(actor=actor, keep=keep, duplicate=duplicate)
    return keep
