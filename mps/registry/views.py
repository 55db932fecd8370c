"""Registry pages: parse the request, call one selector or service, render. No rules live here."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mps.access.policy import can_edit_cases, case_localities, editable_localities
from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.registry import selectors, services
from mps.registry.forms import (
    HouseholdFilterForm,
    HouseholdForm,
    MemberForm,
    MembershipEndForm,
    MergeForm,
    NewMemberForm,
)

PAGE_SIZE = 25


def _cnp_elsewhere(form: MemberForm) -> str:
    """The CNP typed when it belongs to someone outside the user's localities (the page offers a transfer)."""
    if str(services.CNP_ELSEWHERE) in list(form.errors.get("cnp", [])):
        return str(form.cleaned_data.get("cnp") or form.data.get("cnp", ""))
    return ""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _require_editor(user: User) -> None:
    if not can_edit_cases(user):
        raise Http404


def household_list(request: HttpRequest) -> HttpResponse:
    """List the households of the user's localities, searchable and paginated."""
    user = _user(request)
    form = HouseholdFilterForm(request.GET or None, localities=case_localities(user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        locality = form.cleaned_data.get("locality")
        filters = {
            "query": form.cleaned_data.get("q") or "",
            "locality_id": locality.siruta if locality else None,
        }
    households = selectors.household_list_for_user(user, **filters)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "searched": bool(filters.get("query")),
        "can_edit": can_edit_cases(user),
    }
    template = (
        "registry/_household_rows.html"
        if request.headers.get("HX-Request")
        else "registry/household_list.html"
    )
    return render(request, template, context)


def household_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """Show one household, its current and past members and its history."""
    user = _user(request)
    record = selectors.household_record_for_user(user, ref)
    return render(
        request, "registry/household_detail.html", {"record": record, "can_edit": can_edit_cases(user)}
    )


@require_http_methods(["GET", "POST"])
def household_create_view(request: HttpRequest) -> HttpResponse:
    """Register a new household in one of the user's localities."""
    user = _user(request)
    _require_editor(user)
    form = HouseholdForm(request.POST or None, localities=editable_localities(user))
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=user, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The household was registered. Now add its members."))
            return redirect("registry:member_add", ref=household.id)
    return render(request, "registry/household_form.html", {"form": form, "household": None})


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, ref: str) -> HttpResponse:
    """Change a household's address, village or location."""
    user = _user(request)
    _require_editor(user)
    household = selectors.household_get_for_user(user, ref)
    initial = {field: getattr(household, field) for field in services.HOUSEHOLD_FIELDS}
    form = HouseholdForm(request.POST or None, initial=initial, localities=editable_localities(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=user, household=household, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The household was saved."))
            return redirect("registry:household_detail", ref=household.id)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@require_http_methods(["GET", "POST"])
def member_add_view(request: HttpRequest, ref: str) -> HttpResponse:
    """Add a person who lives in the household (a newborn or someone moving in)."""
    user = _user(request)
    _require_editor(user)
    household = selectors.household_get_for_user(user, ref)
    form = NewMemberForm(request.POST or None, parents=selectors.parents_for_household(household))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(actor=user, household=household, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The member was added."))
            return redirect("registry:household_detail", ref=household.id)
    context = {"form": form, "household": household, "person": None, "cnp_elsewhere": _cnp_elsewhere(form)}
    return render(request, "registry/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, ref: str, person_ref: str) -> HttpResponse:
    """Correct a current member's personal data or relation."""
    user = _user(request)
    _require_editor(user)
    household = selectors.household_get_for_user(user, ref)
    membership = selectors.membership_get_for_user(user, household, person_ref)
    person = membership.person
    initial = {field: getattr(person, field) for field in services.PERSON_FIELDS} | {
        "relation": membership.relation
    }
    parents = selectors.parents_for_household(household).exclude(id=person.id)
    form = MemberForm(request.POST or None, initial=initial, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        relation = data.pop("relation")
        try:
            services.person_update(actor=user, membership=membership, relation=relation, **data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The member was saved."))
            return redirect("registry:household_detail", ref=household.id)
    context = {"form": form, "household": household, "person": person, "cnp_elsewhere": _cnp_elsewhere(form)}
    return render(request, "registry/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_end(request: HttpRequest, ref: str, person_ref: str) -> HttpResponse:
    """Record that a member moved out or died; they stay in the household's history."""
    user = _user(request)
    _require_editor(user)
    household = selectors.household_get_for_user(user, ref)
    membership = selectors.membership_get_for_user(user, household, person_ref)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(actor=user, membership=membership, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(
                request, _("The change was recorded; the person stays in the household's history.")
            )
            return redirect("registry:household_detail", ref=household.id)
    return render(
        request,
        "registry/member_end.html",
        {"form": form, "household": household, "person": membership.person},
    )


@require_http_methods(["GET", "POST"])
def duplicates(request: HttpRequest) -> HttpResponse:
    """List people who may be recorded twice and merge a pair on request."""
    user = _user(request)
    _require_editor(user)
    if request.method == "POST":
        form = MergeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tick at least one record to merge into the one kept."))
            return redirect("registry:duplicates")
        keep = selectors.person_get_for_user(user, form.cleaned_data["keep"])
        others = [selectors.person_get_for_user(user, ref) for ref in form.cleaned_data["duplicates"]]
        try:
            services.person_merge_group(actor=user, keep=keep, duplicates=others)
        except DomainValidationError as error:
            for line in error.lines():
                messages.error(request, line)
        else:
            messages.success(
                request,
                _("The records were merged into %(name)s's; every history is kept.")
                % {"name": keep.full_name},
            )
        return redirect("registry:duplicates")
    groups = selectors.duplicate_candidates_for_user(user)
    return render(request, "registry/duplicates.html", {"groups": groups})
