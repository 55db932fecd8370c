from django.urls import path

from mps.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create_view, name="household_create"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("<uuid:ref>/", views.household_detail, name="household_detail"),
    path("<uuid:ref>/edit/", views.household_edit, name="household_edit"),
    path("<uuid:ref>/members/new/", views.member_add_view, name="member_add"),
    path("<uuid:ref>/members/<uuid:person_ref>/edit/", views.member_edit, name="member_edit"),
    path("<uuid:ref>/members/<uuid:person_ref>/end/", views.member_end, name="member_end"),
]
