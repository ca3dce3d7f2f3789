"""Read queries of the connection screens. Tenant-scoped through the default managers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from connectors.choices import ConnectionStatus
from connectors.models import Connection, IngestError, JobState, WarehouseLink

FAILING_STATUSES = (
    ConnectionStatus.AUTH_FAILED,
    ConnectionStatus.RATE_LIMITED,
    ConnectionStatus.UNAVAILABLE,
    ConnectionStatus.ERROR,
)


def connection_list() -> QuerySet[Connection]:
    # ``credentials`` is deferred: the list never needs to decrypt a secret.
    return Connection.objects.defer("credentials").annotate(
        listing_count=Count("listings", distinct=True),
        open_error_count=Count("ingest_errors", filter=Q(ingest_errors__resolved_at__isnull=True), distinct=True),
    )


def failing_connection_count() -> int:
    return Connection.objects.filter(enabled=True, status__in=FAILING_STATUSES).count()


def connection_job_states(connection: Connection) -> QuerySet[JobState]:
    return JobState.objects.filter(connection=connection).order_by("job")


def connection_warehouse_links(connection: Connection) -> QuerySet[WarehouseLink]:
    return WarehouseLink.objects.filter(connection=connection).select_related("warehouse").order_by("external_id")


def connection_open_ingest_errors(connection: Connection, limit: int = 20) -> list[IngestError]:
    return list(
        IngestError.objects.filter(connection=connection, resolved_at__isnull=True).order_by("-created_at")[:limit]
    )
