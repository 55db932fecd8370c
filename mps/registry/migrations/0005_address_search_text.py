"""Household search text folded as an address, so "Str. Principală nr. 112" finds "Principala 112"."""

from django.db import migrations

from mps.core.search_text import fold_address

BATCH = 2_000


def refold(apps, schema_editor) -> None:
    household_model = apps.get_model("registry", "Household")
    batch = []
    for household in household_model.objects.select_related("village").only(
        "id", "address", "search_text", "village__name"
    ).iterator(chunk_size=BATCH):
        folded = fold_address(household.address, household.village.name if household.village else "")
        if folded != household.search_text:
            household.search_text = folded
            batch.append(household)
        if len(batch) >= BATCH:
            household_model.objects.bulk_update(batch, ["search_text"])
            batch = []
    household_model.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_romanian_order")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
