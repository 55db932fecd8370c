from django.urls import path

from mps.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("noua/", views.household_create_view, name="household_create"),
    path("duplicate/", views.duplicates, name="duplicates"),
    path("<uuid:ref>/", views.household_detail, name="household_detail"),
    path("<uuid:ref>/editeaza/", views.household_edit, name="household_edit"),
    path("<uuid:ref>/membri/nou/", views.member_add_view, name="member_add"),
    path("<uuid:ref>/membri/<uuid:person_ref>/editeaza/", views.member_edit, name="member_edit"),
    path("<uuid:ref>/membri/<uuid:person_ref>/incheie/", views.member_end, name="member_end"),
]
