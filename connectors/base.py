"""The one protocol every marketplace connector implements.

A connector translates between one marketplace's API and Okno's DTOs; it never touches the database. Every
operation exists on every connector: where the marketplace has no such API the connector raises
``OperationNotSupported`` with the reason, never a silent no-op.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from connectors.dto import (
    ActionResult,
    Batch,
    FboStockDTO,
    LabelFile,
    OrderDTO,
    OrderStatusDTO,
    PayloadError,
    ReturnDTO,
    StockPushResult,
    StockReading,
    StockUpdate,
)
from connectors.errors import OperationNotSupported
from connectors.http import MarketplaceHttp

T = TypeVar("T")


@dataclass(frozen=True)
class ConnectionConfig:
    """What a connector needs to know about a connection, detached from the ORM (safe to pass to threads)."""

    id: int
    organization_id: int
    marketplace: str
    credentials: dict[str, Any]
    base_url: str = ""
    api_base_urls: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    warehouse_ids: tuple[str, ...] = ()  # the seller's marketplace warehouses we push stock to

    @classmethod
    def from_connection(cls, connection) -> ConnectionConfig:
        return cls(
            id=connection.pk,
            organization_id=connection.organization_id,
            marketplace=connection.marketplace,
            credentials=dict(connection.credentials or {}),
            base_url=connection.base_url or "",
            api_base_urls=dict(connection.api_base_urls or {}),
            options=dict(connection.options or {}),
            warehouse_ids=tuple(
                connection.warehouse_links.order_by("external_id").values_list("external_id", flat=True)
            ),
        )


class Connector(ABC):
    """Base class. Subclasses set ``marketplace``, ``api`` (their HTTP layer definition) and override operations."""

    marketplace: ClassVar[str]
    #: Largest number of (item, warehouse) pairs one stock-update request may carry.
    stock_batch_size: ClassVar[int]
    #: Seconds the marketplace wants between two updates of the same item at the same warehouse (Ozon: 30).
    stock_pair_interval_s: ClassVar[float] = 0.0
    #: Label formats this marketplace offers, e.g. {"pdf_58x40", "png", "zpl"}.
    label_formats: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: ConnectionConfig, http: MarketplaceHttp | None = None):
        self.config = config
        self.http = http or self.build_http(config)

    # --- wiring -----------------------------------------------------------------------------------------------
    @classmethod
    @abstractmethod
    def build_http(cls, config: ConnectionConfig) -> MarketplaceHttp:
        """Each marketplace builds its HTTP layer with its hosts, auth and limits."""

    def unsupported(self, operation: str, reason: str) -> OperationNotSupported:
        return OperationNotSupported(f"{self.marketplace}: {operation} — {reason}")

    # --- health -----------------------------------------------------------------------------------------------
    def check(self) -> str:
        """A cheap authenticated call; returns a short description of the account. Raises a classified error."""
        raise self.unsupported("check", "not implemented for this marketplace")

    # --- orders -----------------------------------------------------------------------------------------------
    def fetch_new_orders(self, *, since: datetime | None = None) -> Batch[OrderDTO]:
        """FBS/DBS orders waiting for the seller's first action. ``since``: the caller saw every such order up to
        then; a marketplace whose list is long and filterable may return only those updated after it."""
        raise self.unsupported("fetch_new_orders", "no API")

    def fetch_changed_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """One page of FBS/DBS orders changed since the cursor; ``Batch.cursor`` resumes, ``has_more`` pages on."""
        raise self.unsupported("fetch_changed_orders", "no API")

    def fetch_order_statuses(self, external_ids: Sequence[str]) -> Batch[OrderStatusDTO]:
        raise self.unsupported("fetch_order_statuses", "no API")

    def confirm_orders(self, external_ids: Sequence[str]) -> list[ActionResult]:
        raise self.unsupported("confirm_orders", "no API")

    def cancel_order(self, external_id: str, reason: str = "") -> ActionResult:
        raise self.unsupported("cancel_order", "no API")

    def ship_orders(self, external_ids: Sequence[str], *, options: dict[str, Any] | None = None) -> list[ActionResult]:
        """Hand orders over: WB supply create/add/deliver, Ozon ship, YM boxes + READY_TO_SHIP, AE shipment."""
        raise self.unsupported("ship_orders", "no API")

    def get_labels(self, external_ids: Sequence[str], label_format: str = "pdf") -> list[LabelFile]:
        raise self.unsupported("get_labels", "no API")

    # --- stock ------------------------------------------------------------------------------------------------
    def push_stocks(self, updates: Sequence[StockUpdate]) -> list[StockPushResult]:
        """Send one batch (≤ ``stock_batch_size``); one result per update, accepted or with the marketplace's error."""
        raise self.unsupported("push_stocks", "no API")

    def learned_product_ids(self) -> dict[str, str]:
        """offer_id → marketplace product id looked up while pushing, for the caller to keep on its listings."""
        return {}

    def read_stocks(self, keys: Sequence[tuple[str, str]]) -> list[StockReading]:
        """Read back what the marketplace shows for (stock_key, warehouse_external_id) pairs."""
        raise self.unsupported("read_stocks", "no API")

    # --- FBO --------------------------------------------------------------------------------------------------
    def fetch_fbo_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        raise self.unsupported("fetch_fbo_orders", "no API")

    def fetch_fbo_stocks(self) -> Batch[FboStockDTO]:
        raise self.unsupported("fetch_fbo_stocks", "no API")

    # --- returns ----------------------------------------------------------------------------------------------
    def fetch_returns(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[ReturnDTO]:
        raise self.unsupported("fetch_returns", "no API")

    def approve_return(self, external_id: str, *, comment: str = "") -> ActionResult:
        """Accept a buyer's return request (or a claim) through the marketplace."""
        raise self.unsupported("approve_return", "no API")

    def reject_return(self, external_id: str, *, reason: str, comment: str = "") -> ActionResult:
        """Refuse a buyer's return request (or a claim) with the reason the marketplace asks for."""
        raise self.unsupported("reject_return", "no API")

    def answer_claim(self, external_id: str, *, decision: str, comment: str = "") -> ActionResult:
        """Answer a claim before its deadline; ``decision`` is one of the marketplace's documented answers."""
        raise self.unsupported("answer_claim", "no API")


def map_each(
    raw_items: Iterable[Any],
    mapper: Callable[[Any], T],
    *,
    kind: str,
    external_id: Callable[[Any], Any] = lambda item: "",
    batch: Batch[T] | None = None,
) -> Batch[T]:
    """Map every item; an item that fails becomes a ``PayloadError`` with its verbatim JSON, the rest go on."""
    batch = batch if batch is not None else Batch()
    for item in raw_items:
        try:
            batch.items.append(mapper(item))
        except Exception as exc:
            try:
                ident = str(external_id(item) or "")
            except Exception:
                ident = ""
            batch.errors.append(
                PayloadError(kind=kind, payload=_dump(item), error=f"{type(exc).__name__}: {exc}", external_id=ident)
            )
    return batch


def _dump(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(item)
