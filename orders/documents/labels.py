"""Marketplace labels (WB stickers, Ozon package labels, YM labels, AE labels) for a batch, as ONE print-ready file.

Labels come from the marketplace through ``connector.get_labels``. For PDF output every label becomes one page of
the label size — the size asked for, else the one the chosen format names (``pdf_58x40``), else the one the
marketplace's file has, else 58×40 mm — scaled to fit (and turned when its orientation differs) so a thermal printer
gets a uniform roll. PNG/SVG/JPEG labels are laid on pages with WeasyPrint. ZPL output concatenates the
marketplace's ZPL when it offers it.

A label the marketplace refuses is written on that order's ``BatchItem.label_error`` and the others still print:
when a request fails, it is split in halves until the refusing orders are isolated.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import Connector
from connectors.dto import LabelFile
from connectors.errors import AuthRejected, ConfigurationError, MarketplaceError, OperationNotSupported
from connectors.registry import connector_for
from orders.choices import OPEN_STATUSES, BatchItemStatus, DocumentKind, OrderStatus
from orders.documents.common import DocumentError, save_document
from orders.models import BatchItem, Document, PickBatch

DEFAULT_SIZE_MM = (58, 40)
PT_PER_MM = 72 / 25.4
SIZE_TOLERANCE_MM = 1.0
PDF_KINDS = ("pdf", "svg", "png", "jpg")  # preference for PDF output: the marketplace's PDF first
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml", "jpg": "image/jpeg"}
# Label pages a marketplace names instead of sizing them (Yandex Market's label formats; yandex-market.md §4.3).
NAMED_PAGES_MM = {"a9_horizontally": (58, 40), "a9": (40, 58), "a7": (75, 120), "a6": (105, 148), "a4": (210, 297)}
# Errors that concern the whole connection, not one order: splitting the request cannot help.
CONNECTION_ERRORS = (AuthRejected, ConfigurationError, OperationNotSupported)


@dataclass(frozen=True)
class LabelFormat:
    code: str  # as the connector names it in ``label_formats``
    kind: str  # pdf | png | svg | jpg | zpl
    size: tuple[int, int] | None = None


@dataclass
class LabelsResult:
    document: Document | None
    printed: list[BatchItem] = field(default_factory=list)
    failed: list[BatchItem] = field(default_factory=list)
    format: LabelFormat | None = None
    size_mm: tuple[float, float] | None = None


def parse_format(code: str) -> LabelFormat:
    """'pdf' → PDF of any size; 'png_58x40' → PNG 58×40 mm; 'zplv'/'zplh' → ZPL; 'pdf_a9_horizontally' → the
    page a marketplace names instead of a size (Yandex Market)."""
    lowered = code.lower()
    match = re.match(r"[a-z]+", lowered)
    kind = match.group() if match else lowered
    kind = "zpl" if kind.startswith("zpl") else "jpg" if kind == "jpeg" else kind
    size = re.search(r"(\d+)\s*[x×]\s*(\d+)", lowered)
    if size:
        return LabelFormat(code, kind, (int(size.group(1)), int(size.group(2))))
    page = lowered[len(match.group()):].strip("_") if match else ""
    return LabelFormat(code, kind, NAMED_PAGES_MM.get(page))


def offered_formats(connector: Connector | type[Connector]) -> list[LabelFormat]:
    return [parse_format(code) for code in sorted(connector.label_formats)]


def offered_sizes(connector: Connector | type[Connector]) -> list[tuple[int, int]]:
    """Label sizes the marketplace names in its formats (58×40 first when offered); the UI's size choices."""
    sizes = {fmt.size for fmt in offered_formats(connector) if fmt.size}
    return sorted(sizes, key=lambda s: (s != DEFAULT_SIZE_MM, s))


def choose_format(offered: Sequence[LabelFormat], output: str, size: tuple[int, int] | None) -> LabelFormat:
    """The format to ask for: for PDF output a PDF, else an image; the requested size (58×40 by default) when one
    is offered, else a format without a stated size, else any size (scaled to fit)."""
    kinds = ("zpl",) if output == "zpl" else PDF_KINDS
    wanted = size or DEFAULT_SIZE_MM
    candidates = [fmt for fmt in offered if fmt.kind in kinds]
    if not candidates:
        raise DocumentError(
            _("The marketplace does not offer labels as %(output)s.") % {"output": output.upper()}
        )

    def rank(fmt: LabelFormat) -> tuple:
        fit = 0 if fmt.size and _same_size(fmt.size, wanted) else 1 if fmt.size is None else 2
        return fit, kinds.index(fmt.kind), fmt.code

    return min(candidates, key=rank)


