"""Endpoint signing secrets are stored encrypted (core.secrets), and deliveries still verify."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from anneal_webhooks import services, signing
from anneal_webhooks.models import SECRET_PURPOSE, Endpoint
from core import secrets

pytestmark = [pytest.mark.usefixtures("allow_loopback", "jobs_in_process")]


def stored_secret(endpoint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM anneal_webhooks_endpoint WHERE id = %s", [endpoint_id])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_database_column_holds_a_token_not_the_secret(organization, receiver):
    endpoint = services.create_endpoint(organization, receiver.url, ["*"])
    column = stored_secret(endpoint.pk)
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret not in column
    assert secrets.decrypt(column, purpose=SECRET_PURPOSE) == endpoint.secret
    assert Endpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


@pytest.mark.django_db
def test_a_rotated_secret_is_stored_encrypted_and_signs_deliveries(organization, receiver,
                                                                   django_capture_on_commit_callbacks):
    endpoint = services.create_endpoint(organization, receiver.url, ["webhook.secret_rotated"])
    with django_capture_on_commit_callbacks(execute=True):
        services.rotate_secret(endpoint)
    new_secret = endpoint.secret
    assert new_secret not in stored_secret(endpoint.pk)
    [request] = receiver.received
    signing.verify(new_secret, request.headers[signing.SIGNATURE_HEADER], request.body)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_plain_secrets_and_reverses(organization):
    executor = MigrationExecutor(connection)
    executor.migrate([("anneal_webhooks", "0001_initial")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO anneal_webhooks_endpoint (organization_id, url, description, event_types, secret, "
                "is_active, disabled_reason, consecutive_failures, created_at) "
                "VALUES (%s, 'https://example.com/hook', '', '[]', 'whsec_plain', %s, '', 0, CURRENT_TIMESTAMP)",
                [organization.pk, True])
            cursor.execute("SELECT id FROM anneal_webhooks_endpoint WHERE secret = 'whsec_plain'")
            endpoint_id = cursor.fetchone()[0]
        executor = MigrationExecutor(connection)
        executor.migrate([("anneal_webhooks", "0002_encrypt_endpoint_secrets")])
        assert stored_secret(endpoint_id) != "whsec_plain"
        assert secrets.decrypt(stored_secret(endpoint_id), purpose=SECRET_PURPOSE) == "whsec_plain"

        executor = MigrationExecutor(connection)
        executor.migrate([("anneal_webhooks", "0001_initial")])
        assert stored_secret(endpoint_id) == "whsec_plain"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
