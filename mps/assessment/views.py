"""Assessment pages: parse the request, call one selector or service, render. No rules live here.

Who may do what (mps.access.policy): users who may edit cases open and save the form for households of their
localities; users who may read cases (county supervisors too) see results and waves. Anything else, or a
household outside the user's scope, answers 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mps.access.policy import can_edit_cases
from mps.accounts.models import User
from mps.assessment import forms, reports
from mps.assessment.selectors import assessment_get_for_user, assessment_same_day
from mps.assessment.services import RecordStatus, assessment_record
from mps.core.errors import DomainValidationError
from mps.registry.selectors import household_get_for_user, household_record_for_user


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, ref: str) -> HttpResponse:
    """Show the assessment form for a household's next wave; on save, store it and show its findings."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    if request.method == "POST":
        household = household_get_for_user(user, ref)
        form = forms.assessment_form_from_post(user=user, household=household, data=request.POST)
        form.same_day = assessment_same_day(user, household, form.visit_date(), other_than=form.ref)
        try:
            if form.same_day is not None and not request.POST.get("confirm_same_day"):
                # Not saved until the worker says this is a second visit, not the first one entered again.
                raise forms.same_day_question(form.same_day)
            result = assessment_record(
                actor=user, document=form.document(assessed_by=user.username), source="web"
            )
        except DomainValidationError as error:
            form.add_problems(error)
        else:
            # The service announces the stored assessment (census visit, case follow-up) in its transaction.
            if result.status == RecordStatus.ACCEPTED:
                messages.success(request, _("The assessment was saved."))
            else:
                messages.info(request, _("This assessment had already been saved."))
            return redirect("assessment:assessment_detail", ref=result.assessment.id)
    else:
        form = forms.assessment_form_for_household(user=user, record=household_record_for_user(user, ref))
    return render(
        request,
        "assessment/assessment_form.html",
        {"form": form, "household": form.household, "definition": forms.question_definition()},
    )


@require_GET
def assessment_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """Show an assessment's risk level, score and findings by household and member."""
    user = _user(request)
    report = reports.assessment_report(assessment_get_for_user(user, ref))
    return render(request, "assessment/assessment_detail.html", {"report": report})


@require_GET
def household_waves(request: HttpRequest, ref: str) -> HttpResponse:
    """Show a household's waves side by side (a fragment for the household page, or a page of its own)."""
    user = _user(request)
    household = household_get_for_user(user, ref)
    table = reports.waves_table(user, household)
    template = (
        "assessment/_household_waves.html"
        if request.headers.get("HX-Request")
        else "assessment/household_waves.html"
    )
    return render(
        request, template, {"household": household, "table": table, "can_edit": can_edit_cases(user)}
    )
