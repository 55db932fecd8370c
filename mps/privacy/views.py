"""The data-subject requests' pages: the list, the record form, a request with its next steps, the downloads.

Thin: each page checks the policy (404 for everyone but administrators), parses its form, calls one service
or selector and renders. Every page that shows a person, and every download, is recorded in the audit trail.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mps.accounts.models import User
from mps.audit.forms import PersonLookupForm
from mps.audit.models import AuditAction
from mps.audit.services import audit_reads, audit_record
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.privacy import services
from mps.privacy.access_report import access_report, access_report_json, access_report_pdf
from mps.privacy.exports import pseudonymised_csv_lines
from mps.privacy.forms import NoteForm, ReasonForm, RequestFilterForm, SubjectRequestForm
from mps.privacy.models import DataSubjectRequest, RequestKind, RequestStatus
from mps.privacy.policy import can_handle_subject_requests
from mps.privacy.retention import erasure_obstacle
from mps.privacy.selectors import person_find, person_locality_id, subject_request_get, subject_requests
from mps.registry.models import Person

PAGE_LIMIT = 200


def _handler(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_handle_subject_requests(user):
        raise Http404
    return user


def _request_or_404(request_id: int) -> DataSubjectRequest:
    found = subject_request_get(request_id)
    if found is None:
        raise Http404
    return found


def _audit_person_read(
    user: User, person: Person, action: AuditAction = AuditAction.VIEW, **changes: object
) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type="person",
        object_id=person.id,
        locality_id=person_locality_id(person),
        changes={key: [None, value] for key, value in changes.items()},
    )


@never_cache
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """List the requests, soonest due first, overdue ones highlighted; filter by status."""
    user = _handler(request)
    form = RequestFilterForm(request.GET or None)
    status, overdue = "", False
    if form.is_valid():
        status, overdue = form.cleaned_data["status"], form.cleaned_data["overdue"]
    requests = list(subject_requests(status=status, overdue_only=overdue)[:PAGE_LIMIT])
    people = {r.person_id for r in requests}
    if people:
        audit_reads(actor=user, object_type="person", object_ids=sorted(people, key=str), locality_id=None)
    return render(request, "privacy/request_list.html", {"form": form, "requests": requests})


@never_cache
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Find the person by CNP or id, then record the request received about them."""
    user = _handler(request)
    data = request.POST if request.method == "POST" else request.GET
    lookup = PersonLookupForm(data) if "q" in data else PersonLookupForm()
    person: Person | None = None
    if lookup.is_valid():
        value = lookup.cleaned_data["q"]
        person = person_find(cnp=value) if lookup.is_cnp else person_find(person_id=value)
    if person is None:
        if request.method == "POST":
            raise Http404
        return render(request, "privacy/request_form.html", {"lookup": lookup, "searched": lookup.is_bound})
    form = SubjectRequestForm(
        request.POST if request.method == "POST" else None, initial={"received_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.subject_request_record(actor=user, person=person, **form.cleaned_data)
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            messages.success(
                request,
                _("The request was recorded. The answer is due by %(day)s.")
                % {"day": formats.date_format(created.due_on, "SHORT_DATE_FORMAT")},
            )
            return redirect("privacy:request_detail", request_id=created.id)
    else:
        _audit_person_read(user, person)
    return render(
        request,
        "privacy/request_form.html",
        {"lookup": lookup, "searched": True, "person": person, "form": form, "q": lookup.cleaned_data["q"]},
    )


def _detail(
    request: HttpRequest, user: User, subject_request: DataSubjectRequest, **forms: object
) -> HttpResponse:
    person = subject_request.person
    obstacle = None
    if subject_request.kind == RequestKind.ERASURE and subject_request.is_open:
        obstacle = erasure_obstacle(person, today=timezone.localdate())
    context = {
        "subject_request": subject_request,
        "person": person,
        "obstacle": obstacle,
        "answer_form": forms.get("answer_form") or NoteForm(),
        "extend_form": forms.get("extend_form") or ReasonForm(prefix="extend"),
        "refuse_form": forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        "lift_form": forms.get("lift_form") or ReasonForm(prefix="lift"),
        "may_lift": person.restricted and not subject_request.is_open,
        "is_access": subject_request.kind == RequestKind.ACCESS,
        "statuses": RequestStatus,
    }
    return render(request, "privacy/request_detail.html", context, status=400 if forms else 200)


@never_cache
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show one request, its deadline, and the steps allowed in its status."""
    user = _handler(request)
    subject_request = _request_or_404(request_id)
    _audit_person_read(user, subject_request.person)
    return _detail(request, user, subject_request)


@require_POST
def request_step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    """Take one step of the request: start, identity checked, extend, refuse, answer, lift the restriction."""
    user = _handler(request)
    subject_request = _request_or_404(request_id)
    forms: dict[str, ReasonForm | NoteForm] = {}
    try:
        if step == "start":
            services.subject_request_start(actor=user, request=subject_request)
        elif step == "identity":
            services.subject_request_confirm_identity(actor=user, request=subject_request)
        elif step in ("extend", "refuse", "lift"):
            form = ReasonForm(request.POST, prefix=step)
            forms[f"{step}_form"] = form
            reason = form.data.get(f"{step}-reason", "")
            if step == "extend":
                services.subject_request_extend(actor=user, request=subject_request, reason=reason)
            elif step == "refuse":
                services.subject_request_refuse(actor=user, request=subject_request, reason=reason)
            else:
                services.person_restriction_lift(actor=user, request=subject_request, reason=reason)
        elif step == "answer":
            note_form = NoteForm(request.POST)
            forms["answer_form"] = note_form
            services.subject_request_answer(
                actor=user, request=subject_request, note=note_form.data.get("note", "")
            )
        else:
            raise Http404
    except DomainValidationError as error:
        target = next(iter(forms.values()), None)
        if target is None:
            for line in error.problems.values():
                for message in line:
                    messages.error(request, str(message))
            return redirect("privacy:request_detail", request_id=subject_request.id)
        target.is_valid()
        add_problems_to_form(target, _as_form_problems(error, target))
        return _detail(request, user, _request_or_404(request_id), **forms)
    messages.success(request, _("Saved."))
    return redirect("privacy:request_detail", request_id=subject_request.id)


def _as_form_problems(error: DomainValidationError, form: ReasonForm | NoteForm) -> DomainValidationError:
    """Put each problem on the form's one text field when it names no field of the form."""
    field = next(iter(form.fields))
    return DomainValidationError(
        {name if name in form.fields else field: messages for name, messages in error.problems.items()}
    )


@never_cache
@require_GET
def request_download(request: HttpRequest, request_id: int, fmt: str) -> HttpResponse:
    """Download everything held about the person of an access request, as JSON or PDF; audited as an export."""
    user = _handler(request)
    subject_request = _request_or_404(request_id)
    if subject_request.kind != RequestKind.ACCESS or fmt not in ("json", "pdf"):
        raise Http404
    person = subject_request.person
    _audit_person_read(user, person, AuditAction.EXPORT, format=fmt, request=subject_request.id)
    report = access_report(person)
    day = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(access_report_json(report), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(access_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="date-personale-{day}.{fmt}"'
    return response


@never_cache
@require_GET
def pseudonymised_export(request: HttpRequest) -> StreamingHttpResponse:
    """Download the de-identified person-level export (keyed pseudonyms, no names or CNPs) as CSV."""
    user = _handler(request)
    day = timezone.localdate()
    audit_record(
        actor=user, action=AuditAction.EXPORT, object_type="pseudonymised_export", object_id=day.isoformat()
    )
    response = StreamingHttpResponse(pseudonymised_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="export-pseudonimizat-{day.isoformat()}.csv"'
    return response
