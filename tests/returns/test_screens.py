"""The Возвраты screens: one list with filters and deadlines, the return page and its actions, claims, export."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from connectors.models import Connection
from inventory.choices import MovementKind
from inventory.models import StockMovement
from oms.choices import Role
from oms.tenancy import organization_scope
from returns.models import Claim, Return
from tests.returns.conftest import build_desk
from tests.web.conftest import login_as


@pytest.fixture
def desk_client(client, owner):
    client.force_login(owner)
    return client


def rows(response) -> str:
    return response.content.decode()


def test_the_list_shows_marketplace_order_items_reason_and_status(desk_client, desk):
    ret = desk.ingest()

    html = rows(desk_client.get(reverse("returns:return_list")))

    assert ret.external_id in html
    assert desk.order.number in html
    assert f"{desk.variant.sku} × 1" in html
    assert "Не подошёл размер" in html
    assert reverse("returns:return_detail", args=[ret.pk]) in html


def test_an_unmatched_return_is_flagged_and_found_by_its_filter(desk_client, desk):
    desk.ingest(order_external_id="NEVER-SEEN-9")
    matched = desk.ingest()

    html = rows(desk_client.get(reverse("returns:return_list"), {"unmatched": "true"}))

    assert "NEVER-SEEN-9" in html and 'class="badge plain unmatched"' in html
    assert matched.external_id not in html


def test_the_deadline_reads_red_when_overdue_and_amber_within_a_day(desk_client, desk):
    desk.ingest(deadline_at=timezone.now() - timedelta(hours=3))
    desk.ingest(deadline_at=timezone.now() + timedelta(hours=5))

    html = rows(desk_client.get(reverse("returns:return_list")))

    assert 'class="deadline danger"' in html
    assert 'class="deadline warn"' in html


def test_the_overdue_filter_keeps_only_pending_returns_past_their_deadline(desk_client, desk, in_org):
    late = desk.ingest(deadline_at=timezone.now() - timedelta(hours=3))
    done = desk.ingest(deadline_at=timezone.now() - timedelta(hours=3))
    Return.objects.filter(pk=done.pk).update(status="restocked")
    upcoming = desk.ingest(deadline_at=timezone.now() + timedelta(hours=3))

    html = rows(desk_client.get(reverse("returns:return_list"), {"deadline": "overdue"}))

    assert late.external_id in html
    assert done.external_id not in html and upcoming.external_id not in html


@pytest.mark.parametrize("field", ["barcode", "sku", "order"])
def test_the_search_finds_a_return_by_barcode_sku_or_order(desk_client, desk, field):
    wanted = desk.ingest()
    other = desk.ingest(order_external_id="SOMETHING-ELSE", lines=())
    query = {"barcode": desk.barcode, "sku": desk.variant.sku, "order": desk.order.number}[field]

    html = rows(desk_client.get(reverse("returns:return_list"), {"q": query}))

    assert wanted.external_id in html and other.external_id not in html


def test_an_htmx_filter_change_answers_only_the_table(desk_client, desk):
    desk.ingest()

    response = desk_client.get(reverse("returns:return_list"), {"kind": "return"}, HTTP_HX_REQUEST="true")

    assert 'id="return-table"' in rows(response)
    assert "<html" not in rows(response)


def test_the_list_sorts_by_deadline(desk_client, desk):
    later = desk.ingest(deadline_at=timezone.now() + timedelta(days=3))
    sooner = desk.ingest(deadline_at=timezone.now() + timedelta(days=1))

    html = rows(desk_client.get(reverse("returns:return_list"), {"sort": "deadline"}))

    assert html.index(sooner.external_id) < html.index(later.external_id)


def test_the_list_runs_a_bounded_number_of_queries(desk_client, desk, django_assert_max_num_queries):
    for _number in range(15):
        desk.ingest()

    with django_assert_max_num_queries(10):
        response = desk_client.get(reverse("returns:return_list"))

    assert response.status_code == 200


def test_another_organizations_return_is_not_listed_and_its_page_is_404(desk_client, desk, other_desk):
    theirs = other_desk.ingest()

    assert theirs.external_id not in rows(desk_client.get(reverse("returns:return_list")))
    assert desk_client.get(reverse("returns:return_detail", args=[theirs.pk])).status_code == 404
    assert desk_client.post(reverse("returns:receive", args=[theirs.pk])).status_code == 404


def test_scanning_a_barcode_at_the_desk_receives_the_return(desk_client, desk, in_org):
    ret = desk.ingest()

    response = desk_client.post(reverse("returns:receive_scan"), {"code": desk.barcode}, follow=True)

    ret.refresh_from_db()
    assert ret.status == "received"
    assert ret.external_id in rows(response)


def test_an_ambiguous_scan_lists_the_candidates(desk_client, desk, in_org):
    desk.ingest()
    desk.ingest()

    response = desk_client.post(reverse("returns:receive_scan"), {"code": desk.barcode})

    assert response.status_code == 302 and "q=" in response.url
    assert not Return.objects.filter(status="received").exists()


def test_the_return_page_inspects_and_restocks_into_the_chosen_bin(desk_client, desk, in_org):
    ret = desk.ingest(buyer_comment="Маломерит", photos=("https://photos.example/1.jpg",))
    desk_client.post(reverse("returns:receive", args=[ret.pk]))

    desk_client.post(reverse("returns:inspect", args=[ret.pk]), {"outcome": "ok", "note": "Бирки на месте"})
    page = rows(desk_client.get(reverse("returns:return_detail", args=[ret.pk])))
    desk_client.post(reverse("returns:restock", args=[ret.pk]),
                     {"warehouse": desk.warehouse.pk, "location": desk.location.pk, f"line_{ret.lines.get().pk}": 1})

    assert "Маломерит" in page and "https://photos.example/1.jpg" in page and 'id="restock-card"' in page
    ret.refresh_from_db()
    assert ret.status == "restocked"
    assert StockMovement.objects.filter(kind=MovementKind.RETURN, reference=f"return:{ret.pk}").exists()
    history = rows(desk_client.get(reverse("returns:return_detail", args=[ret.pk])))
    assert "Бирки на месте" in history and desk.location.code in history


def test_a_marketplace_refusal_is_shown_and_changes_nothing(desk_client, org, in_org):
    # AliExpress has no API for return decisions; the connection points at nothing reachable either way.
    desk = build_desk(org, "Ali", marketplace="aliexpress")
    Connection.objects.filter(pk=desk.connection.pk).update(base_url="http://127.0.0.1:9")
    ret = desk.ingest(status="requested")

    response = desk_client.post(reverse("returns:reject", args=[ret.pk]), {"reason": "Товар был в порядке"},
                                follow=True)

    ret.refresh_from_db()
    assert ret.status == "requested"
    assert 'class="error"' in rows(response)


def test_a_viewer_sees_returns_but_cannot_act(client, org, desk, in_org):
    ret = desk.ingest()
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")

    page = client.get(reverse("returns:return_detail", args=[ret.pk]))
    refused = client.post(reverse("returns:receive", args=[ret.pk]))

    assert page.status_code == 200 and 'id="receive-card"' not in rows(page)
    assert refused.status_code == 403
    ret.refresh_from_db()
    assert ret.status == "in_transit"


def test_warehouse_staff_may_receive(client, org, desk, in_org):
    ret = desk.ingest()
    login_as(client, org, Role.WAREHOUSE, "picker@alpha.test")

    client.post(reverse("returns:receive", args=[ret.pk]))

    ret.refresh_from_db()
    assert ret.status == "received"


def test_the_export_holds_the_rows_of_the_current_view(desk_client, desk, in_org):
    wanted = desk.ingest(deadline_at=timezone.now() - timedelta(hours=2))
    desk.ingest(order_external_id="NOT-THIS-ONE", lines=())

    response = desk_client.get(reverse("returns:return_export"), {"q": desk.barcode})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 2  # header + the one matching return
    header, row = values
    record = dict(zip(header, row, strict=True))
    assert wanted.external_id in row
    assert desk.order.number in row
    assert f"{desk.variant.sku} × 1" in row
    assert any(str(cell).startswith("990") for cell in row if cell is not None)
    assert record[header[10]].tzinfo is None  # deadline written as Moscow wall-clock time


def test_the_claims_list_shows_deadline_countdown_and_answer_link(desk_client, desk, in_org):
    ret = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=6))
    claim = Claim.objects.get(return_request=ret)

    html = rows(desk_client.get(reverse("returns:claim_list")))

    assert claim.external_id[:20] in html
    assert 'class="deadline warn"' in html
    assert reverse("returns:claim_detail", args=[claim.pk]) in html


def test_the_navigation_badge_counts_claims_expiring_within_a_day(desk_client, desk, other_desk):
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=6))
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=20))
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=30))
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() - timedelta(hours=1))
    other_desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=2))

    page = rows(desk_client.get(reverse("home")))
    badge = rows(desk_client.get(reverse("returns:claims_badge")))

    assert reverse("returns:claims_badge") in page
    assert ">2</span>" in badge


def test_the_product_page_loads_return_rates_per_channel(desk_client, desk, org):
    second = build_desk(org, "Gamma")
    desk.ingest(reason_code="size")
    html_page = rows(desk_client.get(reverse("catalog:product_detail", args=[desk.variant.product_id])))

    html = rows(desk_client.get(reverse("returns:product_return_rates", args=[desk.variant.product_id])))

    assert reverse("returns:product_return_rates", args=[desk.variant.product_id]) in html_page
    assert "100.0" in html or "100,0" in html  # one sold, one returned
    assert second.variant.sku not in html
    with organization_scope(org):
        assert desk.connection.name in html
