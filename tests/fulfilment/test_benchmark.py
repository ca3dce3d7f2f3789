import io
import json

from django.core.management import call_command

from connectors.management.commands.benchmark import BENCHMARKS, parse_options
from oms.models import Organization
from orders.models import Document, Order


def test_options_after_the_name_are_passed_through_typed():
    assert parse_options(["--orders", "500", "--open-orders=100000", "--ratio", "0.5", "--fast", "--mode", "x"]) == {
        "orders": 500, "open_orders": 100000, "ratio": 0.5, "fast": True, "mode": "x"}


def test_the_registry_is_data_naming_a_function_per_benchmark():
    assert BENCHMARKS["documents"] == "orders.benchmarks.documents"


def test_documents_benchmark_prints_a_table_then_one_json_line_and_leaves_nothing_behind(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    out = io.StringIO()

    call_command("benchmark", "documents", "--orders", "8", stdout=out)

    lines = out.getvalue().strip().splitlines()
    result = json.loads(lines[-1])
    assert set(result) == {"benchmark", "orders", "pick_list_s", "labels_s", "pages"}
    assert result["benchmark"] == "documents" and result["orders"] == 8
    assert result["pages"] >= 8 + 4  # a label per order and a pick list per marketplace batch
    assert any(line.startswith("pick_list_s") for line in lines[:-1])
    assert not Organization.objects.filter(name__startswith="Benchmark documents").exists()
    assert not Order.all_tenants.exists() and not Document.all_tenants.exists()
    assert not list(tmp_path.rglob("*.pdf"))
