from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "mps.security"
    label = "security"
    verbose_name = _("Sign-in security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from mps.security.lockout import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="mps.security.record_lockout")
