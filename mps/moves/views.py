"""Transfer pages: parse the request, call one selector or service, render. No rules live here.

What a page tells of a family or a person comes from the selectors (`family_summary`, `person_named_for`):
before the decision the team that asked by CNP learns nothing, and after it the team the family left sees the
record of the transfer without a way into the household.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mps.access.policy import can_edit_cases, can_read_cases, editable_localities, may_edit_in
from mps.accounts.models import FIELD_ROLES, Role, User
from mps.audit.services import audit_reads
from mps.core.collation import romanian
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.geography.models import County, Locality, Village
from mps.moves import selectors, services
from mps.moves.forms import (
    AcceptForm,
    HouseholdClaimForm,
    HouseholdTransferForm,
    PersonAcceptForm,
    PersonClaimForm,
    PersonMoveForm,
    RefuseForm,
    TransferFilterForm,
    today_initial,
)
from mps.moves.models import HouseholdTransfer, PersonTransfer, TransferStatus
from mps.registry.models import Household
from mps.registry.selectors import household_get_for_user, household_list_for_user, membership_get_for_user

PAGE_SIZE = 25
SEARCH_RESULTS = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _reader(request: HttpRequest) -> User:
    user = _user(request)
    if not can_read_cases(user):
        raise Http404
    return user


def _editor_of(request: HttpRequest, household_ref: uuid.UUID) -> tuple[User, Household]:
    """Return the user and a household they may change, or 404."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    household = household_get_for_user(user, household_ref)
    if not may_edit_in(user, household.locality_id):
        raise Http404
    return user, household


# The list -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRow:
    """One line of the transfers list, household or person, with what the viewer may be told."""

    transfer: HouseholdTransfer | PersonTransfer
    kind: str
    incoming: bool
    outgoing: bool
    overdue: bool
    label: str
    url: str


def _rows(user: User, status: str) -> list[TransferRow]:
    readable = selectors.readable_locality_ids(user)
    cutoff = selectors.overdue_before()
    rows: list[TransferRow] = []
    households = selectors.household_transfers_for(user, status=status or None).select_related("household")
    for transfer in households:
        may_open = transfer.household.locality_id in readable
        rows.append(
            TransferRow(
                transfer=transfer,
                kind="household",
                incoming=transfer.to_locality_id in readable,
                outgoing=transfer.from_locality_id in readable,
                overdue=transfer.is_pending and transfer.created_at < cutoff,
                label=transfer.household.address if may_open else "",
                url=reverse("moves:household_transfer_detail", args=[transfer.id]),
            )
        )
    for person_transfer in selectors.person_transfers_for(user, status=status or None):
        named = selectors.person_named_for(user, person_transfer, readable)
        rows.append(
            TransferRow(
                transfer=person_transfer,
                kind="person",
                incoming=person_transfer.to_locality_id in readable,
                outgoing=person_transfer.from_locality_id in readable,
                overdue=person_transfer.is_pending and person_transfer.created_at < cutoff,
                label=person_transfer.person.full_name if named else "",
                url=reverse("moves:person_transfer_detail", args=[person_transfer.id]),
            )
        )
    # Waiting ones first (the oldest of them at the top: they are the most late), then the decided, newest first.
    pending = sorted((r for r in rows if r.transfer.is_pending), key=lambda r: r.transfer.created_at)
    decided = sorted(
        (r for r in rows if not r.transfer.is_pending), key=lambda r: r.transfer.created_at, reverse=True
    )
    return pending + decided


