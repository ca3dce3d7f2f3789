"""Validate HTTP requests and responses against the official marketplace OpenAPI specs.

The specs are reference data kept outside the repository (``../shared/marketplaces/specs`` next to the repo root,
or the folder named by ``$OKNO_MARKETPLACE_SPECS``); they are read from there at run time and never copied here.
In tests the sandbox runs every request it receives and every response it sends through :class:`SpecValidator`, so
both the sandbox and the connectors are held to the real API shapes.

Which spec files are used, newest first (an operation missing from a newer file falls back to an older one):

- ``wb``: ``wildberries/2026-08-18/*.yaml`` (one file per API family), then ``wildberries/2025-12-26/*.yaml``.
- ``ozon``: ``ozon/2026-06-11-ru-enriched``, ``ozon/2026-04-30-en``, ``ozon/2025-09-03-ru``.
- ``yandex_market``: ``yandex-market/partner-api/openapi/openapi.yaml`` (multi-file, relative ``$ref``).
- ``yandex_market_notifications``: ``yandex-market/notification-api/openapi/openapi.yaml`` (Market → seller pushes).
- ``aliexpress``: no machine-readable spec exists, so there is no validator.

OpenAPI 3.0 schemas are converted lazily to JSON Schema 2020-12 (``nullable``, boolean ``exclusiveMinimum``,
``readOnly``/``writeOnly``, ``discriminator``, non-standard ``type`` spellings); every ``$ref`` target becomes its
own resource in a ``referencing`` registry, converted on first use and memoised, so recursive schemas are fine.
Only the path part of a URL is matched; hosts and server URLs are ignored.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

logger = logging.getLogger(__name__)

SPECS_ENV = "OKNO_MARKETPLACE_SPECS"

MARKETPLACES = ("wb", "ozon", "yandex_market", "aliexpress")
NOTIFICATIONS = "yandex_market_notifications"

# Spec sources per validator name, newest first. Each entry is a glob relative to the specs folder; files of one
# entry are merged in sorted order, and an (method, path) already indexed from an earlier file wins.
_SOURCES: dict[str, tuple[str, ...]] = {
    "wb": ("wildberries/2026-08-18/*.yaml", "wildberries/2025-12-26/*.yaml"),
    "ozon": (
        "ozon/2026-06-11-ru-enriched/ozon-seller-openapi.json",
        "ozon/2026-04-30-en/swagger.json",
        "ozon/2025-09-03-ru/swagger.json",
    ),
    "yandex_market": ("yandex-market/partner-api/openapi/openapi.yaml",),
    NOTIFICATIONS: ("yandex-market/notification-api/openapi/openapi.yaml",),
    "aliexpress": (),
}

# Ozon's spec is generated from protobuf and cannot say "nullable", yet its own response examples carry null for
# unset messages and timestamps (addressee, analytics_data, barcodes, pickup_code_verified_at in the posting
# lists): there a response may hold null for any optional property.
_NULL_FOR_OPTIONAL = frozenset({"ozon"})
# Known defects of an official spec, corrected when validating: (validator, method, path template) → the response
# property the spec declares as one object while the API answers a list of them (the spec's own example shows the
# list: Ozon's rFBS return requests).
_LIST_DECLARED_AS_OBJECT: dict[tuple[str, str, str], str] = {
    ("ozon", "POST", "/v2/returns/rfbs/list"): "returns",
}
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Auth is the sandbox's own business; Content-Type/Accept are not parameters per OpenAPI 3.0.
_SKIPPED_HEADERS = frozenset({"authorization", "api-key", "client-id", "content-type", "accept"})
_MAX_ERRORS = 20
_MAX_MESSAGE = 300


def specs_dir() -> Path | None:
    """The marketplace specs folder: ``$OKNO_MARKETPLACE_SPECS``, else ``<repo>/../shared/marketplaces/specs``."""
    configured = os.environ.get(SPECS_ENV)
    repo_root = Path(__file__).resolve().parents[1]
    folder = Path(configured) if configured else repo_root.parent / "shared" / "marketplaces" / "specs"
    return folder if folder.is_dir() else None


def _check_name(marketplace: str) -> None:
    if marketplace not in _SOURCES:
        raise ValueError(f"unknown marketplace {marketplace!r}; expected one of {', '.join(_SOURCES)}")


def _spec_files(folder: Path, marketplace: str) -> list[list[Path]]:
    return [sorted(p for p in folder.glob(pattern) if p.is_file()) for pattern in _SOURCES[marketplace]]


def specs_available(marketplace: str) -> bool:
    """Whether an official spec exists for ``marketplace`` (``aliexpress`` has none)."""
    _check_name(marketplace)
    folder = specs_dir()
    return folder is not None and any(_spec_files(folder, marketplace))


@dataclass(frozen=True)
class Operation:
    marketplace: str
    method: str  # upper case
    path_template: str  # as written in the spec, e.g. "/api/v3/stocks/{warehouseId}"
    spec_file: str  # file holding the operation, relative to specs_dir()
    operation_id: str | None


# --- loading spec files ----------------------------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_docs: dict[str, Any] = {}
_docs_lock = threading.Lock()


def _load(path: str) -> Any:
    doc = _docs.get(path)
    if doc is None:
        with _docs_lock:
            doc = _docs.get(path)
            if doc is None:
                with open(path, encoding="utf-8") as fh:
                    doc = json.load(fh) if path.endswith(".json") else yaml.load(fh, Loader=_Loader)  # noqa: S506
                _docs[path] = doc
    return doc


def _split_ref(ref: str, base_file: str) -> tuple[str, str]:
    """A ``$ref`` written in ``base_file`` → (absolute file, JSON pointer fragment)."""
    file_part, _, fragment = ref.partition("#")
    if not file_part:
        return base_file, fragment
    return os.path.normpath(os.path.join(os.path.dirname(base_file), unquote(file_part))), fragment


def _pointer_get(doc: Any, fragment: str) -> Any:
    node = doc
    for token in fragment.strip("/").split("/") if fragment.strip("/") else ():
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _deref(file: str, node: Any) -> tuple[str, Any]:
    """Follow a chain of ``$ref`` on a non-schema object (parameter, response, ...): (file it lives in, node)."""
    for _ in range(64):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return file, node
        file, fragment = _split_ref(node["$ref"], file)
        node = _pointer_get(_load(file), fragment)
    raise ValueError(f"$ref chain too long in {file}")


# --- OpenAPI 3.0 schema → JSON Schema 2020-12 ------------------------------------------------------------------

_TYPE_ALIASES = {
    "int": "integer",
    "int32": "integer",
    "int64": "integer",
    "long": "integer",
    "bool": "boolean",
    "float": "number",
    "double": "number",
    "timestamp": "string",
    "file": "string",
    "array of strings": "array",
}
_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
# Keywords copied as they are (same meaning in OpenAPI 3.0 and JSON Schema 2020-12).
_PLAIN_KEYWORDS = frozenset(
    {
        "enum",
        "const",
        "format",
        "minimum",
        "maximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)
_COMBINERS = ("allOf", "anyOf", "oneOf")
# Placeholders some specs put in ``pattern`` ("+7(XXX)XXX-XX-XX", " YYYY-MM-DD") are documentation, not regexes.
_PLACEHOLDER_PATTERN = re.compile(r"\s*\+?[\dXYMDhmsTZcz:.()\- ]+")


@lru_cache(maxsize=512)
def _usable_pattern(pattern: str) -> bool:
    if not pattern.startswith("^") and _PLACEHOLDER_PATTERN.fullmatch(pattern):
        return False
    try:
        with warnings.catch_warnings():  # e.g. "Possible nested set" for YM's "^[[a-zA-Z0-9]- ]*$"
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error:
        return False
    return True


def _ref_name(ref: str) -> str:
    tail = ref.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail.removesuffix(".yaml").removesuffix(".yml").removesuffix(".json")


def _allow_null(schema: Any) -> Any:
    """``schema`` or JSON null (OpenAPI 3.0 ``nullable: true``)."""
    if schema is True or schema == {}:
        return schema
    if isinstance(schema, dict) and "type" in schema and not any(k in schema for k in (*_COMBINERS, "not", "$ref")):
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        out = {**schema, "type": kinds if "null" in kinds else [*kinds, "null"]}
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    # Not anyOf: "if null then fine, else the schema" keeps every error of the schema visible one by one.
    return {"if": {"type": "null"}, "else": schema}


class _SchemaStore:
    """OpenAPI schema nodes converted to JSON Schema on demand, one registry resource per ``$ref`` target.

    A resource is keyed by (file, JSON pointer, mode); mode is "request" or "response" because ``readOnly`` and
    ``writeOnly`` properties are dropped from ``required`` on one side only. With ``null_for_optional`` a response
    may carry null for any property its object does not list as required (see ``_NULL_FOR_OPTIONAL``).
    """

    def __init__(self, prefix: str, *, null_for_optional: bool = False) -> None:
        self._prefix = prefix
        self._null_for_optional = null_for_optional
        self._uris: dict[tuple[str, str, str], str] = {}
        self._keys: dict[str, tuple[str, str, str]] = {}
        self._resources: dict[str, Resource] = {}
        self._lock = threading.RLock()
        self.registry: Registry = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        self._loaded: set[str] = set()

    def uri_for(self, file: str, fragment: str, mode: str) -> str:
        key = (file, "/" + fragment.strip("/") if fragment.strip("/") else "", mode)
        uri = self._uris.get(key)
        if uri is None:
            with self._lock:
                uri = self._uris.get(key)
                if uri is None:
                    uri = f"urn:okno-spec:{self._prefix}:{len(self._uris)}"
                    self._keys[uri] = key
                    self._uris[key] = uri
        return uri

    def registry_for(self, schema: Any) -> Registry:
        """The registry with every resource ``schema`` can reach already converted and crawled.

        Lookups then hit the registry directly; left to ``retrieve`` each ``$ref`` hop would re-crawl it.
        """
        with self._lock:
            pending, seen = [schema], set()
            while pending:
                node = pending.pop()
                if isinstance(node, dict):
                    ref = node.get("$ref")
                    if isinstance(ref, str) and ref.startswith("urn:okno-spec:") and ref not in seen:
                        seen.add(ref)
                        pending.append(self._retrieve(ref).contents)
                    pending.extend(v for k, v in node.items() if k != "$ref" and isinstance(v, (dict, list)))
                elif isinstance(node, list):
                    pending.extend(v for v in node if isinstance(v, (dict, list)))
            missing = [(uri, self._retrieve(uri)) for uri in seen if uri not in self._loaded]
            if missing:
                self.registry = self.registry.with_resources(missing).crawl()
                self._loaded.update(uri for uri, _ in missing)
            return self.registry

    def _retrieve(self, uri: str) -> Resource:
        resource = self._resources.get(uri)
        if resource is not None:
            return resource
        key = self._keys.get(uri)
        if key is None:
            raise NoSuchResource(ref=uri)
        file, fragment, mode = key
        try:
            node = _pointer_get(_load(file), fragment)
        except (OSError, KeyError, IndexError, ValueError, TypeError):
            logger.warning("unresolvable $ref %s#%s: treated as an open schema", file, fragment)
            node = {}
        resource = DRAFT202012.create_resource(self.convert(node, file, mode))
        self._resources[uri] = resource
        return resource

    def _is_flagged(self, file: str, node: Any, flag: str) -> bool:
        try:
            for _ in range(16):
                if not isinstance(node, dict):
                    return False
                if node.get(flag) is True:
                    return True
                if "$ref" not in node:
                    parts = node.get("allOf")
                    return isinstance(parts, list) and any(self._is_flagged(file, p, flag) for p in parts)
                file, fragment = _split_ref(node["$ref"], file)
                node = _pointer_get(_load(file), fragment)
        except (OSError, KeyError, IndexError, ValueError, TypeError):
            return False
        return False

    def convert(self, node: Any, file: str, mode: str) -> Any:
        """Convert one inline OpenAPI schema; nested ``$ref`` become registry URIs (converted when reached)."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            return {}
        nullable = node.get("nullable") is True or node.get("x-nullable") is True
        if isinstance(node.get("$ref"), str):
            # OpenAPI 3.0 ignores siblings of $ref; ``nullable`` next to a $ref is still honoured (the intent).
            target, fragment = _split_ref(node["$ref"], file)
            out: dict[str, Any] = {"$ref": self.uri_for(target, fragment, mode)}
            return _allow_null(out) if nullable else out

        out = {}
        for key, value in node.items():
            if key in _PLAIN_KEYWORDS:
                out[key] = value
            elif key == "type":
                kind = _TYPE_ALIASES.get(value, value) if isinstance(value, str) else None
                if kind in _JSON_TYPES:
                    out["type"] = kind
            elif key == "pattern":
                if isinstance(value, str) and _usable_pattern(value):
                    out["pattern"] = value
            elif key == "properties" and isinstance(value, dict):
                out["properties"] = {name: self.convert(sub, file, mode) for name, sub in value.items()}
            elif (key in ("items", "not") and isinstance(value, dict)) or (
                key == "additionalProperties" and isinstance(value, (dict, bool))
            ):
                out[key] = self.convert(value, file, mode)
            elif key in _COMBINERS and isinstance(value, list) and value:
                out[key] = [self.convert(sub, file, mode) for sub in value]
            elif key == "required" and isinstance(value, list):
                out["required"] = value
        # oneOf is checked as anyOf: with open objects (OpenAPI's default) several branches often match at once.
        alternatives = [out.pop(k) for k in ("anyOf", "oneOf") if k in out]
        if len(alternatives) == 1:
            out["anyOf"] = alternatives[0]
        elif alternatives:
            out.setdefault("allOf", []).extend({"anyOf": a} for a in alternatives)

        if "required" in out:
            declared = node.get("properties")
            if isinstance(declared, dict) and not any(k in node for k in _COMBINERS):
                # A required name the schema never declares is a generator artefact (Ozon lists retired fields
                # such as stocks[].quant_size, or typos like "operation_idd"): not enforced.
                out["required"] = [n for n in out["required"] if n in declared]
            skip = "readOnly" if mode == "request" else "writeOnly"
            props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
            out["required"] = [
                n for n in out["required"] if n not in props or not self._is_flagged(file, props[n], skip)
            ]
            if not out["required"]:
                del out["required"]
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            flag = node.get(bound)
            if flag is True and limit in out:
                out[bound] = out.pop(limit)
            elif isinstance(flag, (int, float)) and not isinstance(flag, bool):
                out[bound] = flag
        if "enum" in out and not isinstance(out["enum"], list):
            del out["enum"]

        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            self._dispatch(out, node, discriminator, file, mode)

        if self._null_for_optional and mode == "response" and "properties" in out:
            required = set(out.get("required", ()))
            out["properties"] = {
                name: sub if name in required else _allow_null(sub) for name, sub in out["properties"].items()
            }
        return _allow_null(out) if nullable else out

    def _dispatch(self, out: dict[str, Any], node: dict[str, Any], disc: dict[str, Any], file: str, mode: str) -> None:
        """Pick the oneOf/anyOf branch by the discriminator value instead of trying them all.

        An unmapped value falls back to "any branch" (the converted anyOf).
        """
        branches = [b for k in ("oneOf", "anyOf") for b in (node.get(k) or []) if isinstance(b, dict)]
        mapping = disc.get("mapping") if isinstance(disc.get("mapping"), dict) else {}
        if not mapping:
            mapping = {_ref_name(b["$ref"]): b["$ref"] for b in branches if isinstance(b.get("$ref"), str)}
        if not mapping or not isinstance(out.get("anyOf"), list):
            return
        prop = disc["propertyName"]
        cases = []
        for value, ref in mapping.items():
            target, fragment = _split_ref(ref, file)
            cases.append(
                {"if": {"properties": {prop: {"const": value}}}, "then": {"$ref": self.uri_for(target, fragment, mode)}}
            )
        choice = {
            "if": {"required": [prop], "properties": {prop: {"enum": list(mapping)}}},
            "then": {"allOf": cases},
            "else": {"anyOf": out.pop("anyOf")},
        }
        out.setdefault("allOf", []).append(choice)