def fetch_labels(batch: PickBatch, *, output: str = "pdf", size: tuple[int, int] | None = None, user=None,
                 confirm: bool = True, connector: Connector | None = None) -> LabelsResult:
    """Fetch the labels of the batch's orders and keep them as one Document (PDF or ZPL).

    ``size`` (width, height) in mm; ``output`` is "pdf" or "zpl". Raises ``DocumentError`` when the marketplace
    offers no such output or refuses the whole connection; per-order refusals land on ``BatchItem.label_error``.

    With ``confirm``, open orders whose label the marketplace refuses are confirmed to it
    (``connector.confirm_orders``: WB prints stickers only for tasks in a supply) and asked for once more.
    Marketplaces without a confirmation step (Ozon, AliExpress) label only after ``hand_over``; their message
    says so on the order.
    """
    if output not in ("pdf", "zpl"):
        raise DocumentError(_("Unknown label output %(output)s.") % {"output": output})
    batch = PickBatch.objects.select_related("connection").get(pk=batch.pk)
    if connector is not None:
        return _fetch_labels(batch, connector, output, size, user, confirm)
    connector = connector_for(batch.connection)
    try:
        return _fetch_labels(batch, connector, output, size, user, confirm)
    finally:
        connector.http.close()


def _fetch_labels(batch: PickBatch, connector: Connector, output: str, size, user, confirm: bool) -> LabelsResult:
    fmt = choose_format(offered_formats(connector), output, size)
    items = list(
        BatchItem.objects.filter(batch=batch, active=True).exclude(status=BatchItemStatus.REMOVED)
        .exclude(order__status=OrderStatus.CANCELLED).select_related("order").order_by("pk")
    )
    if not items:
        raise DocumentError(_("The batch has no orders to label."))
    by_id = {str(item.order.external_id): item for item in items}
    try:
        files, errors = _fetch(connector, list(by_id), fmt.code)
        unconfirmed = [key for key in errors if by_id[key].order.status in OPEN_STATUSES]
        confirmed = _confirm(connector, unconfirmed) if confirm and unconfirmed else []
        if confirmed:
            more, errors_after = _fetch(connector, confirmed, fmt.code)
            files = _in_order(files + more, list(by_id))
            for key in confirmed:
                errors.pop(key, None)
            errors.update(errors_after)
    except CONNECTION_ERRORS as exc:
        raise DocumentError(exc.user_message()) from exc
    result = LabelsResult(document=None, format=fmt)
    _record_errors(by_id, errors, result)
    if not files:
        return result
    if output == "zpl":
        content = "\n".join(_zpl_text(f) for f in files).encode()
        result.document = save_document(
            DocumentKind.LABELS, content, f"labels-{batch.number}.zpl", content_type="text/plain; charset=utf-8",
            batch=batch, user=user, pages=content.count(b"^XA"),
        )
    else:
        target = _target_size(size, fmt, files)
        result.size_mm = target
        content = merge_pdf(files, target)
        result.document = save_document(DocumentKind.LABELS, content, f"labels-{batch.number}.pdf", batch=batch,
                                        user=user)
    return result


def _fetch(connector: Connector, ids: list[str], code: str) -> tuple[list[LabelFile], dict[str, str]]:
    """Ask for ``ids``; on a refusal halve the request until the refusing orders stand alone."""
    try:
        files = list(connector.get_labels(ids, code))
    except CONNECTION_ERRORS:
        raise
    except MarketplaceError as exc:
        if len(ids) == 1 or exc.retryable:  # the marketplace is down or throttling: splitting would not help
            return [], dict.fromkeys(ids, exc.user_message())
        middle = len(ids) // 2
        left_files, left_errors = _fetch(connector, ids[:middle], code)
        right_files, right_errors = _fetch(connector, ids[middle:], code)
        return left_files + right_files, {**left_errors, **right_errors}
    named = {str(i) for f in files for i in f.external_ids}
    errors = {}
    if named or not files:  # files that say which orders they cover: an order in none got no label
        errors = {i: _("The marketplace returned no label for this order.") for i in ids if i not in named}
    return files, errors


def _confirm(connector: Connector, external_ids: list[str]) -> list[str]:
    """Confirm the orders to the marketplace; the ones it accepted (none when it has no such step)."""
    try:
        results = connector.confirm_orders(external_ids)
    except OperationNotSupported:
        return []
    except MarketplaceError:
        return []
    return [str(result.external_id) for result in results if result.ok]


def _in_order(files: list[LabelFile], keys: list[str]) -> list[LabelFile]:
    """Labels in the batch's order (files that do not say whom they are for stay where they were)."""
    position = {key: index for index, key in enumerate(keys)}
    return sorted(files, key=lambda f: min((position.get(str(i), len(keys)) for i in f.external_ids), default=0))


