"""``python manage.py benchmark orders_screen``: a table, then one JSON line; the throwaway data is gone after."""

import io
import json

from django.core.management import call_command

from oms.models import Organization, User
from orders.models import Order, OrderLine


def test_the_orders_screen_benchmark_prints_its_figures_and_leaves_nothing_behind(db):
    out = io.StringIO()

    call_command("benchmark", "orders_screen", "--orders", "120", "--requests", "10", stdout=out)

    lines = out.getvalue().strip().splitlines()
    result = json.loads(lines[-1])
    assert set(result) == {"benchmark", "open_orders", "p50_ms", "p95_ms"}
    assert result["benchmark"] == "orders_screen" and result["open_orders"] == 120
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert any(line.startswith("all open, by ship-by: rows on page") and " 50 / " in line for line in lines)
    assert not Organization.objects.filter(name__startswith="Benchmark orders screen").exists()
    assert not Order.all_tenants.exists() and not OrderLine.all_tenants.exists()
    assert not User.objects.filter(email__endswith="@okno.invalid").exists()
