"""Code128 and EAN-13 as SVG for the PDFs (pick lists, box labels, packing slips).

The symbologies are encoded by the ``python-barcode`` package (code-set switching for Code128, parity patterns for
EAN-13); we only draw its bar modules. Its own SVG writer sizes everything in absolute millimetres with no
``viewBox``, so the image cannot be scaled into a table cell or a 58×40 mm label; ours can. No PIL is involved.
"""

from __future__ import annotations

import base64
from html import escape

from barcode import get_barcode_class


class BarcodeError(ValueError):
    """The value cannot be encoded in the requested symbology."""


def ean13_check_digit(first12: str) -> str:
    """The EAN-13 check digit of 12 digits: weights 1, 3, 1, 3… from the left, 10 minus the sum modulo 10."""
    if len(first12) != 12 or not first12.isdigit():
        raise BarcodeError(f"EAN-13 needs 12 digits before the check digit, got {first12!r}")
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(value: str) -> bool:
    return len(value) == 13 and value.isdigit() and ean13_check_digit(value[:12]) == value[12]


def ean13_modules(value: str) -> str:
    """Bar modules ('1' = bar) of a valid EAN-13 (13 digits with a correct check digit, or 12 digits)."""
    if len(value) == 12 and value.isdigit():
        value += ean13_check_digit(value)
    if not is_valid_ean13(value):
        # python-barcode would silently replace a wrong check digit: a label must never print another product.
        raise BarcodeError(f"{value!r} is not a valid EAN-13")
    return get_barcode_class("ean13")(value[:12]).build()[0]


def code128_modules(value: str) -> str:
    if not value or any(ord(char) > 127 for char in value):
        raise BarcodeError(f"Code128 encodes ASCII only, got {value!r}")
    return get_barcode_class("code128")(value).build()[0]


def _svg(modules: str, text: str, *, height: float, quiet: int, text_size: float) -> str:
    """Bars in module units as ONE path (a renderer draws one node, not one per bar: WeasyPrint is ~30× faster);
    the viewBox lets CSS size the image to any box keeping proportions."""
    width = len(modules) + 2 * quiet
    total_height = height + (text_size * 1.3 if text else 0)
    bars = []
    x = 0
    while x < len(modules):
        if modules[x] == "1":
            run = 1
            while x + run < len(modules) and modules[x + run] == "1":
                run += 1
            bars.append(f"M{x + quiet} 0h{run}v{height:g}h-{run}z")
            x += run
        else:
            x += 1
    label = (
        f'<text x="{width / 2:g}" y="{total_height - 1:g}" font-family="DejaVu Sans Mono, monospace" '
        f'font-size="{text_size:g}" text-anchor="middle">{escape(text)}</text>'
        if text else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height:g}" '
        f'preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges">'
        f'<rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="{"".join(bars)}"/>{label}</svg>'
    )


def code128_svg(value: str, *, text: bool = True, height: float = 40) -> str:
    return _svg(code128_modules(value), value if text else "", height=height, quiet=10, text_size=12)


def ean13_svg(value: str, *, text: bool = True, height: float = 55) -> str:
    full = value + ean13_check_digit(value) if len(value) == 12 else value
    return _svg(ean13_modules(full), full if text else "", height=height, quiet=9, text_size=11)


def barcode_svg(value: str, *, text: bool = True) -> str:
    """EAN-13 when the value is one, Code128 otherwise (seller SKUs, marketplace barcodes, box ids)."""
    if is_valid_ean13(value):
        return ean13_svg(value, text=text)
    return code128_svg(value, text=text)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
