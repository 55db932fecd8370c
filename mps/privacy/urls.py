"""The data-subject requests' pages, under /confidentialitate/."""

from django.urls import path

from mps.privacy import views

app_name = "privacy"

urlpatterns = [
    path("cereri/", views.request_list, name="request_list"),
    path("cereri/noua/", views.request_create, name="request_create"),
    path("cereri/<int:request_id>/", views.request_detail, name="request_detail"),
    path("cereri/<int:request_id>/incepe/", views.request_step, {"step": "start"}, name="request_start"),
    path(
        "cereri/<int:request_id>/identitate/",
        views.request_step,
        {"step": "identity"},
        name="request_identity",
    ),
    path(
        "cereri/<int:request_id>/prelungeste/", views.request_step, {"step": "extend"}, name="request_extend"
    ),
    path("cereri/<int:request_id>/refuza/", views.request_step, {"step": "refuse"}, name="request_refuse"),
    path("cereri/<int:request_id>/raspunde/", views.request_step, {"step": "answer"}, name="request_answer"),
    path(
        "cereri/<int:request_id>/ridica-restrictia/",
        views.request_step,
        {"step": "lift"},
        name="request_lift",
    ),
    path("cereri/<int:request_id>/date.json", views.request_download, {"fmt": "json"}, name="download_json"),
    path("cereri/<int:request_id>/date.pdf", views.request_download, {"fmt": "pdf"}, name="download_pdf"),
    path("export-pseudonimizat.csv", views.pseudonymised_export, name="pseudonymised_export"),
]