def _record_errors(by_id: dict[str, BatchItem], errors: dict[str, str], result: LabelsResult) -> None:
    now = timezone.now()
    printed = [item.pk for key, item in by_id.items() if key not in errors]
    BatchItem.objects.filter(pk__in=printed).exclude(label_error="").update(label_error="", updated_at=now)
    for key, item in by_id.items():
        if key in errors:
            item.label_error = errors[key] or _("The marketplace refused the label.")
            BatchItem.objects.filter(pk=item.pk).update(label_error=item.label_error, updated_at=now)
            result.failed.append(item)
        else:
            item.label_error = ""
            result.printed.append(item)


def _zpl_text(label: LabelFile) -> str:
    content = label.content
    if not content.lstrip().startswith(b"^") and not content.lstrip().startswith(b"~"):
        try:  # some APIs wrap ZPL in base64
            decoded = base64.b64decode(content, validate=True)
            if decoded.lstrip().startswith((b"^", b"~")):
                content = decoded
        except ValueError:
            pass
    return content.decode("utf-8", errors="replace").strip()


# --- PDF assembly -------------------------------------------------------------------------------------------


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= SIZE_TOLERANCE_MM and abs(a[1] - b[1]) <= SIZE_TOLERANCE_MM


def _target_size(size, fmt: LabelFormat, files: list[LabelFile]) -> tuple[float, float]:
    if size:
        return (float(size[0]), float(size[1]))
    if fmt.size:
        return (float(fmt.size[0]), float(fmt.size[1]))
    for label in files:
        if label.width_mm and label.height_mm:
            return (float(label.width_mm), float(label.height_mm))
    for label in files:
        if _is_pdf(label):
            box = _reader(label.content).pages[0].mediabox
            return (round(float(box.width) / PT_PER_MM, 1), round(float(box.height) / PT_PER_MM, 1))
    return (float(DEFAULT_SIZE_MM[0]), float(DEFAULT_SIZE_MM[1]))


def _is_pdf(label: LabelFile) -> bool:
    return label.content[:5] == b"%PDF-" or "pdf" in label.content_type.lower()


def _image_type(label: LabelFile) -> str | None:
    kind = label.content_type.lower().split(";")[0].strip()
    if kind in IMAGE_TYPES.values():
        return kind
    head = label.content[:256].lstrip()
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in label.content[:2048]):
        return "image/svg+xml"
    return None


def _reader(content: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content))


def merge_pdf(files: Sequence[LabelFile], size_mm: tuple[float, float]) -> bytes:
    """One PDF, one page per label, every page ``size_mm``; pages keep the order of ``files``."""
    from pypdf import PdfWriter

    width, height = size_mm[0] * PT_PER_MM, size_mm[1] * PT_PER_MM
    images = [label for label in files if not _is_pdf(label)]
    image_pages = iter(_image_pages(images, size_mm).pages) if images else iter(())
    writer = PdfWriter()
    for label in files:
        if _is_pdf(label):
            for page in _reader(label.content).pages:
                _fit(writer.add_page(page), width, height)  # pypdf transforms pages that belong to a writer
        else:
            _fit(writer.add_page(next(image_pages)), width, height)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image_pages(images: Sequence[LabelFile], size_mm: tuple[float, float]):
    """PNG/JPEG/SVG labels → one page each, in one WeasyPrint run."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    sources = []
    for label in images:
        kind = _image_type(label)
        if kind is None:
            raise DocumentError(_("The marketplace sent a label in an unknown format (%(type)s).")
                                % {"type": label.content_type or "?"})
        sources.append(f"data:{kind};base64," + base64.b64encode(label.content).decode())
    html = render_to_string("orders/documents/label_images.html",
                            {"images": sources, "width": size_mm[0], "height": size_mm[1]})
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    return _reader(pdf)


def _fit(page, width: float, height: float):
    """Scale the page into width × height points (keeping proportions, centred), turning it when its orientation
    differs from the target's."""
    from pypdf import Transformation
    from pypdf.generic import RectangleObject

    if page.get("/Rotate"):
        page.transfer_rotation_to_content()
    box = page.mediabox
    x0, y0, w, h = float(box.left), float(box.bottom), float(box.width), float(box.height)
    if abs(w - width) <= SIZE_TOLERANCE_MM * PT_PER_MM and abs(h - height) <= SIZE_TOLERANCE_MM * PT_PER_MM \
            and x0 == 0 and y0 == 0:
        page.cropbox = RectangleObject((0, 0, w, h))
        return page
    transform = Transformation().translate(-x0, -y0)
    turn = (w > h) != (width > height) and abs(w - h) > 1
    if turn:
        transform = transform.rotate(90).translate(h, 0)
        w, h = h, w
    scale = min(width / w, height / h)
    transform = transform.scale(scale).translate((width - w * scale) / 2, (height - h * scale) / 2)
    page.add_transformation(transform)
    rect = RectangleObject((0, 0, width, height))
    page.mediabox = rect
    page.cropbox = rect
    for name in ("/TrimBox", "/BleedBox", "/ArtBox"):
        if name in page:
            del page[name]
    return page
