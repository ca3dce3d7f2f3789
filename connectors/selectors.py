"""Read queries of the connection screens. Tenant-scoped through the default managers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from connectors.choices import ConnectionStatus, Job
from connectors.models import Connection, IngestError, JobState, WarehouseLink
from inventory.models import ChannelStockPolicy

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


def connection_ingest_errors(connection: Connection, *, include_resolved: bool = False) -> QuerySet[IngestError]:
    """Kept payloads of the connection, newest first (the payload itself is long: templates show a preview)."""
    errors = IngestError.objects.filter(connection=connection)
    if not include_resolved:
        errors = errors.filter(resolved_at__isnull=True)
    return errors.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class JobRow:
    job: str
    label: str
    state: JobState | None

    @property
    def result_text(self) -> str:
        """``fetched 3 · created 2`` from the last report; notes and errors are shown elsewhere."""
        result = dict(self.state.last_result or {}) if self.state else {}
        return " · ".join(f"{name} {value}" for name, value in result.items()
                          if name not in ("job", "notes", "error") and value not in (None, "", [], {}))

    @property
    def notes(self) -> list[str]:
        return list((self.state.last_result or {}).get("notes") or []) if self.state else []


def connection_job_rows(connection: Connection) -> list[JobRow]:
    """One row per job the connection runs, whether it has run yet or not."""
    states = {state.job: state for state in connection_job_states(connection)}
    return [JobRow(job.value, str(job.label), states.get(job.value)) for job in Job]


def connection_stock_policy(connection: Connection) -> ChannelStockPolicy | None:
    return ChannelStockPolicy.objects.filter(connection=connection, product__isnull=True).first()


def connection_product_policy_count(connection: Connection) -> int:
    return ChannelStockPolicy.objects.filter(connection=connection, product__isnull=False).count()
