"""/api/v1/returns/ and /api/v1/claims/: lists with filters, detail with lines, the lifecycle actions, tenancy, roles."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.choices import MovementKind
from inventory.models import StockMovement
from oms.choices import Role
from returns.models import Claim, Return
from tests.conftest import api_client_for, member


@pytest.fixture
def api(owner) -> APIClient:
    return api_client_for(owner)


def url(pk=None, action=None, resource="returns") -> str:
    path = f"/api/v1/{resource}/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path


def test_the_list_shows_returns_with_lines_and_flags_unmatched_ones(api, desk):
    matched = desk.ingest()
    desk.ingest(order_external_id="GHOST-1")

    body = api.get(url(), {"unmatched": "true"}).json()

    assert body["count"] == 1
    item = body["results"][0]
    assert (item["order_external_id"], item["unmatched"], item["marketplace"]) == ("GHOST-1", True, "ozon")
    assert item["lines"][0]["sku"] == desk.variant.sku
    assert api.get(url(matched.pk)).json()["unmatched"] is False


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "claim"}, {"claim"}), ({"status": "arrived"}, {"arrived"}), ({"deadline": "overdue"}, {"late"}),
    ({"marketplace": "wb"}, set()), ({"reason_code": "defect"}, {"claim"}),
])
def test_the_list_filters(api, desk, params, expected):
    made = {
        "claim": desk.ingest(kind="claim", status="requested", reason_code="defect"),
        "arrived": desk.ingest(status="arrived"),
        "late": desk.ingest(deadline_at=timezone.now() - timedelta(hours=1)),
    }

    found = {item["external_id"] for item in api.get(url(), params).json()["results"]}

    assert found == {made[name].external_id for name in expected}


def test_the_detail_carries_lines_and_claims(api, desk):
    ret = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=5))

    body = api.get(url(ret.pk)).json()

    assert body["lines"][0]["quantity"] == 1
    assert body["claims"][0]["deadline_at"] is not None


def test_receive_inspect_and_restock_through_the_api(api, desk):
    ret = desk.ingest()

    received = api.post(url(action="receive"), {"code": desk.barcode}, format="json")
    inspected = api.post(url(ret.pk, "inspect"), {"outcome": "ok", "note": "Целый"}, format="json")
    line = inspected.json()["lines"][0]["id"]
    restocked = api.post(url(ret.pk, "restock"), {"warehouse": desk.warehouse.pk, "location": desk.location.pk,
                                                  "lines": [{"line": line, "quantity": 1}]}, format="json")

    assert [r.status_code for r in (received, inspected, restocked)] == [200, 200, 200], restocked.content
    assert restocked.json()["status"] == "restocked"
    assert StockMovement.all_tenants.filter(kind=MovementKind.RETURN, reference=f"return:{ret.pk}").count() == 1


def test_writing_off_through_the_api_closes_the_return(api, desk):
    ret = desk.ingest()
    api.post(url(ret.pk, "receive"), format="json")
    api.post(url(ret.pk, "inspect"), {"outcome": "defect"}, format="json")

    response = api.post(url(ret.pk, "write-off"), {"reason": "Брак"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "written_off"


def test_a_marketplace_refusal_answers_409_with_its_message(api, org, desk):
    from connectors.models import Connection
    from tests.returns.conftest import build_desk

    ali = build_desk(org, "Ali", marketplace="aliexpress")
    Connection.all_tenants.filter(pk=ali.connection.pk).update(base_url="http://127.0.0.1:9")
    ret = ali.ingest(status="requested")

    response = api.post(url(ret.pk, "approve"), {"comment": "ok"}, format="json")

    assert response.status_code == 409
    assert response.json()["marketplace_refused"] is True and response.json()["detail"]
    assert Return.all_tenants.get(pk=ret.pk).status == "requested"


@pytest.mark.parametrize(("action", "payload"), [
    ("inspect", {"outcome": "perfect"}),
    ("inspect", {"outcome": "ok", "note": "x" * 3000}),
    ("restock", {"warehouse": 999999}),
    ("restock", {"warehouse": "abc"}),
    ("restock", {"warehouse": "WAREHOUSE", "lines": [{"line": 999999, "quantity": 1}]}),
    ("restock", {"warehouse": "WAREHOUSE", "lines": [{"line": "LINE", "quantity": -1}]}),
    ("restock", {"warehouse": "WAREHOUSE", "lines": [{"line": "LINE", "quantity": 5}]}),
    ("restock", {"warehouse": "WAREHOUSE", "lines": "all"}),
    ("write-off", {"reason": ""}),
    ("reject", {}),
    ("receive", {}),  # inspected already: nothing to receive
])
def test_bad_input_answers_400_never_500(api, desk, action, payload):
    ret = desk.ingest()
    api.post(url(ret.pk, "receive"), format="json")
    api.post(url(ret.pk, "inspect"), {"outcome": "ok"}, format="json")
    line = ret.lines.model.all_tenants.get(return_request=ret).pk
    body = json.loads(json.dumps(payload).replace('"WAREHOUSE"', str(desk.warehouse.pk)).replace('"LINE"', str(line)))

    response = api.post(url(ret.pk, action), body, format="json")

    assert response.status_code == 400, response.content


def test_a_non_object_body_answers_400(api, desk):
    ret = desk.ingest()

    response = api.post(url(ret.pk, "inspect"), "[1, 2]", content_type="application/json")

    assert response.status_code == 400


def test_another_organizations_return_and_claim_are_404_everywhere(api, desk, other_desk):
    theirs = other_desk.ingest(kind="claim", status="requested")
    claim = Claim.all_tenants.get(return_request=theirs)

    assert theirs.external_id not in json.dumps(api.get(url()).json())
    assert api.get(url(theirs.pk)).status_code == 404
    assert api.post(url(theirs.pk, "receive"), format="json").status_code == 404
    assert api.get(url(claim.pk, resource="claims")).status_code == 404
    assert api.post(url(claim.pk, "answer", "claims"), {"decision": "approve1"}, format="json").status_code == 404
    assert Return.all_tenants.get(pk=theirs.pk).status == "requested"


def test_restocking_into_another_organizations_warehouse_is_refused(api, desk, other_desk):
    ret = desk.ingest()
    api.post(url(ret.pk, "receive"), format="json")
    api.post(url(ret.pk, "inspect"), {"outcome": "ok"}, format="json")

    response = api.post(url(ret.pk, "restock"), {"warehouse": other_desk.warehouse.pk}, format="json")

    assert response.status_code == 400 and "warehouse" in response.json()


@pytest.mark.parametrize(("role", "expected"), [
    (Role.VIEWER, 403), (Role.WAREHOUSE, 200), (Role.MANAGER, 200),
])
def test_acting_needs_the_work_orders_capability(org, desk, role, expected):
    ret = desk.ingest()
    client = api_client_for(member(org, role, f"{role}@alpha.test"))

    listed = client.get(url())
    response = client.post(url(ret.pk, "receive"), format="json")

    assert listed.status_code == 200
    assert response.status_code == expected


def test_claims_list_filters_by_deadline(api, desk):
    soon = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=3))
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(days=3))

    body = api.get(url(resource="claims"), {"deadline": "24h"}).json()

    assert [item["external_id"] for item in body["results"]] == [soon.external_id]


def test_a_claim_answer_outside_the_offered_decisions_is_400(api, desk):
    ret = desk.ingest(kind="claim", status="requested", raw={"actions": ["approve1", "reject1"]})
    claim = Claim.all_tenants.get(return_request=ret)

    response = api.post(url(claim.pk, "answer", "claims"), {"decision": "maybe"}, format="json")

    assert response.status_code == 400 and "decision" in response.json()


def test_the_schema_documents_the_endpoints_filters_and_actions(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = schema["paths"]

    for action in ("receive", "inspect", "restock", "write-off", "approve", "reject"):
        assert f"/api/v1/returns/{{id}}/{action}/" in paths
    assert "/api/v1/returns/receive/" in paths
    assert "/api/v1/claims/{id}/answer/" in paths
    documented = {p["name"] for p in paths["/api/v1/returns/"]["get"]["parameters"]}
    assert {"q", "marketplace", "status", "kind", "reason_code", "deadline", "unmatched"} <= documented
    restock = paths["/api/v1/returns/{id}/restock/"]["post"]
    assert {"200", "400", "409"} <= set(restock["responses"])
    assert "RestockRequest" in schema["components"]["schemas"]
