"""Census pages: parse the request, call one selector or service, render. No rules live here."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mps.access.policy import can_edit_cases, editable_localities, may_edit_in
from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form

from . import selectors, services
from .forms import (
    CampaignCloseForm,
    CampaignOpenForm,
    EntryFilterForm,
    FoundInFieldForm,
    RegisterImportForm,
    VisitForm,
)
from .models import CampaignStatus, CensusCampaign, CensusEntry, EntryStatus, VisitOutcome

PAGE_SIZE = 25
# Colours of the outcome chart, in EntryStatus order; the same ones mark the status badges.
STATUS_COLOURS: dict[str, str] = {
    EntryStatus.TO_VISIT: "#94a3b8",
    EntryStatus.ASSESSED: "#1e7d32",
    EntryStatus.NOBODY_HOME: "#d97706",
    EntryStatus.REFUSED: "#b3261e",
    EntryStatus.MOVED_OR_NOT_FOUND: "#6b4f9e",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _campaign_for_editor(request: HttpRequest, siruta: int, wave: str) -> tuple[User, CensusCampaign]:
    user = _user(request)
    campaign = selectors.campaign_get_for_user(user, siruta, wave)
    if not may_edit_in(user, campaign.locality_id):
        raise Http404
    return user, campaign


def campaign_list(request: HttpRequest) -> HttpResponse:
    """List the census campaigns of the user's localities with their coverage."""
    user = _user(request)
    campaigns = selectors.campaign_list_for_user(user)
    return render(
        request, "census/campaign_list.html", {"campaigns": campaigns, "can_edit": can_edit_cases(user)}
    )


@require_http_methods(["GET", "POST"])
def campaign_open_view(request: HttpRequest) -> HttpResponse:
    """Open a census campaign for one of the user's localities."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    form = CampaignOpenForm(
        request.POST or None,
        localities=editable_localities(user),
        initial={"starts_on": timezone.localdate(), "wave": "T0"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_open(actor=user, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The campaign was opened. Now import the register of households."))
            return redirect("census:register_import", siruta=campaign.locality_id, wave=campaign.wave)
    return render(request, "census/campaign_open.html", {"form": form})


def campaign_detail(request: HttpRequest, siruta: int, wave: str) -> HttpResponse:
    """Show a campaign's progress, coverage by worker, and its entries with a quick visit form each."""
    user = _user(request)
    campaign = selectors.campaign_get_for_user(user, siruta, wave)
    filters = EntryFilterForm(request.GET or None)
    status = source = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        source = filters.cleaned_data["source"]
    entries = selectors.entry_list(campaign, status=status, source=source)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        # A fresh key per drawn form: pressing "record" twice sends the same key and stores one visit.
        entry.new_visit_ref = uuid.uuid4()  # type: ignore[attr-defined]
    progress = selectors.campaign_progress(campaign)
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "labels": [str(label) for label in EntryStatus.labels],
        "values": [progress.by_status[value] for value in EntryStatus.values],
        "colours": [STATUS_COLOURS[value] for value in EntryStatus.values],
    }
    statuses = [
        {"value": value, "label": label, "count": progress.by_status[value], "colour": STATUS_COLOURS[value]}
        for value, label in EntryStatus.choices
    ]
    context = {
        "campaign": campaign,
        "progress": progress,
        "statuses": statuses,
        "chart": chart,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        **_row_context(user, campaign),
    }
    return render(request, "census/campaign_detail.html", context)


def _row_context(user: User, campaign: CensusCampaign) -> dict[str, object]:
    return {
        "can_record": may_edit_in(user, campaign.locality_id) and campaign.status != CampaignStatus.CLOSED,
        "outcomes": VisitOutcome.choices,
        "today": timezone.localdate(),
        # A household transferred away since the list was made is no longer the team's to open.
        "campaign_locality": campaign.locality_id,
    }


@require_POST
def visit_record_view(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Record a visit to one entry; to HTMX answer its updated row, otherwise go back to the campaign."""
    user = _user(request)
    entry: CensusEntry = selectors.entry_get_for_user(user, ref)
    if not may_edit_in(user, entry.campaign.locality_id):
        raise Http404
    form = VisitForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.visit_record(
                actor=user,
                entry=entry,
                outcome=form.cleaned_data["outcome"],
                visited_on=form.cleaned_data["visited_on"],
                note=form.cleaned_data["note"],
                ref=form.cleaned_data["ref"],
            )
        except DomainValidationError as error:
            errors = [str(message) for messages_ in error.problems.values() for message in messages_]
    else:
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    if request.headers.get("HX-Request"):
        entry.new_visit_ref = uuid.uuid4()  # type: ignore[attr-defined]
        context = {
            "entry": entry,
            "errors": errors,
            "saved": not errors,
            **_row_context(user, entry.campaign),
        }
        return render(request, "census/_entry_row.html", context)
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, _("The visit was recorded."))
    return redirect("census:campaign_detail", siruta=entry.campaign.locality_id, wave=entry.campaign.wave)


@require_http_methods(["GET", "POST"])
def register_import_view(request: HttpRequest, siruta: int, wave: str) -> HttpResponse:
    """Import a CSV register of households into a campaign's list, all or nothing."""
    user, campaign = _campaign_for_editor(request, siruta, wave)
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise DomainValidationError(
                    {"file": [_("The file must be a CSV saved as UTF-8.")]}
                ) from error
            rows = services.register_rows_from_text(text)
            summary = services.register_import(actor=user, campaign=campaign, rows=rows)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Register imported: %(added)s households added, %(already)s already on the list, "
                    "%(created)s new in the registry."
                )
                % {
                    "added": summary.added,
                    "already": summary.already_listed,
                    "created": summary.households_created,
                },
            )
            return redirect("census:campaign_detail", siruta=campaign.locality_id, wave=campaign.wave)
    return render(request, "census/register_import.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
def found_in_field_view(request: HttpRequest, siruta: int, wave: str) -> HttpResponse:
    """Register a household that no register listed and add it to the campaign as an invisible."""
    user, campaign = _campaign_for_editor(request, siruta, wave)
    form = FoundInFieldForm(request.POST or None, locality=campaign.locality)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_add_new_household_found_in_field(
                actor=user, campaign=campaign, **form.cleaned_data
            )
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The household was added as found in the field."))
            return redirect("census:campaign_detail", siruta=campaign.locality_id, wave=campaign.wave)
    return render(request, "census/found_in_field.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
def campaign_close_view(request: HttpRequest, siruta: int, wave: str) -> HttpResponse:
    """Close a campaign on a date."""
    user, campaign = _campaign_for_editor(request, siruta, wave)
    form = CampaignCloseForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_close(actor=user, campaign=campaign, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The campaign was closed."))
            return redirect("census:campaign_detail", siruta=campaign.locality_id, wave=campaign.wave)
    return render(request, "census/campaign_close.html", {"form": form, "campaign": campaign})
