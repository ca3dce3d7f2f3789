"""Run one job of one connection now and print what it fetched, pushed and refused (the operator's tool)."""

from django.core.management.base import BaseCommand, CommandError

from connectors.choices import Job
from connectors.models import Connection
from connectors.services import run_job
from oms.tenancy import organization_scope


class Command(BaseCommand):
    help = "Run one job (orders, statuses, stocks, fbo, returns) of one connection synchronously."

    def add_arguments(self, parser):
        parser.add_argument("connection_id", type=int)
        parser.add_argument("--job", required=True, choices=Job.values)

    def handle(self, *args, connection_id, job, **options):
        # Deliberately unscoped: the operator names a connection by id; everything after runs in its organization.
        connection = Connection.all_tenants.filter(pk=connection_id).first()
        if connection is None:
            raise CommandError(f"No connection {connection_id}")
        with organization_scope(connection.organization_id):
            report = run_job(connection, job)
        self.stdout.write(f"{connection} — {report.summary()}")
        for note in report.notes:
            self.stdout.write(f"  note: {note}")
        if report.payload_errors:
            self.stdout.write(f"  {report.payload_errors} payload(s) kept as ingest errors for replay")
        if report.error:
            raise CommandError(report.error)
