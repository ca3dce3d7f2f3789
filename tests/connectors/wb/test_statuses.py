"""The WB status tables, exhaustively: every value the official spec's enums list (read from the spec at test time)
and every value the docs name besides."""

from __future__ import annotations

from functools import lru_cache

import pytest
import yaml

from connectors.specs import specs_dir
from connectors.wb import statuses
from orders.choices import OrderStatus
from returns.choices import ReturnStatus

SPEC_FILE = "wildberries/2026-08-18/03-orders-fbs.yaml"
# Named by the docs (wildberries.md §3.4) but absent from the spec's enums.
DOC_ONLY_SUPPLIER = ["cancel_carrier"]
DOC_ONLY_WB = ["canceled_by_carrier", "canceled_by_missed_call"]
# Claim decision and goods fate (wildberries.md §8.1; the spec describes them in text, without an enum).
CLAIM_DECISIONS = [0, 1, 2]
CLAIM_FATES = [0, 1, 2, 5, 8, 10]


@lru_cache(maxsize=1)
def _status_schema() -> dict | None:
    folder = specs_dir()
    if folder is None or not (folder / SPEC_FILE).is_file():
        return None
    with open(folder / SPEC_FILE, encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    response = spec["paths"]["/api/v3/orders/status"]["post"]["responses"]["200"]
    return response["content"]["application/json"]["schema"]["properties"]["orders"]["items"]["properties"]


def _spec_enum(field: str) -> list[str]:
    schema = _status_schema()
    return schema[field]["enum"] if schema else []


needs_spec = pytest.mark.skipif(_status_schema() is None, reason=f"the official WB spec ({SPEC_FILE}) is absent")


@needs_spec
@pytest.mark.parametrize("supplier_status", _spec_enum("supplierStatus") or ["(spec absent)"])
def test_every_supplier_status_of_the_spec_has_a_unified_status(supplier_status):
    assert statuses.unified_status(supplier_status, "waiting") in OrderStatus.values


@needs_spec
@pytest.mark.parametrize("wb_status", _spec_enum("wbStatus") or ["(spec absent)"])
def test_every_wb_status_of_the_spec_has_a_unified_status(wb_status):
    for supplier_status in statuses.SUPPLIER_STATUSES:
        assert statuses.unified_status(supplier_status, wb_status) in OrderStatus.values


@needs_spec
def test_the_tables_cover_exactly_the_spec_values_and_the_doc_only_ones():
    assert set(statuses.SUPPLIER_STATUSES) == set(_spec_enum("supplierStatus")) | set(DOC_ONLY_SUPPLIER)
    assert set(statuses.WB_STATUSES) == set(_spec_enum("wbStatus")) | set(DOC_ONLY_WB)


@pytest.mark.parametrize("supplier_status", DOC_ONLY_SUPPLIER)
def test_a_carrier_cancellation_is_a_cancellation(supplier_status):
    assert statuses.unified_status(supplier_status, "canceled_by_carrier") == OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("supplier_status", "wb_status", "expected"),
    [
        ("new", "", OrderStatus.NEW),
        ("new", "waiting", OrderStatus.NEW),
        ("confirm", "waiting", OrderStatus.CONFIRMED),
        ("complete", "waiting", OrderStatus.SHIPPED),
        ("complete", "sorted", OrderStatus.SHIPPED),
        ("complete", "ready_for_pickup", OrderStatus.SHIPPED),
        ("complete", "sold", OrderStatus.DELIVERED),
        ("cancel", "canceled", OrderStatus.CANCELLED),
        ("new", "declined_by_client", OrderStatus.CANCELLED),
        ("confirm", "canceled", OrderStatus.CANCELLED),
        ("complete", "canceled_by_client", OrderStatus.RETURNED),
        ("complete", "defect", OrderStatus.RETURNED),
        ("complete", "canceled", OrderStatus.RETURNED),
    ],
)
def test_the_documented_lifecycle_reads_as_okno_statuses(supplier_status, wb_status, expected):
    assert statuses.unified_status(supplier_status, wb_status) == expected


@pytest.mark.parametrize(("supplier_status", "wb_status"), [("shipped", "waiting"), ("new", "lost"), ("", "")])
def test_an_unknown_status_raises(supplier_status, wb_status):
    with pytest.raises(statuses.UnknownStatus):
        statuses.unified_status(supplier_status, wb_status)


@pytest.mark.parametrize("kind", list(statuses.FBO_STATUSES))
def test_every_fbo_row_kind_has_a_unified_status(kind):
    assert statuses.fbo_status(kind) in OrderStatus.values


@pytest.mark.parametrize("decision", CLAIM_DECISIONS)
@pytest.mark.parametrize("fate", CLAIM_FATES)
def test_every_documented_claim_status_has_a_return_status(decision, fate):
    assert statuses.claim_status(decision, fate) in ReturnStatus.values


def test_the_claim_tables_cover_exactly_the_documented_values():
    assert (sorted(statuses.CLAIM_STATUSES), sorted(statuses.CLAIM_GOODS_STATUSES)) == (CLAIM_DECISIONS, CLAIM_FATES)


@pytest.mark.parametrize(
    ("decision", "fate", "expected"),
    [(0, 0, ReturnStatus.REQUESTED), (1, 0, ReturnStatus.REJECTED), (2, 0, ReturnStatus.APPROVED),
     (2, 10, ReturnStatus.IN_TRANSIT), (2, 2, ReturnStatus.WRITTEN_OFF), (1, 1, ReturnStatus.REJECTED)],
)
def test_a_claim_reads_as_its_goods_fate_once_known(decision, fate, expected):
    assert statuses.claim_status(decision, fate) == expected


@pytest.mark.parametrize(("decision", "fate"), [(3, 0), (0, 4), (True, 0)])
def test_an_unknown_claim_status_raises(decision, fate):
    with pytest.raises(statuses.UnknownStatus):
        statuses.claim_status(decision, fate)