# --- formats: cheap and lenient -----------------------------------------------------------------------------------

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])")
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 with or without an offset (some marketplaces omit it), fractions of any length, 'T' or space."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if not match:
        return False
    _, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_PREFIX.match(value)
    if not match:
        return False
    try:
        date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return True


def _int_range(low: int, high: int):
    def check(value: object) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

    return check


for _name, _low, _high in (
    ("int32", -(2**31), 2**31 - 1),
    ("int64", -(2**63), 2**63 - 1),
    ("uint32", 0, 2**32 - 1),
    ("uint64", 0, 2**64 - 1),
):
    _FORMATS.checks(_name)(_int_range(_low, _high))


# --- messages -----------------------------------------------------------------------------------------------------


def _location(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _most_relevant(error: ValidationError) -> ValidationError:
    """For an anyOf failure, the error of the branch that was meant: the "or null" branches added for ``nullable``
    never are, and when a single branch is left its own error says what is wrong."""
    while error.context:
        real = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        branches = {e.relative_schema_path[0] if e.relative_schema_path else None for e in real}
        if len(branches) != 1:
            return best_match([error]) or error
        error = best_match(real) or error
    return error


def _schema_errors(validator: Draft202012Validator, instance: Any, prefix: str, *, named: bool = False) -> list[str]:
    """``prefix: location: message`` per error; anyOf/oneOf failures report their most relevant branch error.

    With ``named`` the instance is a dict of parameters and the first path element is the parameter's name:
    ``prefix 'name': message``.
    """
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    messages: list[str] = []
    for error in errors:
        chosen = _most_relevant(error)
        path = list(chosen.absolute_path)
        head = f"{prefix} '{path.pop(0)}'" if named and path else prefix
        where = _location(path)
        message = _shorten(f"{head}: {where}: {chosen.message}" if where else f"{head}: {chosen.message}")
        if message not in messages:
            messages.append(message)
    if len(messages) > _MAX_ERRORS:
        messages = [*messages[:_MAX_ERRORS], f"{prefix}: ... and {len(messages) - _MAX_ERRORS} more errors"]
    return messages


# --- the validator ------------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    operation: Operation
    file: str  # absolute path of the file holding the operation object (base for relative $ref)
    node: dict[str, Any]
    parameters: list[tuple[str, dict[str, Any]]]  # resolved (file, parameter object), operation overriding path item
    names: tuple[str, ...] = ()  # path parameter names in template order
    regex: re.Pattern[str] | None = None
    compiled: dict[Any, Any] = field(default_factory=dict)


_NOT_JSON = object()


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith(("+json", "/json"))


def _as_json(body: Any) -> Any:
    """Raw text/bytes are parsed as JSON (``_NOT_JSON`` when they are not); anything else is taken as parsed."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return _NOT_JSON
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return _NOT_JSON
    return body


def _pick_content(content: Any, media_type: str) -> tuple[str, dict[str, Any]] | None:
    """The documented media type entry for ``media_type``: exact, else another JSON type, else a wildcard."""
    if not isinstance(content, dict) or not content:
        return None
    normalised = {_media_type(k): (k, v) for k, v in content.items() if isinstance(v, dict)}
    if media_type in normalised:
        return normalised[media_type]
    if _is_json_type(media_type):
        for key, entry in normalised.items():
            if _is_json_type(key):
                return entry
    major = media_type.split("/", 1)[0]
    for key in (f"{major}/*", "*/*"):
        if key in normalised:
            return normalised[key]
    return None


_INT = re.compile(r"[+-]?\d+")


def _coerce(value: Any, schema: Any, file: str) -> Any:
    """Query/path values arrive as strings: turn them into what the parameter schema expects, if they parse."""
    try:
        file, schema = _deref(file, schema)
        kind = schema.get("type") if isinstance(schema, dict) else None
        for part in (schema.get("allOf") or ()) if isinstance(schema, dict) and kind is None else ():
            part_file, part = _deref(file, part)
            if isinstance(part, dict) and part.get("type"):
                kind, schema, file = part["type"], part, part_file
                break
    except (OSError, KeyError, IndexError, ValueError, TypeError, AttributeError):
        return value
    if not isinstance(schema, dict):
        return value
    kind = _TYPE_ALIASES.get(kind, kind) if isinstance(kind, str) else kind
    if kind == "array":
        items = value if isinstance(value, (list, tuple)) else ([] if value == "" else str(value).split(","))
        return [_coerce(item, schema.get("items", {}), file) for item in items]
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    if not isinstance(value, str):
        return value
    if kind == "integer" and _INT.fullmatch(value.strip()):
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and _INT.fullmatch(value.strip()) else number
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


class SpecValidator:
    """Path index and validators for one marketplace's spec set; build with :meth:`for_marketplace`."""

    _cache: dict[tuple[str, str], SpecValidator | None] = {}
    _cache_lock = threading.Lock()

    def __init__(self, marketplace: str, folder: Path, files: list[list[Path]]) -> None:
        self.marketplace = marketplace
        self.folder = folder
        self._store = _SchemaStore(marketplace, null_for_optional=marketplace in _NULL_FOR_OPTIONAL)
        self._exact: dict[tuple[str, str], _Entry] = {}
        self._templates: dict[tuple[str, int], list[_Entry]] = {}
        self._entries: list[_Entry] = []
        self._auth_headers = set(_SKIPPED_HEADERS)
        self._lock = threading.RLock()
        seen: set[tuple[str, str]] = set()
        for group in files:
            for path in group:
                self._index_file(str(path), seen)
        for entries in self._templates.values():
            # Literal segments beat parameters, leftmost first: /orders/new before /orders/{id}.
            entries.sort(key=lambda e: [s.startswith("{") for s in e.operation.path_template.strip("/").split("/")])

    @classmethod
    def for_marketplace(cls, marketplace: str) -> SpecValidator | None:
        """The process-wide validator for ``marketplace`` (or ``yandex_market_notifications``); None without spec."""
        _check_name(marketplace)
        folder = specs_dir()
        if folder is None:
            return None
        key = (marketplace, str(folder))
        if key in cls._cache:
            return cls._cache[key]
        with cls._cache_lock:
            if key not in cls._cache:
                files = _spec_files(folder, marketplace)
                cls._cache[key] = cls(marketplace, folder, files) if any(files) else None
        return cls._cache[key]

    # -- index --

    def _index_file(self, file: str, seen: set[tuple[str, str]]) -> None:
        doc = _load(file)
        if not isinstance(doc, dict):
            return
        for scheme in ((doc.get("components") or {}).get("securitySchemes") or {}).values():
            if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                self._auth_headers.add(str(scheme.get("name", "")).lower())
        prefix = self._server_prefix(doc.get("servers"))
        for template, item in (doc.get("paths") or {}).items():
            try:
                item_file, item = _deref(file, item)
            except (OSError, KeyError, IndexError, ValueError, TypeError):
                logger.warning("unresolvable path item %s in %s", template, file)
                continue
            if not isinstance(item, dict):
                continue
            item_prefix = self._server_prefix(item.get("servers")) if item.get("servers") else prefix
            shared = self._parameters(item_file, item.get("parameters"))
            full = (item_prefix + template) if item_prefix else template
            for method in _HTTP_METHODS:
                node = item.get(method)
                if not isinstance(node, dict) or (method.upper(), full) in seen:
                    continue
                seen.add((method.upper(), full))
                own = self._parameters(item_file, node.get("parameters"))
                merged = {(p.get("name"), p.get("in")): (f, p) for f, p in shared}
                merged.update({(p.get("name"), p.get("in")): (f, p) for f, p in own})
                operation = Operation(
                    marketplace=self.marketplace,
                    method=method.upper(),
                    path_template=full,
                    spec_file=os.path.relpath(item_file, self.folder).replace(os.sep, "/"),
                    operation_id=node.get("operationId"),
                )
                entry = _Entry(operation, item_file, node, list(merged.values()))
                self._entries.append(entry)
                normalised = self._normalise(full)
                if "{" not in normalised:
                    self._exact.setdefault((operation.method, normalised), entry)
                    continue
                # "/a/{id}/b" → r"/a/([^/]+)/b"; text between parameters is matched literally.
                pieces = re.split(r"\{([^{}/]+)\}", normalised)
                entry.names = tuple(pieces[1::2])
                entry.regex = re.compile(
                    "".join(re.escape(piece) if i % 2 == 0 else "([^/]+)" for i, piece in enumerate(pieces))
                )
                self._templates.setdefault((operation.method, normalised.count("/")), []).append(entry)

    @staticmethod
    def _server_prefix(servers: Any) -> str:
        """The path part of the first server URL ("" for the usual bare hosts)."""
        if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
            return ""
        url = str(servers[0].get("url", ""))
        rest = url.split("//", 1)[1] if "//" in url else url
        path = "/" + rest.split("/", 1)[1] if "/" in rest else ""
        return "" if "{" in path else path.rstrip("/")

    @staticmethod
    def _parameters(file: str, params: Any) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for param in params or ():
            try:
                param_file, resolved = _deref(file, param)
            except (OSError, KeyError, IndexError, ValueError, TypeError):
                logger.warning("unresolvable parameter %r in %s", param, file)
                continue
            if isinstance(resolved, dict) and resolved.get("name") and resolved.get("in"):
                out.append((param_file, resolved))
        return out

    def operations(self) -> list[Operation]:
        """Every indexed operation (newest spec wins for duplicates), for coverage reports."""
        return [e.operation for e in self._entries]

    @staticmethod
    def _normalise(path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0] or "/"
        if not path.startswith("/"):
            path = "/" + path
        return path.rstrip("/") or "/"

    def _match(self, method: str, path: str) -> tuple[_Entry, dict[str, str]] | None:
        return self._match_cached(method.upper(), self._normalise(path))

    @lru_cache(maxsize=8192)  # noqa: B019 - validators live for the whole process
    def _match_cached(self, method: str, path: str) -> tuple[_Entry, dict[str, str]] | None:
        entry = self._exact.get((method, path))
        if entry is not None:
            return entry, {}
        for candidate in self._templates.get((method, path.count("/")), ()):
            match = candidate.regex.fullmatch(path) if candidate.regex else None
            if match:
                return candidate, {n: unquote(v) for n, v in zip(candidate.names, match.groups(), strict=True)}
        return None

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The spec operation for a concrete path ("/api/v3/stocks/507" → "/api/v3/stocks/{warehouseId}")."""
        found = self._match(method, path)
        return found[0].operation if found else None

    # -- compiled validators --

    def _validator(self, entry: _Entry, key: Any, build) -> Draft202012Validator | None:
        try:
            return entry.compiled[key]
        except KeyError:
            pass
        with self._lock:
            if key not in entry.compiled:
                schema = build()
                entry.compiled[key] = (
                    None
                    if schema is None
                    else Draft202012Validator(
                        schema, registry=self._store.registry_for(schema), format_checker=_FORMATS
                    )
                )
        return entry.compiled[key]

    def _params_schema(self, entry: _Entry, location: str) -> dict[str, Any] | None:
        props = {}
        for file, param in entry.parameters:
            if param.get("in") == location and "schema" in param:
                props[param["name"]] = self._store.convert(param["schema"], file, "request")
        return {"type": "object", "properties": props} if props else None

    # -- public checks --

    def validate_request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> list[str]:
        """Problems with a request to ``method path`` ([] when fine or when the spec does not know the operation).

        ``body`` is the parsed JSON value; raw ``str``/``bytes`` are parsed first and skipped when not JSON.
        """
        found = self._match(method, path)
        if found is None:
            return []
        entry, path_values = found
        label = f"{method.upper()} {path.split('?', 1)[0]}"
        errors: list[str] = []
        query = query or {}
        header_names = {str(k).lower() for k in (headers or {})}

        for location, values in (("path", path_values), ("query", query)):
            coerced: dict[str, Any] = {}
            for file, param in entry.parameters:
                if param.get("in") != location:
                    continue
                name = param["name"]
                aliases = [name, *(a for a in param.get("x-aliases") or () if isinstance(a, str))]
                present = next((a for a in aliases if a in values), None)
                if present is None:
                    if param.get("required") and location == "query":
                        errors.append(f"{label} query parameter '{name}' is required")
                    continue
                coerced[name] = _coerce(values[present], param.get("schema", {}), file)
            if coerced:
                validator = self._validator(entry, location, lambda loc=location: self._params_schema(entry, loc))
                if validator is not None:
                    errors.extend(_schema_errors(validator, coerced, f"{label} {location} parameter", named=True))

        for _file, param in entry.parameters:
            name = str(param["name"])
            if (
                param.get("in") == "header"
                and param.get("required")
                and name.lower() not in self._auth_headers
                and name.lower() not in header_names
            ):
                errors.append(f"{label} header '{name}' is required")

        try:
            body_file, request_body = _deref(entry.file, entry.node.get("requestBody"))
        except (OSError, KeyError, IndexError, ValueError, TypeError):
            return errors
        if not isinstance(request_body, dict):
            return errors
        if body is None or (isinstance(body, (bytes, bytearray, str)) and not body):
            if request_body.get("required"):
                errors.append(f"{label} request body is required")
            return errors
        content_type = next((str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), "")
        picked = _pick_content(request_body.get("content"), _media_type(content_type) or "application/json")
        if picked is None or not _is_json_type(_media_type(picked[0])) or "schema" not in picked[1]:
            return errors
        instance = _as_json(body)
        if instance is _NOT_JSON:
            return errors
        media, media_object = picked
        validator = self._validator(
            entry,
            ("request", media),
            lambda: self._store.convert(media_object["schema"], body_file, "request"),
        )
        if validator is not None:
            errors.extend(_schema_errors(validator, instance, f"{label} request body"))
        return errors

    def validate_response(
        self, method: str, path: str, status: int, body: Any, content_type: str = "application/json"
    ) -> list[str]:
        """Problems with a response body ([] when fine, or when the status/content type has no documented schema)."""
        found = self._match(method, path)
        if found is None:
            return []
        entry = found[0]
        responses = entry.node.get("responses")
        if not isinstance(responses, dict):
            return []
        by_key = {str(k).upper(): v for k, v in responses.items()}
        status_key = next((k for k in (str(status), f"{int(status) // 100}XX", "DEFAULT") if k in by_key), None)
        if status_key is None:
            return []
        try:
            response_file, response = _deref(entry.file, by_key[status_key])
        except (OSError, KeyError, IndexError, ValueError, TypeError):
            return []
        media_type = _media_type(content_type) or "application/json"
        if not isinstance(response, dict) or not _is_json_type(media_type):
            return []
        picked = _pick_content(response.get("content"), media_type)
        if picked is None or "schema" not in picked[1]:
            return []
        label = f"{method.upper()} {path.split('?', 1)[0]} response {status}"
        if isinstance(body, (bytes, bytearray, str)) and not body:
            return [f"{label} body: empty, but the spec documents a JSON body"]
        instance = _as_json(body)
        if instance is _NOT_JSON:
            return []
        media, media_object = picked
        validator = self._validator(
            entry,
            ("response", status_key, media),
            lambda: self._store.convert(media_object["schema"], response_file, "response"),
        )
        if validator is None:
            return []
        listed = _LIST_DECLARED_AS_OBJECT.get((self.marketplace, entry.operation.method,
                                               entry.operation.path_template))
        if listed and isinstance(instance, dict) and isinstance(instance.get(listed), list):
            rest = {k: v for k, v in instance.items() if k != listed}
            errors = _schema_errors(validator, rest, f"{label} body")
            for index, element in enumerate(instance[listed]):
                errors += _schema_errors(validator, {**rest, listed: element}, f"{label} body[{listed}][{index}]")
            return errors
        return _schema_errors(validator, instance, f"{label} body")
