"""The planner's pages: the scenario comparison and its spreadsheet."""

from django.urls import path

from mps.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.scenarios, name="index"),
    path("export.xlsx", views.export, name="export"),
]
