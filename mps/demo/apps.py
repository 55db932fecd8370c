from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "mps.demo"
    label = "demo"
    verbose_name = _("Demo data")
    default_auto_field = "django.db.models.BigAutoField"
