from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovesConfig(AppConfig):
    name = "mps.moves"
    label = "moves"
    verbose_name = _("Transfers between localities")
    default_auto_field = "django.db.models.BigAutoField"
