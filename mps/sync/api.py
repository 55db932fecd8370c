"""The typed API under /api/v1/: parse the request, call one service or selector, serialise.

Devices authenticate with `Authorization: Bearer <token>` (see `mps.sync.tokens`); the token's user then goes
through the same access layer as the pages, so an API call reaches exactly what that user's pages reach.
Refusals share one shape, `{"errors": {field path: [messages]}}`.
"""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from ninja import NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import HttpBearer

from mps.access.policy import case_localities
from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.security.lockout import LOCKED_STATUS, bearer_token_failed, bearer_token_locked, lockout_message
from mps.sync import schemas
from mps.sync.models import DeviceToken
from mps.sync.selectors import conflict_list_for_user, field_catalogue, sync_pull_for_user
from mps.sync.services import sync_push
from mps.sync.tokens import device_for_token, device_token_revoke


class TooManyFailures(Exception):
    """The address sent too many wrong tokens: refused for the lockout's duration, even with a good one."""


class DeviceBearer(HttpBearer):
    """Authenticate a device by its bearer token, looked up afresh on every request."""

    def authenticate(self, request: HttpRequest, token: str) -> DeviceToken | None:
        if bearer_token_locked(request):
            raise TooManyFailures
        device = device_for_token(token)
        if device is None:
            bearer_token_failed(request)
            if bearer_token_locked(request):
                raise TooManyFailures
            return None
        # The access layer reads request.user, as for the pages.
        request.user = device.user
        return device


class LocalDocs(DocsBase):
    """Interactive docs whose scripts are served by the platform: the field has no internet to reach a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        assets = {
            name.replace("-", "_").replace(".", "_"): reverse("sync_api_docs_asset", args=[name])
            for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png")
        }
        return render(
            request,
            "sync/api_docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs), "assets": assets},
        )


api = NinjaAPI(
    title="MPS field sync API",
    version="1",
    description=(
        "The API the offline field app syncs through. Authenticate with `Authorization: Bearer <token>` "
        "(`manage.py issue_device_token USERNAME`, or the field app after a login)."
    ),
    urls_namespace="api-v1",
    auth=DeviceBearer(),
    docs=LocalDocs(),
)


def _device(request: HttpRequest) -> DeviceToken:
    device = request.auth  # type: ignore[attr-defined]
    assert isinstance(device, DeviceToken)
    return device


def _json(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
        status=status,
    )


@api.exception_handler(DomainValidationError)
def _domain_error(request: HttpRequest, error: DomainValidationError) -> HttpResponse:
    return _json({"errors": {key: [str(m) for m in msgs] for key, msgs in error.problems.items()}}, 422)


@api.exception_handler(NinjaValidationError)
def _request_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    problems: dict[str, list[str]] = {}
    for detail in error.errors:
        # ninja prefixes the location with where it read it ("body", "query"); the field path follows.
        location = [str(part) for part in detail.get("loc", ())]
        path = ".".join(location[1:] if location[:1] in (["body"], ["query"]) else location)
        if path.startswith("payload."):
            path = path.removeprefix("payload.")
        problems.setdefault(path or "$", []).append(str(detail.get("msg", "")))
    return _json({"errors": problems}, 422)


@api.exception_handler(TooManyFailures)
def _too_many_failures(request: HttpRequest, error: TooManyFailures) -> HttpResponse:
    response = _json({"detail": lockout_message()}, LOCKED_STATUS)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = _json({"detail": "A valid device token is required."}, 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.get(
    "/me",
    response={200: schemas.MeOut, 401: schemas.DetailOut, 429: schemas.DetailOut},
    summary="Who this token belongs to",
)
def me(request: HttpRequest) -> dict[str, Any]:
    """Return the token's user, device and localities."""
    device = _device(request)
    user = device.user
    return {
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "role": user.role,
        "device": device.device_name,
        "localities": [str(siruta) for siruta in case_localities(user).values_list("siruta", flat=True)],
    }


@api.post(
    "/sync/push",
    # 400: a body that is not JSON at all (django-ninja's own refusal); 422: JSON that breaks the schema.
    response={
        200: schemas.PushOut,
        400: schemas.DetailOut,
        401: schemas.DetailOut,
        422: schemas.ErrorsOut,
        429: schemas.DetailOut,
    },
    summary="Send what the device recorded offline",
)
def push(request: HttpRequest, payload: schemas.PushIn) -> dict[str, Any]:
    """Store each item in its own transaction; answer one result per item, in the order sent."""
    device = _device(request)
    user = device.user
    assert isinstance(user, User)
    results = sync_push(
        actor=user,
        device=device,
        device_id=payload.device_id or device.device_id,
        assessments=payload.assessments,
        visits=payload.visits,
        services=payload.services,
        referrals=payload.referrals,
    )
    return {
        "results": [
            {"ref": result.ref, "kind": result.kind, "status": result.status, "errors": result.errors}
            for result in results
        ]
    }


class PullQuery(Schema):
    cursor: str = ""


@api.get(
    "/sync/pull",
    response={200: schemas.PullOut, 401: schemas.DetailOut, 429: schemas.DetailOut},
    summary="Receive the households of the user's localities",
)
@decorate_view(gzip_page)
def pull(request: HttpRequest, query: Query[PullQuery]) -> HttpResponse:
    """Return everything the device keeps, or, with a cursor, only what changed since."""
    user = _device(request).user
    assert isinstance(user, User)
    # Serialised here rather than through the response schema: the documents are already plain JSON, and
    # validating thousands of nested objects again would double the pull's server time.
    return _json(sync_pull_for_user(user, query.cursor[:2000]))


@api.get(
    "/catalogue",
    response={200: dict[str, Any], 401: schemas.DetailOut, 429: schemas.DetailOut},
    summary="Questions and catalogue",
)
@decorate_view(gzip_page)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Return the question definition, vulnerabilities and services the field app builds its forms from."""
    return _json(field_catalogue())


@api.get(
    "/conflicts",
    response={200: list[schemas.ConflictOut], 401: schemas.DetailOut, 429: schemas.DetailOut},
    summary="Open conflicts",
)
def conflicts(request: HttpRequest) -> list[dict[str, Any]]:
    """Return the open conflicts of the households of the token user's localities."""
    user = _device(request).user
    assert isinstance(user, User)
    return [
        {
            "id": str(conflict.id),
            "household": str(conflict.household_id),
            "kind": conflict.kind,
            "assessment": str(conflict.assessment_id) if conflict.assessment_id else None,
            "other": str(conflict.other_id) if conflict.other_id else None,
            "item_kind": conflict.item_kind or None,
            "item_ref": str(conflict.item_ref) if conflict.item_ref else None,
            "detected_at": conflict.detected_at.isoformat(),
            "resolved_at": conflict.resolved_at.isoformat() if conflict.resolved_at else None,
        }
        for conflict in conflict_list_for_user(user)[:500]
    ]


@api.post(
    "/device/revoke",
    response={200: schemas.DetailOut, 401: schemas.DetailOut, 429: schemas.DetailOut},
    summary="Sign this device out",
)
def revoke_own(request: HttpRequest) -> dict[str, str]:
    """Revoke the token this request carries (the field app's logout)."""
    device = _device(request)
    device_token_revoke(actor=device.user, device=device)
    return {"detail": "revoked"}
