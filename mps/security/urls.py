from django.urls import path

from mps.security import views

app_name = "security"

urlpatterns = [
    path("configurare/", views.setup, name="setup"),
    path("verificare/", views.verify, name="verify"),
    path("coduri-de-recuperare/", views.recovery_codes, name="recovery_codes"),
]
