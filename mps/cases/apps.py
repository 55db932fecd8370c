from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mps.cases"
    label = "cases"
    verbose_name = _("Case management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Assessment sits below cases in the import layers, so it announces saved assessments by signal.
        from mps.assessment.signals import assessments_recorded
        from mps.cases.receivers import update_cases_for_assessments

        assessments_recorded.connect(
            update_cases_for_assessments, dispatch_uid="cases_update_from_assessment"
        )
