"""Reads of households and people, always through the user's scope (see mps.access.policy)."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.http import Http404

from mps.access.policy import case_localities
from mps.accounts.models import User
from mps.audit.models import AuditEvent
from mps.audit.services import audit_reads
from mps.core.collation import romanian
from mps.core.search_text import fold_address, fold_for_search
from mps.registry.history import ReadableChange, readable_changes
from mps.registry.models import Household, Membership, Person, Relation


def household_list_for_user(
    user: User,
    *,
    query: str = "",
    locality_id: int | None = None,
    village_id: int | None = None,
) -> QuerySet[Household]:
    """Return the households the user may see, filtered by a diacritics-blind search and place."""
    households = Household.objects.filter(locality__in=case_localities(user))
    if locality_id:
        households = households.filter(locality_id=locality_id)
    if village_id:
        households = households.filter(village_id=village_id)
    current = Membership.objects.filter(household=OuterRef("pk"), end_date__isnull=True)
    households = households.annotate(head_name=_member_name(current.filter(relation=Relation.HEAD)))
    folded = fold_for_search(query)
    if folded:
        # The list says who matched, so a worker sees why a household came up (a child, not the head).
        matching = current.filter(person__search_text__contains=folded)
        households = households.filter(
            Q(search_text__contains=fold_address(query)) | Exists(matching)
        ).annotate(
            matched_name=_member_name(matching),
            matched_relation=Subquery(matching.order_by("start_date", "pk").values("relation")[:1]),
        )
    return (
        households.select_related("locality", "village", "case_manager")
        .annotate(member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by(romanian("locality__name"), romanian("address"))
    )


def _member_name(memberships: QuerySet[Membership]) -> Subquery:
    """The full name of the first of these members, as one column of the household list."""
    full_name = Concat("person__first_name", Value(" "), "person__last_name", output_field=CharField())
    return Subquery(memberships.order_by("start_date", "pk").annotate(name=full_name).values("name")[:1])


def household_get_for_user(user: User, ref: uuid.UUID | str) -> Household:
    """Return one household the user may see; 404 when it is missing or outside their scope alike."""
    try:
        return Household.objects.select_related("locality__county", "village", "case_manager").get(
            id=ref, locality__in=case_localities(user)
        )
    except (Household.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class HouseholdRecord:
    """What the household page shows: the household, who lives there now, who used to, and its trail."""

    household: Household
    current: list[Membership]
    past: list[Membership]
    history: list[AuditEvent]
    # Per event id, its changes as people read them (labels, names, dates).
    changes: dict[int, list[ReadableChange]]

    @property
    def history_lines(self) -> list[tuple[AuditEvent, list[ReadableChange]]]:
        return [(event, self.changes.get(event.pk, [])) for event in self.history]


def household_record_for_user(user: User, ref: uuid.UUID | str) -> HouseholdRecord:
    """Return a household with its members and history, and record that the user read them."""
    household = household_get_for_user(user, ref)
    memberships = list(
        household.memberships.select_related("person__mother", "person__father").order_by(
            "end_date", "start_date", "person__birth_date"
        )
    )
    current = [m for m in memberships if m.end_date is None]
    past = [m for m in memberships if m.end_date is not None]
    person_ids = [str(m.person_id) for m in memberships]
    history = list(
        AuditEvent.objects.filter(
            Q(object_type="household", object_id=str(household.id))
            | Q(object_type="person", object_id__in=person_ids)
        )
        .exclude(action="view")
        .select_related("actor")[:50]
    )
    audit_reads(
        actor=user, object_type="household", object_ids=[household.id], locality_id=household.locality_id
    )
    audit_reads(actor=user, object_type="person", object_ids=person_ids, locality_id=household.locality_id)
    return HouseholdRecord(
        household=household, current=current, past=past, history=history, changes=readable_changes(history)
    )


def membership_get_for_user(user: User, household: Household, person_ref: uuid.UUID | str) -> Membership:
    """Return a member's current membership of a household the user may see, or 404."""
    try:
        return Membership.objects.select_related("person", "household").get(
            household=household, person_id=person_ref, end_date__isnull=True
        )
    except (Membership.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def parents_for_household(household: Household) -> QuerySet[Person]:
    """Return the current members who can be chosen as someone's mother or father."""
    return Person.objects.filter(memberships__household=household, memberships__end_date__isnull=True)


def person_list_for_user(user: User) -> QuerySet[Person]:
    """Return the active (not merged) people who live or lived in the user's localities."""
    return (
        Person.objects.filter(
            merged_into__isnull=True, memberships__household__locality__in=case_localities(user)
        )
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("household__locality"))
        )
    )


def person_get_for_user(user: User, ref: uuid.UUID | str) -> Person:
    """Return one person the user may see, or 404."""
    try:
        return person_list_for_user(user).get(id=ref)
    except (Person.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class DuplicateCandidate:
    """Two or more active person records in one county with the same names and date of birth."""

    county_id: str
    people: list[Person]

    @property
    def suggested_keep(self) -> Person:
        """The record a merge keeps unless the user chooses another: one with a CNP, else the first recorded."""
        return min(self.people, key=lambda person: (not person.cnp, person.created_at))


def duplicate_candidates_for_user(user: User, *, limit: int = 100) -> list[DuplicateCandidate]:
    """List groups of people with the same folded names and birth date in one county, for review.

    Two active records can never share a CNP (the database refuses it, and an import that brings a CNP already
    held by another person is rejected at that member's `cnp`), so names and birth date are what is left to
    catch a person recorded twice.
    """
    in_scope = Person.objects.filter(
        merged_into__isnull=True, memberships__household__locality__in=case_localities(user)
    )
    keys = list(
        in_scope.values("memberships__household__locality__county_id", "name_key", "birth_date")
        .annotate(n=Count("id", distinct=True))
        .filter(n__gt=1)
        .order_by("name_key", "birth_date")[:limit]
    )
    if not keys:
        return []
    condition = Q()
    for key in keys:
        condition |= Q(
            memberships__household__locality__county_id=key["memberships__household__locality__county_id"],
            name_key=key["name_key"],
            birth_date=key["birth_date"],
        )
    people = (
        in_scope.filter(condition)
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("household__locality"))
        )
    )
    grouped: dict[tuple[str, str, object], list[Person]] = {}
    for person in people:
        for membership in person.memberships.all():
            group_key = (membership.household.locality.county_id, person.name_key, person.birth_date)
            group = grouped.setdefault(group_key, [])
            if person not in group:
                group.append(person)
    return [
        DuplicateCandidate(county_id=county, people=sorted(group, key=lambda p: p.created_at))
        for (county, _name, _birth), group in sorted(grouped.items(), key=lambda item: str(item[0]))
        if len(group) > 1
    ]
