"""The field app and conflict review, under /teren/."""

from django.urls import path

from mps.sync import views

app_name = "sync"

urlpatterns = [
    path("", views.field_app, name="field_app"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("i18n/<str:language>.json", views.i18n_catalog, name="i18n"),
    path("token/", views.token_issue, name="token"),
    path("deconectare/", views.field_logout, name="logout"),
    path("conflicte/", views.conflict_list, name="conflict_list"),
    path("conflicte/<uuid:conflict_id>/rezolva/", views.conflict_resolve_view, name="conflict_resolve"),
]
