from django.dispatch import Signal

# Sent after the transaction that changed stock commits, with ``variant_ids``, ``organization_id`` and
# ``connection_ids`` (whose listings were stamped dirty in that transaction). The push dispatcher listens.
stock_changed = Signal()
