from django.urls import path

from mps.assessment import views

app_name = "assessment"
urlpatterns = [
    path("<uuid:ref>/", views.assessment_detail, name="assessment_detail"),
    path("gospodarii/<uuid:ref>/evaluare-noua/", views.assessment_new, name="assessment_new"),
    path("gospodarii/<uuid:ref>/etape/", views.household_waves, name="household_waves"),
]
