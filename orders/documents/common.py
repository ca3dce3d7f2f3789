"""What every document shares: rendering HTML to PDF without touching the network, local images as data URIs,
saving the file as a ``Document`` row so it can be downloaded and reprinted, and times in the seller's zone."""

from __future__ import annotations

import base64
import io
import mimetypes
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Document, Order, PickBatch

PDF = "application/pdf"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MM_PER_PT = 25.4 / 72


class DocumentError(Exception):
    """A document cannot be produced; the message is fit for the person who asked for it."""


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template under ``templates/orders/documents/`` to PDF.

    Only ``data:`` URLs are fetched: images were read from local files beforehand (``local_image``), so a product
    card pointing at the internet can neither slow a print run down nor make the server fetch arbitrary URLs.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()


def page_label() -> str:
    """CSS ``content`` for "Page N of M" in the active language (the counters are filled in by WeasyPrint)."""
    text = _("Page %(page)s of %(pages)s").replace('"', "'")
    text = text.replace("%(page)s", '" counter(page) "').replace("%(pages)s", '" counter(pages) "')
    return f'"{text}"'


def count_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def save_document(
    kind: str,
    content: bytes,
    filename: str,
    *,
    content_type: str = PDF,
    batch: PickBatch | None = None,
    order: Order | None = None,
    user=None,
    pages: int | None = None,
) -> Document:
    """Keep a generated file under MEDIA_ROOT with its row; PDFs get their page count from pypdf."""
    if pages is None and content_type == PDF:
        pages = count_pages(content)
    document = Document(
        organization_id=(batch or order).organization_id if (batch or order) else None,
        kind=kind, batch=batch, order=order, content_type=content_type, pages=pages,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def local_time(value: datetime | None, organization=None) -> datetime | None:
    """Times are stored in UTC and printed in the seller's zone (Moscow unless the organization says otherwise)."""
    if value is None:
        return None
    zone = getattr(organization, "timezone", "") or settings.TIME_ZONE
    return timezone.localtime(value, ZoneInfo(zone))


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT)]
    roots += [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _local_path(url: str) -> Path | None:
    """A product image URL that names a file on this server: ``file://…``, an absolute path, ``/media/…`` or a
    path relative to MEDIA_ROOT. Only files under MEDIA_ROOT and the static directories are read."""
    split = urlsplit(url)
    if split.scheme not in ("", "file") or split.netloc not in ("", "localhost"):
        return None
    raw = unquote(split.path)
    candidates = [Path(raw)]
    media_url = "/" + settings.MEDIA_URL.strip("/") + "/"
    if raw.startswith(media_url):
        candidates.append(Path(settings.MEDIA_ROOT) / raw[len(media_url):])
    if not raw.startswith("/"):
        candidates.append(Path(settings.MEDIA_ROOT) / raw)
    roots = _allowed_roots()
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    return None


def local_image(urls) -> str | None:
    """The first product image available without the network, as a data URI; None when there is none."""
    for url in urls or []:
        if isinstance(url, dict):  # some imports keep {"url": …, "alt": …}
            url = url.get("url") or ""
        if not isinstance(url, str) or not url:
            continue
        if url.startswith("data:image/"):
            return url
        path = _local_path(url)
        if path is None or path.stat().st_size > MAX_IMAGE_BYTES:
            continue
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            continue
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()
    return None
