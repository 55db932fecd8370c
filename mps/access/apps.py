from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "mps.access"
    label = "access"
    verbose_name = _("Access rules")
    default_auto_field = "django.db.models.BigAutoField"
