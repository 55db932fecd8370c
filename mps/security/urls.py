from django.urls import path

from mps.security import views

app_name = "security"

urlpatterns = [
    path("configurare/", views.setup, name="setup"),
    path("verificare/", views.verify, name="verify"),
    path("coduri-de-recuperare/", views.recovery_codes, name="recovery_codes"),
    path("chei-de-acces/", views.passkey_list, name="passkeys"),
    path("chei-de-acces/<int:passkey_id>/stergere/", views.passkey_remove, name="passkey_remove"),
    # JSON endpoints of the passkey ceremonies (static/security/passkeys.js).
    path(
        "chei-de-acces/inregistrare/inceput/",
        views.PasskeyRegistrationBegin.as_view(),
        name="passkey_registration_begin",
    ),
    path(
        "chei-de-acces/inregistrare/final/",
        views.PasskeyRegistrationComplete.as_view(),
        name="passkey_registration_complete",
    ),
    path(
        "chei-de-acces/verificare/inceput/",
        views.PasskeyVerificationBegin.as_view(),
        name="passkey_verification_begin",
    ),
    path(
        "chei-de-acces/verificare/final/",
        views.PasskeyVerificationComplete.as_view(),
        name="passkey_verification_complete",
    ),
]
