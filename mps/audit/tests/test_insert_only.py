"""The trail is insert-only in PostgreSQL itself: UPDATE, DELETE and TRUNCATE of it raise, rows stay as they were.

SQLite has no such triggers (see the audit README), so these tests run on PostgreSQL only. The test database
has the maintenance bypass on for its flushes (see the project's conftest): each test turns it off for its
own transaction first, as a production session has it.
"""

import uuid

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory, worker_of
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import audit_record
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL has the insert-only triggers"
)

REFUSED = "the audit trail is insert-only"


@pytest.fixture
def events() -> list[AuditEvent]:
    locality = LocalityFactory.create()
    worker = worker_of(locality)
    return [
        audit_record(
            actor=worker,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=uuid.uuid4(),
            locality_id=locality.siruta,
        ),
        audit_record(actor=None, action=AuditAction.CREATE, object_type="household", object_id=uuid.uuid4()),
    ]


@pytest.fixture
def as_in_production() -> None:
    """Turn the test database's maintenance bypass off until the test's transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL mps.audit_maintenance = 'off'")
        cursor.execute("SELECT current_setting('mps.audit_maintenance', true)")
        assert cursor.fetchone() == ("off",)


def _rows() -> list[tuple[object, ...]]:
    return list(
        AuditEvent.objects.order_by("id").values_list(
            "id", "at", "actor_id", "action", "object_id", "changes"
        )
    )


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'create', changes = '{}'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_database_refuses_to_change_or_remove_audit_events(events, as_in_production, statement):
    before = _rows()
    with connection.cursor() as cursor:
        # The events' deferred foreign-key checks would otherwise stop a TRUNCATE before the trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert _rows() == before
    assert len(before) == 2


@on_postgresql
def test_the_orm_cannot_change_or_delete_an_event_either(events, as_in_production):
    before = _rows()

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action=AuditAction.EXPORT)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        events[1].delete()

    assert _rows() == before


@on_postgresql
def test_new_events_are_still_written_one_by_one_and_in_bulk(events, as_in_production):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(action=AuditAction.VIEW, object_type="person", object_id=str(uuid.uuid4()))
            for _ in range(3)
        ]
    )

    assert AuditEvent.objects.count() == 5


@on_postgresql
def test_a_maintenance_session_that_says_so_gets_through(events, as_in_production):
    with transaction.atomic(), connection.cursor() as cursor:
        # What the test database's flush relies on; a supervised repair would do the same in its transaction.
        cursor.execute("SET LOCAL mps.audit_maintenance = 'on'")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
        assert not AuditEvent.objects.filter(pk=events[0].pk).exists()
        transaction.set_rollback(True)

    assert AuditEvent.objects.filter(pk=events[0].pk).exists()


@on_postgresql
def test_the_triggers_are_on_the_audit_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal "
            "ORDER BY tgname"
        )
        names = [name for (name,) in cursor.fetchall()]
    assert names == ["audit_auditevent_no_truncate", "audit_auditevent_no_update_or_delete"]


def test_the_admin_shows_the_trail_and_refuses_to_add_change_or_delete():
    superuser = UserFactory.create(
        role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, is_staff=True, is_superuser=True
    )
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEvent]

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_test_databases_flush_still_empties_the_trail():
    audit_record(actor=None, action=AuditAction.VIEW, object_type="person", object_id=uuid.uuid4())

    # What every transactional test's teardown runs: a TRUNCATE of every table, the trail included.
    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
