"""A real HTTP server for the emulated marketplaces: one listening port per marketplace, one shared ``World``.

Each marketplace is a ``MarketplaceApp`` with routes on the documented paths. The server adds what is common:
fault injection, the request log, optional validation of every request and response against the official
specs (``connectors.specs``), and the control API under ``/_sandbox/`` that tests, benchmarks and the demo use to
create sellers, place orders, start simulated buyers and read what the marketplace received.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox.world import RequestRecord, Seller, SOrder, SProduct, World

logger = logging.getLogger(__name__)


class HttpError(Exception):
    """Raised by handlers to answer with a marketplace-shaped error (the app formats the body)."""

    def __init__(self, status: int, message: str, *, code: str = "", headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    seller: Seller | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    @property
    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise HttpError(400, f"invalid JSON body: {exc}") from exc


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        return json.dumps(self.body, ensure_ascii=False, default=_json_default).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)}")


Handler = Callable[[Request], Response]


class Router:
    def __init__(self):
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        self.routes.append((method.upper(), pattern, template, handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str], str] | None:
        for route_method, pattern, template, handler in self.routes:
            if route_method == method and (found := pattern.match(path)):
                return handler, found.groupdict(), template
        return None


class MarketplaceApp:
    """Base of one emulated marketplace. Subclasses register routes and implement the buyer-side hooks."""

    marketplace: str = ""
    #: Status the marketplace answers when over its limits (WB/Ozon 429, Yandex Market 420).
    rate_limit_status: int = 429

    def __init__(self, world: World):
        self.world = world
        self.router = Router()
        self.register(self.router)

    # --- to implement -----------------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        """Add the marketplace's routes."""

    def authenticate(self, request: Request) -> Seller:
        """Find the seller from the auth headers, or raise ``HttpError(401/403)``."""
        raise HttpError(401, "authentication is not emulated for this marketplace")

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        """The marketplace's error body shape."""
        return {"message": message, "code": code or str(status)}

    def rate_limited(self, request: Request, retry_after: float = 1.0) -> Response:
        """Refuse as the marketplace refuses when over its limits."""
        return Response(self.rate_limit_status, self.error_body(self.rate_limit_status, "rate limit exceeded"),
                        {"Retry-After": str(max(1, round(retry_after)))})

    def create_seller(self, spec: dict[str, Any]) -> Seller:
        """Build a seller from the control API's JSON (the marketplace fills its own ids and defaults)."""
        seller = Seller(
            id=str(spec["id"]),
            marketplace=self.marketplace,
            credentials=dict(spec.get("credentials") or {}),
            account=dict(spec.get("account") or {}),
            warehouses={str(w["id"]): dict(w) for w in spec.get("warehouses") or []},
            webhook_url=spec.get("webhook_url") or "",
        )
        for item in spec.get("products") or []:
            product = SProduct(
                key=str(item.get("key") or item["offer_id"]),
                offer_id=str(item["offer_id"]),
                name=item.get("name", ""),
                price=Decimal(str(item.get("price", "1000"))),
                ids=dict(item.get("ids") or {}),
                stocks={str(k): int(v) for k, v in (item.get("stocks") or {}).items()},
                fbo_stocks={str(k): int(v) for k, v in (item.get("fbo_stocks") or {}).items()},
            )
            self.fill_product_ids(seller, product)
            seller.products[product.key] = product
        return seller

    def fill_product_ids(self, seller: Seller, product: SProduct) -> None:
        """Give a product the marketplace's own ids it lacks."""

    def place_order(self, seller: Seller, lines: list[tuple[SProduct, int]], warehouse_id: str, scheme: str = "fbs"
                    ) -> list[SOrder]:
        """A buyer orders: create the order(s) in the marketplace's shape and lower the shown stock."""
        raise HttpError(501, f"{self.marketplace}: buyers are not emulated")

    def buyer_cancel(self, seller: Seller, order: SOrder) -> None:
        raise HttpError(501, f"{self.marketplace}: buyer cancellations are not emulated")

    def create_return(self, seller: Seller, order: SOrder) -> Any:
        raise HttpError(501, f"{self.marketplace}: returns are not emulated")

    def advance(self, seller: Seller, order: SOrder) -> None:
        """Move an order one step along the marketplace's own lifecycle (delivery progress)."""
        raise HttpError(501, f"{self.marketplace}: order progress is not emulated")

    # --- helpers for subclasses -------------------------------------------------------------------------------
    def take_stock(self, seller: Seller, product: SProduct, warehouse_id: str, quantity: int) -> bool:
        """Lower what the marketplace shows; False when it shows too little (the buyer cannot order)."""
        with self.world.lock:
            shown = product.stocks.get(warehouse_id, 0)
            if shown < quantity:
                return False
            product.stocks[warehouse_id] = shown - quantity
            return True

    def deliver(self, items: list[Any]) -> list[Any]:
        """Apply duplicate/reorder faults to a list the marketplace hands out."""
        faults = self.world.faults_for(self.marketplace)
        items = list(items)
        if faults.duplicate_rate:
            items = [x for item in items for x in ([item, item] if self.world.random.random() < faults.duplicate_rate
                                                   else [item])]
        if faults.reorder:
            self.world.random.shuffle(items)
        return items

    def new_order_id(self) -> int:
        return self.world.next_id()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, a keep-alive client's delayed ACK adds ~40 ms to
    # every answer.
    disable_nagle_algorithm = True
    server: _AppServer

    def log_message(self, fmt, *args):  # quiet: the request log is in the world
        logger.debug("sandbox %s " + fmt, self.server.app.marketplace, *args)

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command, path=split.path, query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
        )
        response = self.server.sandbox.dispatch(self.server.app, request)
        if response is None:  # an injected timeout: hang up without an answer
            self.close_connection = True
            return
        payload = response.encode()
        self.send_response(response.status)
        if payload or response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815 - names http.server calls


