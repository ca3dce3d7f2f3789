import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orders.documents import wms
from orders.models import PickBatch
from tests.fulfilment.builders import batch_of, bin_at, connection_for, order_of, stored_variant

SECRET = "wms-secret-of-alpha"


class Receiver:
    """A real WMS endpoint on loopback: verifies the signature as a WMS would and answers from a script."""

    def __init__(self, answers=(200,)):
        self.answers = list(answers)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({
                    "body": body, "signature": self.headers[wms.SIGNATURE_HEADER],
                    "verified": wms.verify_signature(body, SECRET, self.headers[wms.SIGNATURE_HEADER]),
                    "delivery": self.headers["X-Okno-Delivery"],
                })
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200 and not receiver.received[-1]["verified"]:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/okno"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def batch(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT", bin_at(warehouse, "A-1", aisle="1", rack="1"), title="Футболка",
                           ean="4601234567893")
    return batch_of(order_of(connection, warehouse, (shirt, 2)), order_of(connection, warehouse, (shirt, 1)))


def test_the_webhook_is_signed_so_the_wms_can_verify_it(batch, receiver):
    result = wms.send_to_wms(batch, receiver.url, SECRET)

    assert result.ok and receiver.received[0]["verified"]
    payload = json.loads(receiver.received[0]["body"])
    assert payload["batch"]["number"] == batch.number
    assert [pick["quantity"] for pick in payload["picks"]] == [3]
    assert PickBatch.objects.get(pk=batch.pk).wms_sent_at is not None


def test_a_body_signed_with_another_secret_does_not_verify(batch, receiver):
    wms.send_to_wms(batch, receiver.url, "someone-elses-secret")

    assert not receiver.received[0]["verified"]
    assert "401" in PickBatch.objects.get(pk=batch.pk).wms_error


def test_a_wms_that_fails_with_5xx_is_retried_with_the_same_delivery_id(batch):
    flaky = Receiver(answers=(503, 502, 200))
    try:
        result = wms.send_to_wms(batch, flaky.url, SECRET, retry_delays=(0.01, 0.01, 0.01))
    finally:
        flaky.close()

    assert result.ok and result.attempts == 3
    assert len({r["delivery"] for r in flaky.received}) == 1
    assert PickBatch.objects.get(pk=batch.pk).wms_error == ""


def test_a_wms_that_refuses_with_4xx_is_not_retried_and_the_error_is_kept(batch):
    refusing = Receiver(answers=(422,))
    try:
        result = wms.send_to_wms(batch, refusing.url, SECRET, retry_delays=(0.01, 0.01))
    finally:
        refusing.close()

    assert not result.ok and result.attempts == 1
    stored = PickBatch.objects.get(pk=batch.pk)
    assert "422" in stored.wms_error and stored.wms_sent_at is None


def test_an_unreachable_wms_is_recorded_on_the_batch(batch):
    result = wms.send_to_wms(batch, "http://127.0.0.1:9/okno", SECRET, retry_delays=(0.01,))

    assert not result.ok and result.attempts == 2
    assert PickBatch.objects.get(pk=batch.pk).wms_error


def test_the_csv_export_has_a_row_per_order_line_with_bin_and_barcode(batch):
    document = wms.export_csv(batch)

    rows = list(csv.DictReader(io.StringIO(document.file.read().decode("utf-8-sig")), delimiter=";"))
    assert [(row["sku"], row["quantity"], row["bin"], row["barcode"]) for row in rows] == [
        ("SHIRT", "2", "A-1", "4601234567893"), ("SHIRT", "1", "A-1", "4601234567893")]
    assert rows[0]["name"] == "Футболка"


def test_the_json_export_is_kept_as_a_document(batch):
    document = wms.export_json(batch)

    assert json.loads(document.file.read())["batch"]["number"] == batch.number
    assert document.content_type == "application/json"
