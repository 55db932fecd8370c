"""The platform's URL map: each app owns its own urls module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mps.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("health/", web_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", web_views.LogoutAndWipeView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("households/", include("mps.registry.urls")),
    path("recensamant/", include("mps.census.urls")),
    path("evaluari/", include("mps.assessment.urls")),
    path("cazuri/", include("mps.cases.urls")),
    path("planificare/", include("mps.planning.urls")),
    path("api/v1/", include("mps.sync.api_urls")),
    path("teren/", include("mps.sync.urls")),
    path("monitorizare/", include("mps.monitoring.urls")),
    path("admin/", admin.site.urls),
]
