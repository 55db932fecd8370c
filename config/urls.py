"""The platform's URL map: each app owns its own urls module, and every path is Romanian."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mps.web import views as web_views
from mps.web.legacy_paths import LEGACY_PATTERNS

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("health/", web_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cont/autentificare/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("cont/deconectare/", web_views.LogoutAndWipeView.as_view(), name="logout"),
    # The product's own templates: django.contrib.admin comes first in INSTALLED_APPS, and its
    # registration/password_change_*.html would otherwise win and show the admin's look.
    path(
        "cont/parola/",
        auth_views.PasswordChangeView.as_view(template_name="web/password_change_form.html"),
        name="password_change",
    ),
    path(
        "cont/parola/schimbata/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("cont/doi-factori/", include("mps.security.urls")),
    path("gospodarii/", include("mps.registry.urls")),
    path("recensamant/", include("mps.census.urls")),
    path("evaluari/", include("mps.assessment.urls")),
    path("cazuri/", include("mps.cases.urls")),
    path("planificare/", include("mps.planning.urls")),
    path("transferuri/", include("mps.moves.urls")),
    path("api/v1/", include("mps.sync.api_urls")),
    path("teren/", include("mps.sync.urls")),
    path("monitorizare/", include("mps.monitoring.urls")),
    path("audit/", include("mps.web.audit_urls")),
    path("confidentialitate/", include("mps.privacy.urls")),
    path("admin/", admin.site.urls),
    *LEGACY_PATTERNS,
]
