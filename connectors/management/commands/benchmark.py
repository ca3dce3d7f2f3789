"""``python manage.py benchmark NAME [--option value …]``: run one benchmark, print a table, then ONE JSON line.

A benchmark is a function ``run(options: dict) -> dict`` registered below by dotted path. Every ``--key value``
after the name is passed through in ``options`` (``--open-orders 100000`` → ``{"open_orders": 100000}``; numbers
become int/float, a bare ``--flag`` is True), so a benchmark adds options without touching this command. Keys of
the result that start with ``_`` are for the table only (``_rows``: extra ``(label, value)`` rows); the rest is the
JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError

# name → dotted path of ``run(options) -> dict``. Data, so each app registers its benchmark with one line.
BENCHMARKS: dict[str, str] = {
    "documents": "orders.benchmarks.documents",
    "orders_screen": "orders.benchmarks.orders_screen",
    "stock_sync": "connectors.benchmarks.stock_sync",
}


def parse_options(tokens: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not token.startswith("--") or token == "--":
            raise CommandError(f"unexpected argument {token!r}: options are --name value")
        key, has_value, value = token[2:].partition("=")
        if not has_value:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and not following.startswith("--"):
                value, index = following, index + 1
            else:
                value = True
        options[key.replace("-", "_")] = _number(value)
        index += 1
    return options


def _number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def load(name: str):
    try:
        module_name, function_name = BENCHMARKS[name].rsplit(".", 1)
    except KeyError:
        raise CommandError(f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}")
    return getattr(import_module(module_name), function_name)


def table(result: dict[str, Any]) -> str:
    rows = [(key, value) for key, value in result.items() if not key.startswith("_")]
    rows += [(str(label), value) for label, value in result.get("_rows", [])]
    width = max((len(label) for label, _value in rows), default=0)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)


class Command(BaseCommand):
    help = "Run a benchmark: prints a table, then one JSON object on the last line. Benchmarks: " + ", ".join(
        sorted(BENCHMARKS))

    def add_arguments(self, parser):
        parser.add_argument("name", help="one of: " + ", ".join(sorted(BENCHMARKS)))
        parser.add_argument("options", nargs=argparse.REMAINDER,
                            help="--key value pairs passed to the benchmark (e.g. --orders 500)")

    def handle(self, *args, name: str, options: list[str], **kwargs):
        run = load(name)
        result = run(parse_options(options))
        self.stdout.write(table(result))
        self.stdout.write(json.dumps({k: v for k, v in result.items() if not k.startswith("_")}, ensure_ascii=False,
                                     default=str))
