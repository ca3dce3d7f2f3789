"""The status tables against every value the official spec lists (read from the spec at test time)."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from connectors.ozon import statuses
from connectors.specs import specs_dir
from orders.choices import OrderStatus
from returns.choices import ReturnKind, ReturnStatus

SPEC = "ozon/2026-06-11-ru-enriched/ozon-seller-openapi.json"
NO_SPEC = "the official Ozon spec is not present (../shared/marketplaces/specs/ozon): nothing to compare against"


@lru_cache(maxsize=1)
def _spec() -> dict | None:
    folder = specs_dir()
    path = folder / SPEC if folder else None
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema(path: str, *trail: str, request: bool = False) -> dict:
    spec = _spec()
    operation = spec["paths"][path]["post"]
    holder = operation["requestBody"] if request else operation["responses"]["200"]
    node = _resolve(spec, _resolve(spec, holder)["content"]["application/json"]["schema"])
    for step in trail:
        node = _resolve(spec, node["items"] if step == "[]" else node["properties"][step])
    return node


def _listed(description: str, pattern: str = r"`([a-z_]+)`") -> list[str]:
    return sorted(set(re.findall(pattern, description)))


def _values(source):
    """Parametrize over the values the spec lists, or one skipped case when the spec folder is absent."""
    if _spec() is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_SPEC))]
    return source()


def _fbs_statuses() -> list[str]:
    described = _schema("/v4/posting/fbs/list", "postings", "[]", "status")["description"]
    filterable = _schema("/v4/posting/fbs/list", "filter", "statuses", request=True)["description"]
    return _listed(described) + [s for s in _listed(filterable) if s not in _listed(described)]


def _substatuses() -> list[str]:
    fbs = _schema("/v4/posting/fbs/list", "postings", "[]", "substatus")["description"]
    fbo = _schema("/v3/posting/fbo/list", "postings", "[]", "substatus")["description"]
    return sorted(set(_listed(fbs)) | set(_listed(fbo)))


def _fbo_statuses() -> list[str]:
    return _listed(_schema("/v3/posting/fbo/list", "postings", "[]", "status")["description"])


def _return_statuses() -> list[str]:
    return _listed(_schema("/v1/returns/list", "filter", "visual_status_name", request=True)["description"],
                   r"`([A-Za-z]+)`")


def _return_types() -> list[str]:
    return _listed(_schema("/v1/returns/list", "returns", "[]", "type")["description"], r"`([A-Za-z]+)`")


def _push_states() -> list[str]:
    """States of the push model: the third column of the Seller API ↔ push table and the "Статусы отправлений" lists
    (field tables name ``posting_number`` in their first column, which is not a state)."""
    tag = next(t for t in _spec()["tags"] if t["name"] == "push_types")
    states = set()
    for line in tag["description"].splitlines():
        found = re.match(r"^\|[^|]*\|[^|]*\|\s*`(posting_[a-z_]+)`", line) or re.match(r"^\s*-\s*`(posting_[a-z_]+)`", line)
        if found:
            states.add(found.group(1))
    return sorted(states)


@pytest.mark.parametrize("status", _values(_fbs_statuses))
def test_every_fbs_posting_status_in_the_spec_has_a_unified_status(status):
    assert statuses.fbs_status(status) in OrderStatus.values


@pytest.mark.parametrize("substatus", _values(_substatuses))
def test_every_posting_substatus_in_the_spec_is_known(substatus):
    assert substatus in statuses.POSTING_SUBSTATUSES


@pytest.mark.parametrize("status", _values(_fbo_statuses))
def test_every_fbo_posting_status_in_the_spec_has_a_unified_status(status):
    assert statuses.fbo_status(status) in OrderStatus.values


@pytest.mark.parametrize("sys_name", _values(_return_statuses))
def test_every_return_status_in_the_spec_has_a_unified_return_status(sys_name):
    assert statuses.return_status(sys_name) in ReturnStatus.values


@pytest.mark.parametrize("kind", _values(_return_types))
def test_every_return_type_in_the_spec_has_a_return_kind(kind):
    assert statuses.return_kind(kind) in ReturnKind.values


@pytest.mark.parametrize("state", _values(_push_states))
def test_every_push_state_in_the_spec_maps_to_a_posting_status(state):
    status, unified = statuses.push_state_status(state)
    assert status in statuses.FBS_STATUS
    assert unified in OrderStatus.values


def test_the_tables_list_nothing_the_spec_does_not():
    if _spec() is None:
        pytest.skip(NO_SPEC)
    assert set(statuses.FBS_STATUS) == set(_fbs_statuses())
    assert set(statuses.FBO_STATUS) == set(_fbo_statuses())
    assert set(statuses.RETURN_STATUS) == set(_return_statuses())
    assert set(statuses.RETURN_KIND) == set(_return_types())


def test_a_posting_waiting_for_assembly_is_new_and_an_assembled_one_is_packed():
    assert statuses.fbs_status("awaiting_packaging", "posting_created") == OrderStatus.NEW
    assert statuses.fbs_status("awaiting_deliver", "posting_transferring_to_delivery") == OrderStatus.PACKED
    assert statuses.fbs_status("delivering", "posting_on_way_to_city") == OrderStatus.SHIPPED


def test_a_conditionally_delivered_rfbs_posting_counts_as_delivered():
    assert statuses.fbs_status("delivering", "posting_conditionally_delivered") == OrderStatus.DELIVERED


@pytest.mark.parametrize(
    "mapper", [statuses.fbs_status, statuses.fbo_status, statuses.return_status, statuses.return_kind,
               statuses.push_state_status],
)
def test_an_unknown_value_raises_instead_of_becoming_new(mapper):
    with pytest.raises(statuses.UnknownStatus):
        mapper("teleported")
