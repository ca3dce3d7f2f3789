"""Talk to a running sandbox's control API (tests, benchmarks, the demo)."""

from __future__ import annotations

from typing import Any

import httpx


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout)

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.client.request(method, f"/_sandbox/{path}", **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"sandbox {method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def health(self) -> dict:
        return self._call("GET", "health")

    def reset(self) -> None:
        self._call("POST", "reset")

    def create_seller(self, spec: dict[str, Any]) -> dict:
        return self._call("POST", "sellers", json=spec)

    def seller(self, seller_id: str) -> dict:
        return self._call("GET", f"sellers/{seller_id}")

    def place_order(self, seller: str, items: list[dict[str, Any]], warehouse_id: str | None = None,
                    scheme: str = "fbs") -> list[dict]:
        body = {"seller": seller, "items": items, "scheme": scheme}
        if warehouse_id is not None:
            body["warehouse_id"] = warehouse_id
        return self._call("POST", "orders", json=body)["orders"]

    def orders(self, seller: str) -> list[dict]:
        return self._call("GET", "orders", params={"seller": seller})["orders"]

    def order_action(self, seller: str, order_id: str, action: str) -> dict:
        return self._call("POST", f"orders/{order_id}/{action}", json={"seller": seller})

    def set_faults(self, **faults: Any) -> dict:
        return self._call("POST", "faults", json=faults)

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def start_buyers(self, **settings: Any) -> dict:
        return self._call("POST", "buyers", json=settings)

    def stop_buyers(self) -> dict:
        return self._call("DELETE", "buyers")

    def stock_updates(self, since: int = 0, marketplace: str | None = None) -> list[dict]:
        params = {"since": since, **({"marketplace": marketplace} if marketplace else {})}
        return self._call("GET", "stock-updates", params=params)["updates"]

    def sales(self, since: int = 0) -> list[dict]:
        return self._call("GET", "sales", params={"since": since})["sales"]

    def requests(self, since: int = 0, marketplace: str | None = None) -> list[dict]:
        params = {"since": since, **({"marketplace": marketplace} if marketplace else {})}
        return self._call("GET", "requests", params=params)["requests"]

    def spec_violations(self, clear: bool = False) -> list[str]:
        return self._call("DELETE" if clear else "GET", "spec-violations")["violations"]
