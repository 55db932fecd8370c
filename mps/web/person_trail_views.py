"""The trail page: an administrator looks a person up and reads who saw or changed their record, and when.

The page and its JSON download are reads of the person's record, and are audited as such (view and export).
Everyone but an administrator gets 404 (see `mps.audit.policy`).
"""

import json
from collections.abc import Iterable

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mps.accounts.models import User
from mps.audit.forms import PersonLookupForm
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.policy import can_read_audit_trail
from mps.audit.selectors import trail_entries
from mps.audit.services import audit_record
from mps.privacy.selectors import person_find, person_locality_id, person_trail
from mps.registry.models import Person

PAGE_SIZE = 50


@never_cache
@require_GET
def person_trail_page(request: HttpRequest) -> HttpResponse:
    """Show, or download as JSON with ?format=json, every audit event concerning one person."""
    user = request.user
    if not isinstance(user, User) or not can_read_audit_trail(user):
        raise Http404
    form = PersonLookupForm(request.GET) if "q" in request.GET else PersonLookupForm()
    person: Person | None = None
    if form.is_valid():
        value = form.cleaned_data["q"]
        person = person_find(cnp=value) if form.is_cnp else person_find(person_id=value)
    download = request.GET.get("format") == "json"
    if person is None:
        if download:
            raise Http404
        return render(request, "audit/person_trail.html", {"form": form, "searched": form.is_bound})
    audit_record(
        actor=user,
        action=AuditAction.EXPORT if download else AuditAction.VIEW,
        object_type="person",
        object_id=person.id,
        locality_id=person_locality_id(person),
    )
    events = person_trail(person)
    if download:
        return _download(person, events.iterator(chunk_size=2000))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "form": form,
        "searched": True,
        "person": person,
        "page": page,
        "entries": trail_entries(page),
        "query": query.urlencode(),
    }
    return render(request, "audit/person_trail.html", context)


def _download(person: Person, events: Iterable[AuditEvent]) -> HttpResponse:
    document = {
        "person": {"id": str(person.id), "full_name": person.full_name},
        "generated_at": timezone.now().isoformat(),
        "events": [entry.as_json() for entry in trail_entries(events)],
    }
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{person.id}.json"'
    return response
