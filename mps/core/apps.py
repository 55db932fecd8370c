from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mps.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the `any` lookup on every field.
        from mps.core import lookups  # noqa: F401
