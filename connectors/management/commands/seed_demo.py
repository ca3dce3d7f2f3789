"""``manage.py seed_demo [--owner EMAIL --password PW]``: the demo organization with a month of trading."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from connectors.demo import DEFAULT_DAYS, DEFAULT_PRODUCTS, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, describe, seed_demo
from oms.provisioning import ProvisioningError


class Command(BaseCommand):
    help = (
        "Create the demo organization \"Okno Demo\" with a catalogue, two warehouses, four marketplace connections "
        "and a month of orders. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", metavar="EMAIL", help=f"Owner's e-mail (default {DEMO_OWNER_EMAIL})")
        parser.add_argument("--password", metavar="PW", help=f"Owner's password (default {DEMO_OWNER_PASSWORD})")
        parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS, help="Catalogue size (%(default)s)")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="Days of order history (%(default)s)")

    def handle(self, *args, owner: str | None, password: str | None, products: int, days: int, **options):
        if owner and not password:
            raise CommandError("--password is required with --owner.")
        if password and not owner:
            raise CommandError("--owner is required with --password.")
        started = time.monotonic()
        try:
            report = seed_demo(owner_email=owner, password=password, products=products, days=days)
        except ProvisioningError as exc:
            raise CommandError(exc.message)
        for line in describe(report):
            self.stdout.write(self.style.SUCCESS(line) if report.seeded else line)
        if report.seeded:
            self.stdout.write(f"Done in {time.monotonic() - started:.1f} s. Log in as {report.owner_email}.")
