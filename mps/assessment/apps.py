from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "mps.assessment"
    label = "assessment"
    verbose_name = _("Assessments")
    default_auto_field = "django.db.models.BigAutoField"
