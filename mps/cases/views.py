"""Case pages: parse the request, call one selector or service, render. No rules live here."""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mps.access.policy import can_edit_cases, case_localities, editable_localities, may_edit_in
from mps.accounts.models import FIELD_ROLES, Role, User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases import documents, selectors, services, transitions
from mps.cases.forms import (
    ActionAddForm,
    ActivityForm,
    AgreementForm,
    CloseForm,
    DeliveryForm,
    MyDayFilterForm,
    OutcomeForm,
    ReassignForm,
    ReferralForm,
    plan_choices_from_post,
)
from mps.cases.models import (
    ActionStatus,
    ActivityKind,
    Case,
    CaseStatus,
    GoalStatus,
    GroupActivity,
    PlanAction,
    ReferralStatus,
    Service,
)
from mps.core.collation import romanian
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.registry.models import Person

PAGE_SIZE = 30
# "Ziua mea" pages by household, so that a household's items are never split across two pages.
MY_DAY_HOUSEHOLDS_PER_PAGE = 25
MY_DAY_PARAMETERS = ("type", "household", "locality", "page")
REFERRAL_MOVES = {
    "send": ReferralStatus.SENT,
    "accept": ReferralStatus.ACCEPTED,
    "complete": ReferralStatus.COMPLETED,
    "reject": ReferralStatus.REJECTED,
    "no_answer": ReferralStatus.NO_ANSWER,
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case_for_editor(request: HttpRequest, ref: uuid.UUID) -> tuple[User, Case]:
    user = _user(request)
    case = selectors.case_get_for_user(user, ref)
    if not may_edit_in(user, case.locality_id):
        raise Http404
    return user, case


def _to_case(case: Case, anchor: str = "") -> HttpResponse:
    response = redirect("cases:case_detail", ref=case.household_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _show_problems(request: HttpRequest, error: DomainValidationError) -> None:
    for problems in error.problems.values():
        for message in problems:
            messages.error(request, str(message))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Cases ----------------------------------------------------------------------------------------------------


def case_list(request: HttpRequest) -> HttpResponse:
    """List the open cases of the user's localities (or one status, or only the user's own)."""
    user = _user(request)
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    mine = request.GET.get("mine") == "1"
    cases = selectors.case_list_for_user(
        user, status=status, mine=mine, urgent=request.GET.get("urgent") == "1"
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "status": status,
            "mine": mine,
            "statuses": CaseStatus.choices,
            "query": query.urlencode(),
        },
    )


def case_detail(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Show a household's case: status, case manager, plan, agreement, services, referrals and tasks."""
    user = _user(request)
    data = selectors.case_page_for_user(user, ref)
    can_edit = may_edit_in(user, data.case.locality_id)
    delivery_form = DeliveryForm(
        services=data.services,
        people=[m.person for m in data.members],
        workers=data.workers,
        initial={
            "delivered_on": timezone.localdate(),
            "worker": user.id if user.role in FIELD_ROLES else None,
            "place": "home_visit",
            "duration_minutes": 45,
        },
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "data": data,
            "case": data.case,
            "can_edit": can_edit,
            "is_coordinator": user.role == Role.LOCAL_COORDINATOR and can_edit,
            "delivery_form": delivery_form,
            "moves": transitions.CASE_TRANSITIONS[data.case.status],
            "referral_moves": {
                status: sorted(transitions.REFERRAL_TRANSITIONS[status]) for status in ReferralStatus.values
            },
            "today": timezone.localdate(),
        },
    )


@require_POST
def case_move(request: HttpRequest, ref: uuid.UUID, move: str) -> HttpResponse:
    """Activate a case, move it to monitoring or resume it."""
    user, case = _case_for_editor(request, ref)
    function = transitions.CASE_ACTIONS.get(move)
    if function is None:
        raise Http404
    try:
        function(actor=user, case=case, note=request.POST.get("note", ""))
    except DomainValidationError as error:
        _show_problems(request, error)
    else:
        messages.success(request, _("The case status was changed."))
    return _to_case(case)


@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Close a case with a reason."""
    user, case = _case_for_editor(request, ref)
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            transitions.case_close(actor=user, case=case, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The case was closed."))
            return _to_case(case)
    return render(request, "cases/case_close.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
def case_reassign_view(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Let the local coordinator give the case to another worker; the transfer stays in the history."""
    user, case = _case_for_editor(request, ref)
    if user.role != Role.LOCAL_COORDINATOR:
        raise Http404
    form = ReassignForm(request.POST or None, workers=selectors.field_workers_of(case.locality_id))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reassign(actor=user, case=case, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The case has a new case manager."))
            return _to_case(case)
    return render(request, "cases/case_reassign.html", {"form": form, "case": case})


# The plan and the agreement -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Review the proposed plan: keep or drop each service, choose who does it and by when."""
    user, case = _case_for_editor(request, ref)
    workers = selectors.field_workers_of(case.locality_id)
    actions = list(
        PlanAction.objects.filter(
            goal__case=case,
            goal__status=GoalStatus.OPEN,
            status__in=[ActionStatus.PROPOSED, ActionStatus.PLANNED],
        )
        .select_related("goal__person", "service", "owner")
        .order_by("-goal__critical", "goal__code", romanian("goal__person__first_name"), "due_on")
    )
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        choices, problems = plan_choices_from_post(request.POST, actions, workers)
        if not problems:
            try:
                services.plan_accept(actor=user, case=case, choices=choices)
            except DomainValidationError as error:
                problems = {k: [str(m) for m in v] for k, v in error.problems.items()}
            else:
                messages.success(request, _("The plan was saved. Now record the family's agreement."))
                return _to_case(case, "plan")
    names = selectors.vulnerability_names()
    rows = [
        {
            "action": action,
            "goal_name": names.get(action.goal.code, action.goal.code),
            "owner_problems": problems.get(f"owner_{action.id}", []),
            "due_problems": problems.get(f"due_{action.id}", []),
            "checked": request.POST.get(f"include_{action.id}") == "on"
            if request.method == "POST"
            else action.status in (ActionStatus.PROPOSED, ActionStatus.PLANNED),
        }
        for action in actions
    ]
    return render(
        request,
        "cases/plan_edit.html",
        {
            "case": case,
            "rows": rows,
            "workers": workers,
            "deadline": services.plan_deadline(case),
            "general_problems": problems.get("actions", []),
        },
    )


@require_POST
def plan_action_add_view(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Add a service to one goal of the plan."""
    user, case = _case_for_editor(request, ref)
    form = ActionAddForm(
        request.POST,
        services=list(Service.objects.filter(catalogue="mps-v1")),
        workers=selectors.field_workers_of(case.locality_id),
    )
    if form.is_valid():
        goal = selectors.goal_get_for_case(case, form.cleaned_data["goal"])
        try:
            services.plan_action_add(
                actor=user,
                goal=goal,
                service=form.cleaned_data["service"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except DomainValidationError as error:
            _show_problems(request, error)
        else:
            messages.success(request, _("The service was added to the plan."))
    else:
        messages.error(request, _("Choose a service, who does it and by when."))
    return _to_case(case, "plan")


@require_POST
def plan_action_done_view(request: HttpRequest, ref: uuid.UUID, action_id: int) -> HttpResponse:
    """Mark a planned service as done."""
    user, case = _case_for_editor(request, ref)
    action = selectors.action_get_for_case(case, action_id)
    services.plan_action_done(actor=user, action=action)
    return _to_case(case, "plan")


@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Record the family's agreement to the plan."""
    user, case = _case_for_editor(request, ref)
    head = (
        case.household.memberships.filter(end_date__isnull=True, relation="head")
        .select_related("person")
        .first()
    )
    form = AgreementForm(
        request.POST or None,
        initial={
            "signed_on": timezone.localdate(),
            "signed_by": head.person.full_name if head else "",
            "family_commitments": _(
                "We take part in the meetings agreed with the team, we go with the children to the appointments "
                "set, we send the children to school and to the family doctor, and we tell the case manager about "
                "any change in the family."
            ),
            "team_commitments": _(
                "The team delivers the services of the plan by the dates agreed, accompanies the family to the "
                "institutions, keeps the family's data confidential and reviews the plan with the family at every "
                "re-evaluation."
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_record(actor=user, case=case, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The family's agreement was recorded. You can print it now."))
            return _to_case(case, "agreement")
    planned = PlanAction.objects.filter(
        goal__case=case, goal__status=GoalStatus.OPEN, status=ActionStatus.PLANNED
    ).count()
    return render(request, "cases/agreement_form.html", {"form": form, "case": case, "planned": planned})


def agreement_pdf(request: HttpRequest, ref: uuid.UUID, agreement_id: int) -> HttpResponse:
    """Print a family agreement as PDF."""
    user = _user(request)
    agreement = selectors.agreement_get_for_user(user, ref, agreement_id)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="family_agreement",
        object_id=agreement.id,
        locality_id=agreement.case.locality_id,
    )
    return _pdf(documents.agreement_pdf(agreement), documents.pdf_filename("acord", agreement.signed_on))


# Services delivered and referrals -------------------------------------------------------------------------


@require_POST
def delivery_add(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Log a service delivered, from the quick form on the case page."""
    user, case = _case_for_editor(request, ref)
    data = selectors.case_page_for_user(user, ref)
    form = DeliveryForm(
        request.POST, services=data.services, people=[m.person for m in data.members], workers=data.workers
    )
    if form.is_valid():
        try:
            delivery = services.delivery_record(actor=user, case=case, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            if request.headers.get("HX-Request"):
                return render(request, "cases/_delivery_row.html", {"delivery": delivery, "fresh": True})
            messages.success(request, _("The service was logged."))
            return _to_case(case, "services")
    if request.headers.get("HX-Request"):
        response = render(request, "cases/_delivery_errors.html", {"form": form})
        response["HX-Retarget"] = "#delivery-errors"
        response["HX-Reswap"] = "innerHTML"
        return response
    for field, errors in form.errors.items():
        for message in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {message}")
    return _to_case(case, "services")


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Draft a referral to another institution for one finding."""
    user, case = _case_for_editor(request, ref)
    goals = list(case.goals.filter(status=GoalStatus.OPEN).select_related("person"))
    names = selectors.vulnerability_names()
    form = ReferralForm(
        request.POST or None,
        goals=goals,
        names=names,
        initial={"due_on": timezone.localdate() + dt.timedelta(days=14), "goal": request.GET.get("goal")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(actor=user, case=case, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The referral was drafted. Print the letter and mark it as sent."))
            return _to_case(case, "referrals")
    return render(request, "cases/referral_form.html", {"form": form, "case": case})


@require_POST
def referral_move(request: HttpRequest, ref: uuid.UUID, move: str) -> HttpResponse:
    """Change a referral's status: send, accept, complete, reject, no answer."""
    user = _user(request)
    referral = selectors.referral_get_for_user(user, ref)
    if move not in REFERRAL_MOVES or not may_edit_in(user, referral.locality_id):
        raise Http404
    form = OutcomeForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        if move == "send":
            transitions.referral_send(actor=user, referral=referral)
        elif move == "accept":
            transitions.referral_accept(actor=user, referral=referral, note=outcome)
        elif move == "complete":
            transitions.referral_complete(actor=user, referral=referral, outcome=outcome)
        elif move == "reject":
            transitions.referral_reject(actor=user, referral=referral, outcome=outcome)
        else:
            transitions.referral_no_answer(actor=user, referral=referral, note=outcome)
    except DomainValidationError as error:
        _show_problems(request, error)
    else:
        messages.success(request, _("The referral's status was changed."))
    if request.POST.get("next") == "overdue":
        return redirect("cases:overdue_referrals")
    return _to_case(referral.case, "referrals")


def referral_pdf(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Print a referral letter as PDF."""
    user = _user(request)
    referral = selectors.referral_get_for_user(user, ref)
    audit_record(
        actor=user, action=AuditAction.EXPORT, object_type="referral", object_id=referral.id,
        locality_id=referral.locality_id,
    )  # fmt: skip
    return _pdf(documents.referral_pdf(referral), documents.pdf_filename("trimitere", timezone.localdate()))


def overdue_referrals(request: HttpRequest) -> HttpResponse:
    """List the referrals still waiting for an answer after their due date."""
    user = _user(request)
    referrals = list(selectors.overdue_referrals_for_user(user)[:500])
    return render(
        request,
        "cases/overdue_referrals.html",
        {
            "referrals": referrals,
            "today": timezone.localdate(),
            "names": selectors.vulnerability_names(),
            "can_edit": can_edit_cases(user),
        },
    )


# Tasks and my day -----------------------------------------------------------------------------------------


@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task as handled."""
    user = _user(request)
    task = selectors.task_get_for_user(user, task_id)
    try:
        services.task_complete(actor=user, task=task)
    except DomainValidationError as error:
        _show_problems(request, error)
    if request.POST.get("next") == "day":
        # Back to the same filtered page of the day; only the day's own parameters are carried over.
        day_query = QueryDict(request.POST.get("day_query", "")).copy()
        for key in list(day_query):
            if key not in MY_DAY_PARAMETERS:
                del day_query[key]
        response = redirect("cases:my_day")
        if day_query:
            response["Location"] += f"?{day_query.urlencode()}"
        return response
    return _to_case(task.case, "tasks")


def my_day(request: HttpRequest) -> HttpResponse:
    """Show the worker's day: counts, then urgent, due today, overdue and upcoming items by household."""
    user = _user(request)
    whole_day = selectors.my_day_for_user(user)
    localities = case_localities(user)
    form = MyDayFilterForm(
        request.GET or None,
        households=whole_day.households(),
        localities=localities.order_by(romanian("name")),
    )
    for problem in form.problems():
        messages.error(request, problem)
    day = whole_day.filtered(**form.filters())
    page = Paginator(day.households(), MY_DAY_HOUSEHOLDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/my_day.html",
        {
            "day": day,
            "counts": day.counts(),
            "sections": day.sections(list(page)),
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "day_query": request.GET.urlencode(),
            "filtered": any(form.filters().values()),
            "several_localities": len(form.fields["locality"].queryset) > 1,  # type: ignore[attr-defined]
        },
    )


# Caseload -------------------------------------------------------------------------------------------------


def workload(request: HttpRequest) -> HttpResponse:
    """Show the caseload of each worker against the norm of 125 to 250 households a year."""
    user = _user(request)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    loads = selectors.workload_for_user(user, year=year)
    low, high = selectors.CASELOAD_NORM
    chart = {
        "labels": [load.worker.get_full_name() or load.worker.username for load in loads],
        "active": [load.active for load in loads],
        "in_year": [load.in_year for load in loads],
        "low": low,
        "high": high,
        "label_active": _("Households in case management now"),
        "label_year": _("Households served in %(year)s") % {"year": year},
        "label_low": _("Norm: at least %(n)d") % {"n": low},
        "label_high": _("Norm: at most %(n)d") % {"n": high},
    }
    return render(
        request,
        "cases/workload.html",
        {"loads": loads, "year": year, "low": low, "high": high, "chart": chart},
    )


# Group activities -----------------------------------------------------------------------------------------


def activity_list(request: HttpRequest) -> HttpResponse:
    """List group activities with the number of parents who took part and of children who benefited."""
    user = _user(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    activities = selectors.activity_list_for_user(user, kind=kind)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    parenting = selectors.activity_figures(
        selectors.activity_list_for_user(user, kind=ActivityKind.PARENTING).order_by()
    )
    return render(
        request,
        "cases/activity_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": ActivityKind.choices,
            "parenting": parenting,
            "can_edit": can_edit_cases(user),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    """Record a group activity."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    localities = editable_localities(user)
    workers = (
        User.objects.filter(is_active=True, role__in=list(FIELD_ROLES), localities__in=localities)
        .distinct()
        .order_by(romanian("last_name"))
    )
    form = ActivityForm(
        request.POST or None,
        localities=localities,
        workers=workers,
        initial={
            "held_on": timezone.localdate(),
            "kind": ActivityKind.PARENTING,
            "facilitator": user.id if user.role in FIELD_ROLES else None,
            "locality": localities.first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=user, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(request, _("The activity was recorded. Now add its participants."))
            return redirect("cases:activity_detail", ref=activity.id)
    return render(request, "cases/activity_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, ref: uuid.UUID) -> HttpResponse:
    """Show a group activity, add participants and record who attended."""
    user = _user(request)
    activity = selectors.activity_get_for_user(user, ref)
    can_edit = may_edit_in(user, activity.locality_id)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            if "person" in request.POST:
                try:
                    person = Person.objects.get(id=request.POST["person"])
                except (Person.DoesNotExist, ValueError, ValidationError) as error:
                    raise Http404 from error
                services.participant_add(actor=user, activity=activity, person=person)
                messages.success(request, _("The participant was added."))
            else:
                present = [uuid.UUID(value) for value in request.POST.getlist("attended")]
                services.attendance_set(actor=user, activity=activity, attended=present)
                messages.success(request, _("The attendance was saved."))
        except DomainValidationError as error:
            _show_problems(request, error)
        return redirect("cases:activity_detail", ref=activity.id)
    query = request.GET.get("q", "")
    candidates = list(selectors.people_of_locality(activity.locality_id, query)) if query else []
    single = GroupActivity.objects.filter(id=activity.id)
    context: dict[str, Any] = {
        "activity": activity,
        "participants": selectors.activity_participants(activity),
        "figures": selectors.activity_figures(single),
        "can_edit": can_edit,
        "query": query,
        "candidates": candidates,
    }
    return render(request, "cases/activity_detail.html", context)