@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    """List the transfers that reach or leave the user's localities: waiting ones first, late ones marked."""
    user = _reader(request)
    supervisor = user.role == Role.COUNTY_SUPERVISOR
    # A county supervisor comes here to see what waits in the county: that is what the page starts with.
    data: QueryDict | dict[str, str] | None = request.GET or None
    if supervisor and "status" not in request.GET:
        data = {"status": TransferStatus.PENDING}
    form = TransferFilterForm(data)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(_rows(user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "supervisor": supervisor,
        "can_edit": can_edit_cases(user),
        "counts": selectors.pending_counts(user),
        "decision_days": services.decision_days(),
    }
    return render(request, "moves/transfer_list.html", context)


# Both kinds of transfer -----------------------------------------------------------------------------------


def _detail_page(transfer: HouseholdTransfer | PersonTransfer) -> str:
    if isinstance(transfer, HouseholdTransfer):
        return "moves:household_transfer_detail"
    return "moves:person_transfer_detail"


def _decision_context(user: User, transfer: HouseholdTransfer | PersonTransfer) -> dict[str, Any]:
    """What a transfer's page offers the viewer: the decision, the withdrawal, and whether it is late."""
    return {
        "may_decide": transfer.is_pending and services.is_coordinator_of(user, transfer.to_locality_id),
        "may_withdraw": transfer.is_pending
        and can_edit_cases(user)
        and services.may_withdraw(user, transfer),
        "overdue": transfer.is_pending and transfer.created_at < selectors.overdue_before(),
        "decision_days": services.decision_days(),
    }


def _require_coordinator(user: User, transfer: HouseholdTransfer | PersonTransfer) -> None:
    """Only the receiving locality's coordinator decides; to anyone else the decision does not exist."""
    if not services.is_coordinator_of(user, transfer.to_locality_id):
        raise Http404


def _decide(
    request: HttpRequest,
    transfer: HouseholdTransfer | PersonTransfer,
    form: django_forms.Form,
    decide: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse | None:
    """Take the decision with the form's values: the redirect to the transfer, or None to show the form again."""
    if not form.is_valid():
        return None
    try:
        decide(form.cleaned_data)
    except DomainValidationError as error:
        add_problems_to_form(form, error)
        return None
    messages.success(request, done)
    return redirect(_detail_page(transfer), ref=transfer.id)


def _withdraw(request: HttpRequest, user: User, transfer: HouseholdTransfer | PersonTransfer) -> HttpResponse:
    """Withdraw a pending request, as the team that made it, and go back to the transfer."""
    if not can_edit_cases(user) or not services.may_withdraw(user, transfer):
        raise Http404
    try:
        services.transfer_withdraw(actor=user, transfer=transfer)
    except DomainValidationError as error:
        for problems in error.problems.values():
            for problem in problems:
                messages.error(request, str(problem))
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect(_detail_page(transfer), ref=transfer.id)


# Household transfers --------------------------------------------------------------------------------------


def _place_choice(data: Any, household: Household) -> tuple[County | None, Locality | None]:
    """The county and locality chosen so far (the household's own county to start with)."""
    county: County | None = household.locality.county
    locality: Locality | None = None
    if data is not None:
        county = County.objects.filter(code=data.get("county", "")).first()
        siruta = data.get("to_locality", "")
        if county is not None and str(siruta).isdigit():
            locality = Locality.objects.filter(siruta=int(siruta), county=county).first()
    return county, locality


def _pending_household_transfer(household: Household) -> HouseholdTransfer | None:
    return HouseholdTransfer.objects.filter(household=household, status=TransferStatus.PENDING).first()


@require_http_methods(["GET", "POST"])
def household_transfer_request(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Ask, as the family's team, that the household be transferred to the locality it moved to."""
    user, household = _editor_of(request, ref)
    url = reverse("moves:household_transfer_request", args=[household.id])
    # The county and locality selects re-read the page by GET (HTMX) to fill the selects that depend on them.
    data = request.POST if request.method == "POST" else (request.GET if "county" in request.GET else None)
    county, locality = _place_choice(data, household)
    if request.method == "POST":
        form = HouseholdTransferForm(request.POST)
    else:
        initial = today_initial() | {"county": county}
        if data is not None:
            initial |= {key: data.get(key) for key in ("to_locality", "to_village", "to_address", "reason")}
            if data.get("moved_on"):
                initial["moved_on"] = data.get("moved_on")
        form = HouseholdTransferForm(initial=initial)
    form.set_places(county=county, locality=locality, url=url)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            transfer = services.household_transfer_request(
                actor=user,
                household=household,
                to_locality=values["to_locality"],
                to_village=values["to_village"],
                to_address=values["to_address"],
                moved_on=values["moved_on"],
                reason=values["reason"],
            )
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(
                request,
                _("The transfer was requested. The coordinator of %(locality)s decides within %(days)s days.")
                % {"locality": transfer.to_locality.name, "days": services.decision_days()},
            )
            return redirect("moves:household_transfer_detail", ref=transfer.id)
    context = {"form": form, "household": household, "pending": _pending_household_transfer(household)}
    return render(request, "moves/household_transfer_form.html", context)


@require_http_methods(["GET", "POST"])
def household_claim(request: HttpRequest) -> HttpResponse:
    """Ask, as the team a family came to, for the household of the person with this CNP."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    localities = editable_localities(user)
    initial = today_initial() | {"cnp": request.GET.get("cnp", "")[:13]}
    locality_ref = request.GET.get("locality", "")
    if locality_ref.isdigit():
        initial["to_locality"] = localities.filter(siruta=int(locality_ref)).first()
    elif localities.count() == 1:
        initial["to_locality"] = localities.first()
    form = HouseholdClaimForm(request.POST or None, initial=initial, localities=localities)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.household_transfer_claim(actor=user, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The transfer was requested. You will see the family once the coordinator of %(locality)s "
                    "accepts it."
                )
                % {"locality": transfer.to_locality.name},
            )
            return redirect("moves:household_transfer_detail", ref=transfer.id)
    return render(request, "moves/household_claim_form.html", {"form": form})


def _household_decision_forms(
    transfer: HouseholdTransfer, data: QueryDict | None = None, which: str = ""
) -> tuple[AcceptForm, RefuseForm]:
    team = User.objects.filter(
        is_active=True, role__in=list(FIELD_ROLES), localities__siruta=transfer.to_locality_id
    ).order_by(romanian("last_name"), romanian("first_name"))
    villages = Village.objects.filter(locality_id=transfer.to_locality_id).order_by(romanian("name"))
    initial = {
        "case_manager": services.lightest_social_worker(transfer.to_locality_id),
        "address": transfer.to_address,
        "village": transfer.to_village,
    }
    accept = AcceptForm(
        data if which == "accept" else None, initial=initial, team=team, villages=villages, prefix="accept"
    )
    refuse = RefuseForm(data if which == "refuse" else None, prefix="refuse")
    return accept, refuse


def _audit_household_transfer_read(
    user: User, transfer: HouseholdTransfer, readable: set[int], shown_family: bool
) -> None:
    side = transfer.to_locality_id if transfer.to_locality_id in readable else transfer.from_locality_id
    audit_reads(actor=user, object_type="householdtransfer", object_ids=[transfer.id], locality_id=side)
    if shown_family:
        audit_reads(actor=user, object_type="household", object_ids=[transfer.household_id], locality_id=side)


def _household_transfer_page(
    request: HttpRequest,
    user: User,
    transfer: HouseholdTransfer,
    forms: tuple[AcceptForm, RefuseForm] | None = None,
) -> HttpResponse:
    readable = selectors.readable_locality_ids(user)
    summary = selectors.family_summary(user, transfer, readable)
    _audit_household_transfer_read(
        user, transfer, readable, shown_family=bool(summary.head_name or summary.members)
    )
    accept, refuse = forms or _household_decision_forms(transfer)
    context = {
        "transfer": transfer,
        "summary": summary,
        "accept_form": accept,
        "refuse_form": refuse,
        **_decision_context(user, transfer),
    }
    return render(request, "moves/household_transfer_detail.html", context)


@require_GET
def household_transfer_detail(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Show one household transfer, what the viewer may know of the family, and the decision to take."""
    user = _reader(request)
    return _household_transfer_page(request, user, selectors.household_transfer_for(user, ref))


@require_POST
def household_transfer_accept(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Accept the family into the receiving locality, with the chosen case manager."""
    user = _reader(request)
    transfer = selectors.household_transfer_for(user, ref)
    _require_coordinator(user, transfer)
    accept, refuse = _household_decision_forms(transfer, request.POST, "accept")
    taken = _decide(
        request,
        transfer,
        accept,
        lambda values: services.household_transfer_accept(
            actor=user,
            transfer=transfer,
            case_manager=values["case_manager"],
            address=values["address"],
            village=values["village"],
            note=values["note"],
        ),
        _("The transfer was accepted: the family and its case are now yours."),
    )
    return taken or _household_transfer_page(request, user, transfer, (accept, refuse))


@require_POST
def household_transfer_refuse(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Refuse the transfer, saying why; the family stays with its team."""
    user = _reader(request)
    transfer = selectors.household_transfer_for(user, ref)
    _require_coordinator(user, transfer)
    accept, refuse = _household_decision_forms(transfer, request.POST, "refuse")
    taken = _decide(
        request,
        transfer,
        refuse,
        lambda values: services.household_transfer_refuse(actor=user, transfer=transfer, note=values["note"]),
        _("The transfer was refused; the team that asked for it sees why."),
    )
    return taken or _household_transfer_page(request, user, transfer, (accept, refuse))


@require_POST
def household_transfer_withdraw(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Withdraw a pending request, as the team that made it."""
    user = _reader(request)
    return _withdraw(request, user, selectors.household_transfer_for(user, ref))


@require_GET
def household_panel(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """The household page's note of a pending transfer (loaded into the registry's page by HTMX)."""
    user = _reader(request)
    household = household_get_for_user(user, ref)
    pending = _pending_household_transfer(household)
    may_withdraw = pending is not None and can_edit_cases(user) and services.may_withdraw(user, pending)
    people = PersonTransfer.objects.filter(
        status=TransferStatus.PENDING, from_household=household
    ).select_related("person", "to_locality")
    context = {"household": household, "pending": pending, "may_withdraw": may_withdraw, "people": people}
    return render(request, "moves/_household_panel.html", context)


# Person transfers -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def person_move(request: HttpRequest, ref: uuid.UUID, person_ref: uuid.UUID) -> HttpResponse:
    """Move a member to another household the team works with: search it, choose it, say since when."""
    user, household = _editor_of(request, ref)
    membership = membership_get_for_user(user, household, person_ref)
    person = membership.person
    audit_reads(actor=user, object_type="person", object_ids=[person.id], locality_id=household.locality_id)
    query = request.GET.get("q", "").strip()
    candidates: list[Household] = []
    if query:
        candidates = list(
            household_list_for_user(user, query=query).exclude(id=household.id)[:SEARCH_RESULTS]
        )
    form = PersonMoveForm(request.POST or None, initial=today_initial())
    if request.method == "POST" and form.is_valid():
        try:
            to_household = household_get_for_user(user, form.cleaned_data["to_household"])
        except Http404:
            form.add_error("to_household", _("Choose one of the households found."))
        else:
            try:
                transfer = services.person_transfer_request(
                    actor=user,
                    membership=membership,
                    to_household=to_household,
                    relation=form.cleaned_data["relation"],
                    moved_on=form.cleaned_data["moved_on"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainValidationError as error:
                add_problems_to_form(form, error)
            else:
                return _after_person_transfer(request, transfer)
    context = {
        "form": form,
        "household": household,
        "person": person,
        "query": query,
        "candidates": candidates,
        "chosen": request.POST.get("to_household", ""),
        "other_fields": [form[name] for name in ("relation", "moved_on", "reason")],
    }
    return render(request, "moves/person_move_form.html", context)


def _after_person_transfer(request: HttpRequest, transfer: PersonTransfer) -> HttpResponse:
    if transfer.status == TransferStatus.ACCEPTED:
        messages.success(
            request,
            _("%(name)s now lives in the household at %(address)s; the history is kept.")
            % {"name": transfer.person.full_name, "address": transfer.to_household.address},
        )
        return redirect("registry:household_detail", ref=transfer.to_household_id)
    messages.success(
        request,
        _("The transfer was requested. The coordinator of %(locality)s decides within %(days)s days.")
        % {"locality": transfer.to_locality.name, "days": services.decision_days()},
    )
    return redirect("moves:person_transfer_detail", ref=transfer.id)


@require_http_methods(["GET", "POST"])
def person_claim(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Ask, as this household's team, for a person who lives in a household of another locality (by CNP)."""
    user, household = _editor_of(request, ref)
    initial = today_initial() | {"cnp": request.GET.get("cnp", "")[:13]}
    form = PersonClaimForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.person_transfer_claim(actor=user, to_household=household, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            return _after_person_transfer(request, transfer)
    return render(request, "moves/person_claim_form.html", {"form": form, "household": household})


def _person_transfer_page(
    request: HttpRequest,
    user: User,
    transfer: PersonTransfer,
    forms: tuple[PersonAcceptForm, RefuseForm] | None = None,
) -> HttpResponse:
    readable = selectors.readable_locality_ids(user)
    named = selectors.person_named_for(user, transfer, readable)
    side = transfer.to_locality_id if transfer.to_locality_id in readable else transfer.from_locality_id
    audit_reads(actor=user, object_type="persontransfer", object_ids=[transfer.id], locality_id=side)
    if named:
        audit_reads(actor=user, object_type="person", object_ids=[transfer.person_id], locality_id=side)
    accept, refuse = forms or (PersonAcceptForm(prefix="accept"), RefuseForm(prefix="refuse"))
    context = {
        "transfer": transfer,
        "named": named,
        "from_household_open": transfer.from_household.locality_id in readable,
        "to_household_open": transfer.to_household.locality_id in readable,
        "accept_form": accept,
        "refuse_form": refuse,
        **_decision_context(user, transfer),
    }
    return render(request, "moves/person_transfer_detail.html", context)


@require_GET
def person_transfer_detail(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Show one person's transfer and the decision to take."""
    user = _reader(request)
    return _person_transfer_page(request, user, selectors.person_transfer_for(user, ref))


@require_POST
def person_transfer_accept(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Accept the person into the receiving household; their open case work follows them."""
    user = _reader(request)
    transfer = selectors.person_transfer_for(user, ref)
    _require_coordinator(user, transfer)
    accept, refuse = PersonAcceptForm(request.POST, prefix="accept"), RefuseForm(prefix="refuse")
    taken = _decide(
        request,
        transfer,
        accept,
        lambda values: services.person_transfer_accept(actor=user, transfer=transfer, note=values["note"]),
        _("The transfer was accepted: the person now lives in your household."),
    )
    return taken or _person_transfer_page(request, user, transfer, (accept, refuse))


@require_POST
def person_transfer_refuse(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Refuse the person's transfer, saying why."""
    user = _reader(request)
    transfer = selectors.person_transfer_for(user, ref)
    _require_coordinator(user, transfer)
    accept, refuse = PersonAcceptForm(prefix="accept"), RefuseForm(request.POST, prefix="refuse")
    taken = _decide(
        request,
        transfer,
        refuse,
        lambda values: services.person_transfer_refuse(actor=user, transfer=transfer, note=values["note"]),
        _("The transfer was refused; the team that asked for it sees why."),
    )
    return taken or _person_transfer_page(request, user, transfer, (accept, refuse))


@require_POST
def person_transfer_withdraw(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Withdraw a pending request for a person, as the team that made it."""
    user = _reader(request)
    return _withdraw(request, user, selectors.person_transfer_for(user, ref))


# "Ziua mea" ---------------------------------------------------------------------------------------------


@require_GET
def my_day_overdue(request: HttpRequest) -> HttpResponse:
    """The coordinator's late decisions, as a section of "Ziua mea" (loaded into the cases' page by HTMX)."""
    user = _user(request)
    households, people = selectors.overdue_for_coordinator(user)
    context = {
        "households": households,
        "people": people,
        "total": len(households) + len(people),
        "decision_days": services.decision_days(),
    }
    return render(request, "moves/_my_day_overdue.html", context)
