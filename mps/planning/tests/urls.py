"""The platform's URLs with the planner mounted, whether or not config/urls.py mounts it yet."""

from django.urls import include, path

from config.urls import urlpatterns as platform_urlpatterns

_mounted = any(getattr(pattern, "namespace", None) == "planning" for pattern in platform_urlpatterns)
urlpatterns = [*platform_urlpatterns]
if not _mounted:
    urlpatterns.append(path("planificare/", include("mps.planning.urls")))
