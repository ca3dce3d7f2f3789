"""Read queries of the returns screens, the API, the digest and the product page. Tenant-scoped through the default
managers; joins named explicitly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from inventory.choices import MovementKind
from inventory.models import Location, StockMovement, Warehouse
from orders.choices import OrderStatus
from orders.models import OrderLine
from returns.choices import ClaimStatus, ReasonCode, ReturnKind, ReturnStatus
from returns.models import Claim, Return, ReturnLine

# A claim "expires soon" when its deadline falls within this window: the navigation badge and the daily digest.
DUE_SOON = timedelta(hours=24)
# Units a buyer actually received (or that at least left the warehouse): the denominator of a return rate.
SOLD_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED)
# What counts as a unit coming back: cancellations never left, a refused request did not come back.
COUNTED_KINDS = (ReturnKind.RETURN, ReturnKind.NON_PURCHASE, ReturnKind.CLAIM)


def return_list() -> QuerySet[Return]:
    """Returns with their connection, order and lines (variants) for the list, the export and the API."""
    return (
        Return.objects.select_related("connection", "order")
        .defer("connection__credentials", "raw")
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("variant").order_by("pk")))
    )


def return_for_page() -> QuerySet[Return]:
    return Return.objects.select_related("connection", "order", "warehouse", "handled_by").defer(
        "connection__credentials"
    )


def return_lines(ret: Return) -> QuerySet[ReturnLine]:
    return (
        ReturnLine.objects.filter(return_request=ret)
        .select_related("variant__product", "order_line")
        .prefetch_related("variant__barcodes")
        .order_by("pk")
    )


def return_claims(ret: Return) -> QuerySet[Claim]:
    return Claim.objects.filter(return_request=ret).select_related("answered_by").order_by("deadline_at", "pk")


def return_movements(ret: Return) -> QuerySet[StockMovement]:
    """The ledger rows this return booked (restock)."""
    return (
        StockMovement.objects.filter(reference=f"return:{ret.pk}", kind=MovementKind.RETURN)
        .select_related("variant", "warehouse", "user")
        .order_by("created_at", "pk")
    )


def return_history(ret: Return) -> list[str]:
    """The return's trail of actions, oldest first (one line per action: when, who, what)."""
    return [line for line in (ret.inspection_note or "").splitlines() if line.strip()]


def restock_targets() -> tuple[list[Warehouse], list[Location]]:
    """Own active warehouses and their active bins, for the restock form."""
    warehouses = list(Warehouse.objects.filter(kind="own", is_active=True).order_by("name"))
    locations = list(
        Location.objects.filter(warehouse__in=warehouses, is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__name", "walk_order", "code")
    )
    return warehouses, locations


# --- claims ------------------------------------------------------------------------------------------------------
def claim_list() -> QuerySet[Claim]:
    return Claim.objects.select_related("connection", "return_request", "order", "answered_by").defer(
        "connection__credentials"
    )


def open_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(status__in=(ClaimStatus.OPEN, ClaimStatus.EXPIRED))


def claims_due_soon(now: datetime | None = None) -> QuerySet[Claim]:
    """Open claims whose deadline is still ahead but within 24 hours."""
    now = now or timezone.now()
    return open_claims().filter(deadline_at__gte=now, deadline_at__lt=now + DUE_SOON)


def claims_overdue(now: datetime | None = None) -> QuerySet[Claim]:
    """Open claims whose deadline has passed without an answer."""
    return open_claims().filter(deadline_at__lt=now or timezone.now())


def claims_due_soon_count(now: datetime | None = None) -> int:
    return claims_due_soon(now).count()


# --- return analytics groundwork ----------------------------------------------------------------------------------
@dataclass
class ReturnRate:
    """Units sold and returned for one variant on one channel (``connection_id`` None: all channels)."""

    variant_id: int
    sku: str
    connection_id: int | None = None
    connection_name: str = ""
    marketplace: str = ""
    sold: int = 0
    returned: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # reason code → units

    @property
    def rate(self) -> float | None:
        """Returned ÷ sold as a percentage; None when nothing was sold."""
        return round(100 * self.returned / self.sold, 1) if self.sold else None

    @property
    def reason_list(self) -> list[tuple[str, int]]:
        labels = dict(ReasonCode.choices)
        ordered = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return [(str(labels.get(code, code)), units) for code, units in ordered]


def return_rates(product) -> list[ReturnRate]:
    """Return rate and reasons per variant and channel of ``product`` (all time), each variant followed by its
    all-channel total when it sells on more than one. Two queries."""
    sold = (
        OrderLine.objects.filter(variant__product=product)
        .filter(Q(order__status__in=SOLD_STATUSES) | Q(order__shipped_at__isnull=False))
        .order_by()
        .values("variant_id", "variant__sku", "order__connection_id", "order__connection__name",
                "order__connection__marketplace")
        .annotate(units=Sum("quantity"))
    )
    returned = (
        ReturnLine.objects.filter(variant__product=product, return_request__kind__in=COUNTED_KINDS)
        .exclude(return_request__status=ReturnStatus.REJECTED)
        .order_by()
        .values("variant_id", "variant__sku", "return_request__connection_id", "return_request__connection__name",
                "return_request__connection__marketplace", "return_request__reason_code")
        .annotate(units=Sum("quantity"))
    )
    rows: dict[tuple[int, int], ReturnRate] = {}

    def row(variant_id, sku, connection_id, name, marketplace) -> ReturnRate:
        key = (variant_id, connection_id)
        if key not in rows:
            rows[key] = ReturnRate(variant_id, sku, connection_id, name, marketplace)
        return rows[key]

    for item in sold:
        row(item["variant_id"], item["variant__sku"], item["order__connection_id"], item["order__connection__name"],
            item["order__connection__marketplace"]).sold += item["units"] or 0
    for item in returned:
        entry = row(item["variant_id"], item["variant__sku"], item["return_request__connection_id"],
                    item["return_request__connection__name"], item["return_request__connection__marketplace"])
        units = item["units"] or 0
        entry.returned += units
        code = item["return_request__reason_code"]
        entry.reasons[code] = entry.reasons.get(code, 0) + units
    by_variant: dict[int, list[ReturnRate]] = defaultdict(list)
    for entry in sorted(rows.values(), key=lambda r: (r.sku, r.marketplace, r.connection_name)):
        by_variant[entry.variant_id].append(entry)
    result: list[ReturnRate] = []
    for entries in by_variant.values():
        result.extend(entries)
        if len(entries) > 1:
            total = ReturnRate(entries[0].variant_id, entries[0].sku)
            for entry in entries:
                total.sold += entry.sold
                total.returned += entry.returned
                for code, units in entry.reasons.items():
                    total.reasons[code] = total.reasons.get(code, 0) + units
            result.append(total)
    return result
