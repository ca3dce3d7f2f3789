"""Simulated buyers: orders at a chosen rate on listings that show stock, cancellations and returns at chosen rates."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from connectors.sandbox.server import HttpError

logger = logging.getLogger(__name__)


@dataclass
class BuyerSettings:
    rate: float = 1.0  # orders per second across all marketplaces
    duration_s: float | None = None  # None: until stopped
    cancel_rate: float = 0.0  # share of orders the buyer cancels a little later
    return_rate: float = 0.0  # share of orders returned once the marketplace lets them be
    max_quantity: int = 1
    marketplaces: tuple[str, ...] = ()  # empty: all
    fbo_share: float = 0.0  # share of orders served from marketplace (FBO) warehouses


class Buyers:
    def __init__(self, sandbox, settings: BuyerSettings):
        self.sandbox = sandbox
        self.settings = settings
        self.placed = 0
        self.refused = 0  # nothing in stock where the buyer looked
        self._stop = threading.Event()
        self._pending_cancels: list[tuple[float, str, str, str]] = []
        self.thread = threading.Thread(target=self._run, name="sandbox-buyers", daemon=True)

    def start(self) -> Buyers:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self.thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        world = self.sandbox.world
        started = time.monotonic()
        interval = 1.0 / self.settings.rate if self.settings.rate > 0 else 1.0
        next_at = started
        while not self._stop.is_set():
            now = time.monotonic()
            if self.settings.duration_s is not None and now - started >= self.settings.duration_s:
                break
            if now < next_at:
                self._stop.wait(min(next_at - now, 0.05))
                continue
            next_at += interval
            try:
                self._buy_once(world)
                self._due_cancellations()
            except Exception:
                logger.exception("simulated buyer failed")

    def _candidates(self, world):
        marketplaces = self.settings.marketplaces or tuple(self.sandbox.apps)
        found = []
        with world.lock:
            for marketplace in marketplaces:
                for seller in world.sellers_of(marketplace):
                    for product in seller.products.values():
                        for warehouse_id, shown in product.stocks.items():
                            if shown > 0:
                                found.append((marketplace, seller, product, warehouse_id))
        return found

    def _buy_once(self, world) -> None:
        candidates = self._candidates(world)
        if not candidates:
            self.refused += 1
            return
        marketplace, seller, product, warehouse_id = world.random.choice(candidates)
        quantity = min(world.random.randint(1, self.settings.max_quantity), product.stocks.get(warehouse_id, 0))
        if quantity <= 0:
            self.refused += 1
            return
        try:
            orders = self.sandbox.place_order(marketplace, seller.id, [(product.key, quantity)], warehouse_id)
        except HttpError:
            self.refused += 1
            return
        self.placed += 1
        for order in orders:
            if self.settings.cancel_rate and world.random.random() < self.settings.cancel_rate:
                self._pending_cancels.append((time.monotonic() + world.random.uniform(1, 5), marketplace, seller.id,
                                              order.id))

    def _due_cancellations(self) -> None:
        now = time.monotonic()
        due = [c for c in self._pending_cancels if c[0] <= now]
        self._pending_cancels = [c for c in self._pending_cancels if c[0] > now]
        for _, marketplace, seller_id, order_id in due:
            seller = self.sandbox.world.seller(marketplace, seller_id)
            order = seller.orders.get(order_id) if seller else None
            if order is not None:
                try:
                    with self.sandbox.world.lock:
                        self.sandbox.apps[marketplace].buyer_cancel(seller, order)
                except HttpError:
                    pass
