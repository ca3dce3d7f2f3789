from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    WAREHOUSE = "warehouse", _("Warehouse")
    VIEWER = "viewer", _("Viewer")


class Capability(models.TextChoices):
    """What a role may do. Views and API permissions ask for a capability, never for a role by name."""

    VIEW = "view", _("View data")
    EDIT_CATALOG = "edit_catalog", _("Edit products and listings")
    MOVE_STOCK = "move_stock", _("Receive, adjust and count stock")
    EDIT_WAREHOUSES = "edit_warehouses", _("Edit warehouses and bins")
    WORK_ORDERS = "work_orders", _("Work orders and returns")
    MANAGE_CONNECTIONS = "manage_connections", _("Manage marketplace connections")
    MANAGE_MEMBERS = "manage_members", _("Manage members")


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Capability.values),
    Role.MANAGER: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT_CATALOG,
            Capability.MOVE_STOCK,
            Capability.EDIT_WAREHOUSES,
            Capability.WORK_ORDERS,
            Capability.MANAGE_CONNECTIONS,
        }
    ),
    Role.WAREHOUSE: frozenset(
        {Capability.VIEW, Capability.MOVE_STOCK, Capability.EDIT_WAREHOUSES, Capability.WORK_ORDERS}
    ),
    Role.VIEWER: frozenset({Capability.VIEW}),
}
