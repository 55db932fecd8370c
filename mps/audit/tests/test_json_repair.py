"""Audit changes that a bulk write stored as JSON strings are turned back into objects by the migration."""

import json

import pytest
from django.db import connection

from mps.audit.models import AuditEvent
from mps.core.json_repair import unwrap_json_strings

pytestmark = pytest.mark.django_db


def test_changes_stored_as_a_string_of_json_become_the_object_again():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's bulk writes stored such strings")
    changes = {"address": [None, "Strada Mare 1"], "relation": [None, "child"]}
    sound = AuditEvent.objects.create(action="create", object_type="person", object_id="a", changes=changes)
    broken = AuditEvent.objects.create(action="create", object_type="person", object_id="b", changes={})
    with connection.cursor() as cursor:
        # What the old binary COPY wrote: the serialized text, serialized again as one JSON string.
        cursor.execute(
            "UPDATE audit_auditevent SET changes = to_jsonb(%s::text) WHERE id = %s",
            [json.dumps(changes), broken.id],
        )
    broken.refresh_from_db()
    assert broken.changes == json.dumps(changes)

    with connection.schema_editor() as editor:
        unwrap_json_strings("audit_auditevent", "changes", "jsonb").code(None, editor)

    broken.refresh_from_db()
    sound.refresh_from_db()
    assert broken.changes == changes
    assert sound.changes == changes


def test_a_json_column_holding_documents_is_repaired_the_same_way():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's bulk writes stored such strings")
    document = {"ref": "r", "members": [{"first_name": "Ștefan"}]}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE repair_probe (document json)")
        cursor.execute(
            "INSERT INTO repair_probe VALUES (to_json(%s::text)), (%s::json)",
            [json.dumps(document, ensure_ascii=False), json.dumps(document, ensure_ascii=False)],
        )

    with connection.schema_editor() as editor:
        unwrap_json_strings("repair_probe", "document", "json").code(None, editor)

    with connection.cursor() as cursor:
        cursor.execute("SELECT json_typeof(document), document::text FROM repair_probe")
        rows = cursor.fetchall()
    assert [kind for kind, _text in rows] == ["object", "object"]
    assert all(json.loads(text) == document for _kind, text in rows)
