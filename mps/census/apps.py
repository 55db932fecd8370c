from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "mps.census"
    label = "census"
    verbose_name = _("Social census")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Assessment sits below the census in the import layers, so it announces saved assessments by signal.
        from mps.assessment.signals import assessments_recorded
        from mps.census.receivers import record_assessed_visits

        assessments_recorded.connect(record_assessed_visits, dispatch_uid="census_record_assessed_visits")
