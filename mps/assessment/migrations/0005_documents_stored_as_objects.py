from django.db import migrations

from mps.core.json_repair import unwrap_json_strings


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_finding_person_indexed_where_set"),
    ]

    operations = [
        unwrap_json_strings("assessment_assessment", "document", "json"),
    ]
