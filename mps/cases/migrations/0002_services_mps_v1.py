"""Load the mps-v1 service catalogue (the minimum package) into the Service table."""

from django.db import migrations


def load(apps, schema_editor):
    from mps.cases.catalogue import services_sync

    services_sync("mps-v1", model=apps.get_model("cases", "Service"))


def unload(apps, schema_editor):
    apps.get_model("cases", "Service").objects.filter(catalogue="mps-v1").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
