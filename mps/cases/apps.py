from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mps.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Assessment sits below cases in the import layers, so it announces saved assessments by signal.
        from mps.assessment.signals import assessment_recorded
        from mps.cases.receivers import update_case_for_assessment

        assessment_recorded.connect(update_case_for_assessment, dispatch_uid="cases_update_from_assessment")
