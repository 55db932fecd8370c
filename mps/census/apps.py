from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "mps.census"
    label = "census"
    default_auto_field = "django.db.models.BigAutoField"
