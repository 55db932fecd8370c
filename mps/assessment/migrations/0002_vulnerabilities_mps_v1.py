"""Load the vulnerabilities of catalogue mps-v1 into the Vulnerability table (data only; reversible)."""

from django.db import migrations

CATALOGUE = "mps-v1"


def load(apps, schema_editor):
    from mps.assessment.catalogue_sync import vulnerabilities_sync

    vulnerabilities_sync(CATALOGUE, model=apps.get_model("assessment", "Vulnerability"))


def unload(apps, schema_editor):
    apps.get_model("assessment", "Vulnerability").objects.filter(catalogue=CATALOGUE).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
