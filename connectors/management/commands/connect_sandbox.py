"""Mirror an organization's connections into the running sandbox and (optionally) start simulated buyers."""

import time

from django.core.management.base import BaseCommand, CommandError

from connectors.models import Connection
from connectors.sandbox.client import SandboxControl
from connectors.sandbox.provision import register_connection
from oms.models import Organization
from oms.tenancy import organization_scope


class Command(BaseCommand):
    help = "Create a sandbox seller for every enabled connection that points at a sandbox (its base URL)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", default="okno-demo", help="organization slug")
        parser.add_argument("--buyers", type=float, default=0.0, help="simulated orders per second (0: none)")
        parser.add_argument("--cancel-rate", type=float, default=0.05)
        parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the sandbox to answer")

    def handle(self, *args, organization, buyers, cancel_rate, wait, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with slug {organization!r}")
        with organization_scope(org):
            connections = list(Connection.objects.filter(enabled=True).exclude(base_url=""))
            if not connections:
                raise CommandError("No enabled connection has a base URL: nothing points at a sandbox")
            control = None
            for connection in connections:
                control = SandboxControl(connection.base_url)
                self._wait_for(control, wait)
                created = register_connection(connection, control)
                self.stdout.write(f"{connection}: seller {created['id']} with {len(created['products'])} products "
                                  f"at {connection.base_url}")
        if buyers > 0 and control is not None:
            control.start_buyers(rate=buyers, cancel_rate=cancel_rate)
            self.stdout.write(f"buyers: {buyers} orders/s")

    @staticmethod
    def _wait_for(control: SandboxControl, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                control.health()
                return
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"The sandbox at {control.base_url} does not answer: {exc}") from exc
                time.sleep(0.5)