class _AppServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app: MarketplaceApp, sandbox: Sandbox):
        self.app, self.sandbox = app, sandbox
        super().__init__(address, _Handler)


class Sandbox:
    """The running sandbox: one server per marketplace app, a shared world, buyers, the control API."""

    def __init__(
        self,
        world: World | None = None,
        *,
        validate_specs: bool = False,
        strict_specs: bool = False,
        marketplaces: list[str] | None = None,
    ):
        from connectors.sandbox.registry import build_apps

        self.world = world or World()
        self.apps: dict[str, MarketplaceApp] = build_apps(self.world, marketplaces)
        self.servers: dict[str, _AppServer] = {}
        self.threads: list[threading.Thread] = []
        self.validate_specs = validate_specs or strict_specs
        self.strict_specs = strict_specs
        self.buyers = None
        self._validators: dict[str, Any] = {}

    # --- lifecycle --------------------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> Sandbox:
        for marketplace, app in self.apps.items():
            port = (ports or {}).get(marketplace, 0)
            server = _AppServer((host, port), app, self)
            self.servers[marketplace] = server
            thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{marketplace}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        if self.buyers:
            self.buyers.stop()
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def url(self, marketplace: str) -> str:
        host, port = self.servers[marketplace].server_address[:2]
        return f"http://{host}:{port}"

    @property
    def urls(self) -> dict[str, str]:
        return {marketplace: self.url(marketplace) for marketplace in self.servers}

    # --- request handling -------------------------------------------------------------------------------------
    def dispatch(self, app: MarketplaceApp, request: Request) -> Response | None:
        if request.path.startswith("/_sandbox/"):
            try:
                return self.control(app, request)
            except HttpError as exc:
                return Response(exc.status, {"error": exc.message})
            except (KeyError, ValueError, TypeError) as exc:
                return Response(400, {"error": f"{type(exc).__name__}: {exc}"})
        faults = self.world.faults_for(app.marketplace)
        rnd = self.world.random.random
        if faults.timeout_rate and rnd() < faults.timeout_rate:
            time.sleep(faults.timeout_s)
            self._log(app, request, 0)
            return None
        if faults.slow_rate and rnd() < faults.slow_rate:
            time.sleep(faults.slow_s)
        if faults.error_rate and rnd() < faults.error_rate:
            status = self.world.random.choice((500, 502, 503))
            self._log(app, request, status)
            return Response(status, app.error_body(status, "injected failure"))
        matched = app.router.match(request.method, request.path)
        if matched is None:
            self._log(app, request, 404)
            return Response(404, app.error_body(404, f"no such method: {request.method} {request.path}"))
        handler, request.params, _template = matched
        try:
            self._check_spec_request(app, request)
            request.seller = app.authenticate(request)
            if faults.rate_limit_rate and rnd() < faults.rate_limit_rate:
                response = app.rate_limited(request)
            else:
                response = handler(request)
        except HttpError as exc:
            response = Response(exc.status, app.error_body(exc.status, exc.message, exc.code), exc.headers)
        except Exception as exc:  # a sandbox bug must still answer like a server, and be visible
            logger.exception("sandbox handler failed")
            response = Response(500, app.error_body(500, f"sandbox error: {exc}"))
        self._check_spec_response(app, request, response)
        self._log(app, request, response.status, rate_limited=response.status == app.rate_limit_status)
        return response

    def _log(self, app: MarketplaceApp, request: Request, status: int, rate_limited: bool = False) -> None:
        self.world.record_request(
            RequestRecord(seq=self.world.next_seq(), at=time.time(), marketplace=app.marketplace,
                          method=request.method, path=request.path, status=status,
                          seller=request.seller.id if request.seller else "", rate_limited=rate_limited)
        )

    def _validator(self, marketplace: str):
        if marketplace not in self._validators:
            from connectors.specs import SpecValidator

            self._validators[marketplace] = SpecValidator.for_marketplace(marketplace)
        return self._validators[marketplace]

    def _check_spec_request(self, app: MarketplaceApp, request: Request) -> None:
        if not self.validate_specs or (validator := self._validator(app.marketplace)) is None:
            return
        try:
            body = request.json
        except HttpError:
            body = None
        errors = validator.validate_request(
            request.method, request.path, query={k: v[0] for k, v in request.query.items()},
            headers=request.headers, body=body,
        )
        if errors:
            with self.world.lock:
                self.world.spec_violations.extend(errors)
            if self.strict_specs:
                raise HttpError(400, "; ".join(errors)[:1000])

    def _check_spec_response(self, app: MarketplaceApp, request: Request, response: Response) -> None:
        if not self.validate_specs or (validator := self._validator(app.marketplace)) is None:
            return
        if isinstance(response.body, bytes | bytearray) or response.body is None:
            return
        errors = validator.validate_response(request.method, request.path, response.status,
                                             json.loads(response.encode()), response.content_type)
        if errors:
            with self.world.lock:
                self.world.spec_violations.extend(f"response: {e}" for e in errors)

    # --- control API ------------------------------------------------------------------------------------------
    def control(self, app: MarketplaceApp, request: Request) -> Response:
        from connectors.sandbox.control import handle_control

        return handle_control(self, app, request)

    def place_order(self, marketplace: str, seller_id: str, items: list[tuple[str, int]], warehouse_id: str | None = None,
                    scheme: str = "fbs") -> list[SOrder]:
        app = self.apps[marketplace]
        seller = self.world.seller(marketplace, seller_id)
        if seller is None:
            raise HttpError(404, f"no seller {seller_id} on {marketplace}")
        lines = []
        for key, quantity in items:
            product = seller.products.get(key) or seller.product_by_offer(key)
            if product is None:
                raise HttpError(404, f"no product {key}")
            lines.append((product, quantity))
        if warehouse_id is None:
            warehouse_id = next((w for w, info in seller.warehouses.items() if not info.get("fbo")), "")
        with self.world.lock:
            orders = app.place_order(seller, lines, warehouse_id, scheme)
            for order in orders:
                for line in order.lines:
                    self.world.record_sale(seller, order, line, seller.products[line.key])
        return orders
