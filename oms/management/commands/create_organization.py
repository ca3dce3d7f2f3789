"""``manage.py create_organization NAME --owner EMAIL --password PW``: an organization, its owner and an API token."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from oms.provisioning import ProvisioningError, provision_organization


class Command(BaseCommand):
    help = "Create an organization with an owner (created if missing) and print the owner's API token. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Organization name, e.g. \"ООО Ромашка\"")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="Owner's e-mail (login)")
        parser.add_argument("--password", required=True, metavar="PW", help="Owner's password (set for a new user)")

    def handle(self, *args, name: str, owner: str, password: str, **options):
        try:
            result = provision_organization(name, owner, password)
        except ProvisioningError as exc:
            raise CommandError(exc.message)
        organization = result.organization
        if result.changed:
            for item in result.created:
                self.stdout.write(self.style.SUCCESS(f"Created {item}"))
        else:
            self.stdout.write(
                f"Organization {organization.name!r} (slug {organization.slug}) already exists with owner "
                f"{result.user.email}: nothing changed."
            )
        self.stdout.write(f"API token: {result.token}")
