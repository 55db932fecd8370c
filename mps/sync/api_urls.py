"""The typed API, under /api/v1/, with its OpenAPI schema at openapi.json and interactive docs at docs."""

from django.urls import path

from mps.sync import views
from mps.sync.api import api

urlpatterns = [
    path("docs/assets/<str:name>", views.api_docs_asset, name="sync_api_docs_asset"),
    path("", api.urls),
]
