"""The audit pages, under /audit/: they read across the registry and the trail, so they live in `web`."""

from django.urls import path

from mps.web import person_trail_views

app_name = "audit"
urlpatterns = [path("persoana/", person_trail_views.person_trail_page, name="person_trail")]
