from django.dispatch import Signal

# Sent after the transaction that changed stock commits: ``variant_ids`` (a frozenset) and ``organization_id``.
# The sync engine listens and marks every listing of those variants (and of kits built from them) for a push.
stock_changed = Signal()
