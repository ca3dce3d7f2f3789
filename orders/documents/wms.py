"""Hand a batch to an external WMS: export as JSON or CSV, or POST it to the WMS as a signed webhook.

The webhook body is the JSON export; ``X-Okno-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes
with the organization's secret, so the receiver verifies it before parsing (``verify_signature``). The URL and the
secret belong to the caller (the organization's settings), not to the batch. 5xx answers, 429 and timeouts are
retried with backoff; other 4xx are final. The outcome is kept on the batch (``wms_sent_at`` / ``wms_error``).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Barcode
from orders.choices import BatchItemStatus, DocumentKind
from orders.documents.common import save_document
from orders.documents.pick_list import pick_lines
from orders.models import BatchItem, Document, OrderLine, PickBatch

SIGNATURE_HEADER = "X-Okno-Signature"
EVENT = "pick_batch.exported"
RETRY_DELAYS_S = (0.5, 1.0, 2.0)
CSV_COLUMNS = ("batch", "order", "order_external_id", "marketplace", "sku", "name", "quantity", "barcode", "bin",
               "ship_by")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver does: recompute over the raw body and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(body, secret), header or "")


def batch_payload(batch: PickBatch) -> dict[str, Any]:
    """The batch as data: its orders with lines, and the picks along the route with bins."""
    batch = PickBatch.objects.select_related("connection", "warehouse", "picker").get(pk=batch.pk)
    items = list(
        BatchItem.objects.filter(batch=batch, active=True).exclude(status=BatchItemStatus.REMOVED)
        .select_related("order").order_by("pk")
    )
    lines: dict[int, list[OrderLine]] = {}
    for line in OrderLine.objects.filter(order_id__in=[i.order_id for i in items]).order_by("pk"):
        lines.setdefault(line.order_id, []).append(line)
    eans = _barcodes({line.variant_id for group in lines.values() for line in group if line.variant_id})
    picks = pick_lines(batch, images=False)
    bins = {pick.variant_id: pick.bin for pick in picks if pick.variant_id}
    return {
        "event": EVENT,
        "batch": {
            "id": batch.pk, "number": batch.number, "status": batch.status,
            "marketplace": batch.connection.marketplace, "connection": batch.connection.name,
            "warehouse": {"id": batch.warehouse_id, "code": batch.warehouse.code, "name": batch.warehouse.name},
            "cutoff_at": _iso(batch.cutoff_at), "picker": batch.picker.email if batch.picker else None,
            "external_ref": batch.external_ref, "created_at": _iso(batch.created_at),
        },
        "orders": [{
            "id": item.order_id, "number": item.order.number, "external_id": item.order.external_id,
            "status": item.order.status, "scheme": item.order.scheme, "ship_by": _iso(item.order.ship_by),
            "handover": item.status,
            "lines": [{
                "sku": line.sku or line.offer_id, "offer_id": line.offer_id, "name": line.name,
                "quantity": line.quantity, "variant_id": line.variant_id,
                "barcode": eans.get(line.variant_id, ""), "bin": bins.get(line.variant_id, ""),
            } for line in lines.get(item.order_id, [])],
        } for item in items],
        "picks": [{
            "sku": pick.sku, "name": pick.name, "quantity": pick.quantity, "bin": pick.bin,
            "barcode": pick.barcode, "orders": pick.orders,
        } for pick in picks],
    }


def payload_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def export_json(batch: PickBatch, *, user=None) -> Document:
    body = payload_bytes(batch_payload(batch))
    return save_document(DocumentKind.WMS_EXPORT, body, f"batch-{batch.number}.json",
                         content_type="application/json", batch=batch, user=user)


def export_csv(batch: PickBatch, *, user=None) -> Document:
    """One row per order line (UTF-8 with BOM and ';' so Excel on a Russian Windows opens it as columns)."""
    payload = batch_payload(batch)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for order in payload["orders"]:
        for line in order["lines"]:
            writer.writerow([payload["batch"]["number"], order["number"], order["external_id"],
                             payload["batch"]["marketplace"], line["sku"], line["name"], line["quantity"],
                             line["barcode"], line["bin"], order["ship_by"] or ""])
    content = ("\ufeff" + buffer.getvalue()).encode()
    return save_document(DocumentKind.WMS_EXPORT, content, f"batch-{batch.number}.csv",
                         content_type="text/csv; charset=utf-8", batch=batch, user=user)


@dataclass
class WmsResult:
    ok: bool
    status_code: int | None = None
    attempts: int = 0
    error: str = ""


def send_to_wms(batch: PickBatch, url: str, secret: str, *, timeout: float = 10.0,
                client: httpx.Client | None = None, retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> WmsResult:
    """POST the batch to the WMS, signed; records ``wms_sent_at`` or ``wms_error`` on the batch."""
    batch = PickBatch.objects.get(pk=batch.pk)
    body = payload_bytes(batch_payload(batch))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body, secret),
        "X-Okno-Event": EVENT,
        "X-Okno-Delivery": str(uuid.uuid4()),  # the same for every retry: the receiver can drop duplicates
    }
    own_client = client is None
    client = client or httpx.Client(timeout=timeout)
    result = WmsResult(ok=False)
    try:
        for attempt in range(len(retry_delays) + 1):
            result.attempts = attempt + 1
            retry_after = None
            try:
                response = client.post(url, content=body, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                result.error = _("The WMS did not answer: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
                result.status_code = None
            else:
                result.status_code = response.status_code
                if response.is_success:
                    result.ok, result.error = True, ""
                    break
                result.error = _("The WMS answered %(status)s: %(body)s") % {
                    "status": response.status_code, "body": response.text[:300]}
                if response.status_code < 500 and response.status_code != 429:
                    break  # the WMS refused this body: sending it again changes nothing
                retry_after = _retry_after(response)
            if attempt < len(retry_delays):
                time.sleep(retry_after if retry_after is not None else retry_delays[attempt])
    finally:
        if own_client:
            client.close()
    if result.ok:
        PickBatch.objects.filter(pk=batch.pk).update(wms_sent_at=timezone.now(), wms_error="",
                                                     updated_at=timezone.now())
    else:
        PickBatch.objects.filter(pk=batch.pk).update(wms_error=result.error, updated_at=timezone.now())
    return result


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return None


def _barcodes(variant_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for variant_id, value in Barcode.objects.filter(variant_id__in=variant_ids).order_by("pk").values_list(
        "variant_id", "value"
    ):
        found.setdefault(variant_id, value)
    return found


def _iso(value) -> str | None:
    return value.isoformat() if value else None
