from django.db import migrations

from mps.core.json_repair import unwrap_json_strings


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0002_pushed_item_payload_as_json"),
    ]

    operations = [
        unwrap_json_strings("sync_pusheditem", "payload", "json"),
        unwrap_json_strings("sync_pusheditem", "errors", "jsonb"),
    ]
