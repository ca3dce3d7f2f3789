"""The sandbox's own API under ``/_sandbox/`` (never part of a marketplace): set up sellers, act as buyers and as
the marketplace, inject faults, and read back what the marketplace received."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from connectors.sandbox.buyers import Buyers, BuyerSettings
from connectors.sandbox.server import HttpError, Request, Response
from connectors.sandbox.world import Faults


def _seller(sandbox, marketplace: str, seller_id: str | None):
    seller = sandbox.world.seller(marketplace, seller_id or "")
    if seller is None:
        raise HttpError(404, f"no seller {seller_id!r} on {marketplace}")
    return seller


def _order_json(order) -> dict[str, Any]:
    return {
        "id": order.id, "status": order.status, "substatus": order.substatus, "scheme": order.scheme,
        "warehouse_id": order.warehouse_id, "created_at": order.created_at.isoformat(),
        "lines": [{"key": line.key, "quantity": line.quantity, "price": str(line.price)} for line in order.lines],
        "data": order.data,
    }


def handle_control(sandbox, app, request: Request) -> Response:
    world = sandbox.world
    parts = request.path.strip("/").split("/")[1:]  # after "_sandbox"
    method = request.method
    body = request.json or {}
    marketplace = app.marketplace

    if parts == ["health"]:
        return Response(200, {"marketplace": marketplace, "ok": True})
    if parts == ["reset"] and method == "POST":
        if sandbox.buyers:
            sandbox.buyers.stop()
        world.reset()
        return Response(200, {"ok": True})
    if parts == ["sellers"] and method == "POST":
        seller = app.create_seller(body)
        world.add_seller(seller)
        return Response(201, {"id": seller.id, "account": seller.account, "credentials": seller.credentials,
                              "warehouses": seller.warehouses,
                              "products": [{"key": p.key, "offer_id": p.offer_id, "ids": p.ids}
                                           for p in seller.products.values()]})
    if len(parts) == 2 and parts[0] == "sellers" and method == "GET":
        seller = _seller(sandbox, marketplace, parts[1])
        return Response(200, {"id": seller.id, "account": seller.account, "warehouses": seller.warehouses,
                              "products": [{"key": p.key, "offer_id": p.offer_id, "ids": p.ids, "stocks": p.stocks,
                                            "fbo_stocks": p.fbo_stocks} for p in seller.products.values()],
                              "orders": len(seller.orders), "returns": len(seller.returns)})
    if parts == ["orders"] and method == "POST":
        items = [(str(i.get("key") or i["offer_id"]), int(i.get("quantity", 1))) for i in body["items"]]
        orders = sandbox.place_order(marketplace, body["seller"], items, body.get("warehouse_id"),
                                     body.get("scheme", "fbs"))
        return Response(201, {"orders": [_order_json(o) for o in orders]})
    if parts == ["orders"] and method == "GET":
        seller = _seller(sandbox, marketplace, request.arg("seller"))
        return Response(200, {"orders": [_order_json(o) for o in seller.orders.values()]})
    if len(parts) == 3 and parts[0] == "orders" and method == "POST":
        seller = _seller(sandbox, marketplace, body.get("seller") or request.arg("seller"))
        order = seller.orders.get(parts[1])
        if order is None:
            raise HttpError(404, f"no order {parts[1]}")
        action = parts[2]
        with world.lock:
            if action == "cancel":
                app.buyer_cancel(seller, order)
            elif action == "advance":
                app.advance(seller, order)
            elif action == "return":
                created = app.create_return(seller, order)
                return Response(201, {"return": getattr(created, "id", None), "order": _order_json(order)})
            else:
                raise HttpError(404, f"unknown action {action}")
        return Response(200, {"order": _order_json(order)})
    if parts == ["faults"] and method in ("POST", "PUT"):
        known = {f.name for f in fields(Faults)}
        targets = body.pop("marketplaces", None) or [marketplace]
        for target in targets:
            world.faults[target] = Faults(**{k: v for k, v in body.items() if k in known})
        return Response(200, {t: asdict(world.faults[t]) for t in targets})
    if parts == ["faults"] and method == "DELETE":
        world.faults.clear()
        return Response(200, {"ok": True})
    if parts == ["buyers"] and method == "POST":
        if sandbox.buyers:
            sandbox.buyers.stop()
        known = {f.name for f in fields(BuyerSettings)}
        settings = BuyerSettings(**{k: (tuple(v) if k == "marketplaces" else v) for k, v in body.items() if k in known})
        sandbox.buyers = Buyers(sandbox, settings).start()
        return Response(200, {"started": True, "settings": asdict(settings)})
    if parts == ["buyers"] and method == "DELETE":
        if sandbox.buyers:
            sandbox.buyers.stop()
        return Response(200, {"placed": sandbox.buyers.placed if sandbox.buyers else 0})
    if parts == ["buyers"] and method == "GET":
        buyers = sandbox.buyers
        return Response(200, {"running": bool(buyers and buyers.running), "placed": buyers.placed if buyers else 0,
                              "refused": buyers.refused if buyers else 0})
    if parts == ["stock-updates"] and method == "GET":
        since = int(request.arg("since", "0") or 0)
        return Response(200, {"updates": [asdict(r) for r in world.stock_log if r.seq > since
                                          and (request.arg("marketplace") in (None, r.marketplace))]})
    if parts == ["sales"] and method == "GET":
        since = int(request.arg("since", "0") or 0)
        return Response(200, {"sales": [asdict(r) for r in world.sales if r.seq > since]})
    if parts == ["requests"] and method == "GET":
        since = int(request.arg("since", "0") or 0)
        return Response(200, {"requests": [asdict(r) for r in world.requests if r.seq > since
                                           and (request.arg("marketplace") in (None, r.marketplace))]})
    if parts == ["spec-violations"]:
        if method == "DELETE":
            world.spec_violations.clear()
        return Response(200, {"violations": list(world.spec_violations)})
    raise HttpError(404, f"unknown control call {method} {request.path}")
