"""ZPL II for Okno's box labels on thermal printers (203 dpi: 8 dots per mm).

The printer draws the barcodes itself (``^BC`` Code128 in automatic subset mode, ``^BE`` EAN-13 from its 12 data
digits), so what we send is short text. Field data is written through ``^FH`` so a ``^`` or ``~`` in an order
number cannot end the field or start a command. Text stays Latin: printer-resident fonts rarely carry Cyrillic.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from orders.choices import DocumentKind
from orders.documents.boxes import BOX_SIZES_MM, BoxLabel, box_labels
from orders.documents.common import DocumentError, save_document
from orders.models import Document, PickBatch

DOTS_PER_MM = 8
MARKETPLACE_SHORT = {"wb": "WB", "ozon": "OZON", "yandex_market": "YANDEX MARKET", "aliexpress": "ALIEXPRESS"}


def field_data(text: str) -> str:
    """``^FH_^FD…^FS`` with the characters ZPL would read as commands (and the escape itself) hex-escaped."""
    escaped = "".join(f"_{ord(char):02X}" if char in "^~_" else char for char in text)
    return f"^FH_^FD{escaped}^FS"


def box_label_zpl(label: BoxLabel, size: str = "58x40") -> str:
    width_mm, height_mm = BOX_SIZES_MM[size]
    width, height = width_mm * DOTS_PER_MM, height_mm * DOTS_PER_MM
    marketplace = MARKETPLACE_SHORT.get(label.marketplace_code, label.marketplace_code.upper())
    box = f"{label.index}/{label.count}"
    if size == "100x150":
        parts = [
            f"^FO40,40^A0N,36,36{field_data(marketplace)}",
            f"^FO560,40^A0N,36,36{field_data('BOX ' + box)}",
            f"^FO40,100^A0N,64,64{field_data(label.order_number)}",
            f"^FO40,200^BY3^BCN,240,Y,N,N,A{field_data(label.barcode)}",
            f"^FO40,540^A0N,32,32{field_data(f'BATCH {label.batch_number}')}",
        ]
        y = 600
        for sku, quantity in label.lines[:8]:
            parts.append(f"^FO40,{y}^A0N,30,30{field_data(f'{sku} x {quantity}')}")
            y += 40
        if label.ean13:
            parts.append(f"^FO40,{max(y + 20, 960)}^BY3^BEN,150,Y,N{field_data(label.ean13[:12])}")
    else:
        parts = [
            f"^FO16,10^A0N,24,24{field_data(marketplace)}",
            f"^FO330,10^A0N,24,24{field_data(box)}",
            f"^FO16,40^A0N,30,30{field_data(label.order_number)}",
            f"^FO16,80^BY2^BCN,110,Y,N,N,A{field_data(label.barcode)}",
            f"^FO16,250^A0N,24,24{field_data(f'B{label.batch_number}')}",
        ]
        if label.ean13:
            parts.append(f"^FO150,230^BY2^BEN,50,Y,N{field_data(label.ean13[:12])}")
    return "\n".join(["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0", *parts, "^PQ1", "^XZ"])


def render_box_labels_zpl(batch: PickBatch, *, size: str = "58x40", user=None) -> Document:
    """All box labels of the batch as one ZPL file, kept as a Document (pages = labels)."""
    if size not in BOX_SIZES_MM:
        raise DocumentError(_("Unknown label size %(size)s.") % {"size": size})
    labels = box_labels(batch)
    text = "\n".join(box_label_zpl(label, size) for label in labels) + "\n"
    batch = PickBatch.objects.get(pk=batch.pk)
    return save_document(DocumentKind.BOX_LABELS, text.encode(), f"box-labels-{batch.number}-{size}.zpl",
                         content_type="text/plain; charset=utf-8", batch=batch, user=user, pages=len(labels))
