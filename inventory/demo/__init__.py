"""The inventory part of the demo chain (``seed_demo``).

A catalogue (categories, ≥ ``skus`` products in English and Chinese, suppliers and their
terms), opening stock in every store, then ``days`` of history simulated day by day:
the point of sale's receipts (``pos``, the sales demo: each receipt line posts its sale
or return movement exactly as a POS import does), weekly purchase orders per supplier
received after the supplier's lead time (the last ones still open), a transfer per region
every ten days, a posted count per store every thirty days with variances, and a stock
snapshot for every store, product and day. Deterministic for a seed. With a POS feed,
today's sales so far are posted too (today has no snapshot: its day has not closed).

Everything is computed in memory with the ledger's own costing rule (``apply_movement``)
and written in bulk (PostgreSQL ``COPY``; ``bulk_create`` elsewhere), so the ledger, the
levels and the snapshots agree: ``manage.py check_stock`` finds no difference.
"""

from .catalogue import (  # noqa: F401
    BRANDS,
    CATEGORIES,
    CONTACTS,
    SUPPLIERS,
    VARIANTS,
    ZERO,
    D,
    _catalogue,
    _ean13,
)
from .history import (  # noqa: F401
    COUNT_REASON,
    PosFeed,
    _at,
    _count,
    _Sim,
    _simulate,
    _transfer,
)
from .seed import (  # noqa: F401
    seed_inventory,
)
from .writing import (  # noqa: F401
    MOVEMENT_COLUMNS,
    SNAPSHOT_COLUMNS,
    _copy_movements,
    _ref,
    _write,
)
