"""Make the audit trail insert-only in PostgreSQL itself: UPDATE, DELETE and TRUNCATE of it raise.

The admin and the services already never change an event; the triggers make the database refuse it too, so a
bug, a shell session or a stray bulk query cannot rewrite who saw what. The one way through is deliberate: a
session that sets `mps.audit_maintenance` to 'on' (the test database, whose flushes TRUNCATE every table, or a
supervised repair with `SET LOCAL` inside its own transaction). Nothing in the application sets it.

SQLite has no such triggers: it is for development and the quick tests, and its flush deletes rows with no way
to tell a flush from a stray DELETE.
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_auditevent_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('mps.audit_maintenance', true) = 'on' THEN
        IF TG_OP = 'UPDATE' THEN
            RETURN NEW;
        END IF;
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is insert-only: % of audit_auditevent refused', TG_OP
        USING HINT = 'Audit events are never changed or removed.';
END;
$$;
CREATE TRIGGER audit_auditevent_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_insert_only();
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_insert_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_update_or_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_insert_only();
"""


def create_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the function's RAISE format uses % of its own.
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_locality_copies_unconstrained")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
