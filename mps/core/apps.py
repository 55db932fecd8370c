from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mps.core"
    label = "core"
    verbose_name = _("Platform core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the `any` lookup on every field, and the Romanian collation on SQLite connections.
        from mps.core import collation, lookups  # noqa: F401
