from django.db import migrations

from mps.core.json_repair import unwrap_json_strings


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_actor_indexed_where_set"),
    ]

    operations = [
        unwrap_json_strings("audit_auditevent", "changes", "jsonb"),
    ]
