"""``seed_inventory``: the catalogue, then the simulated history, then its rows."""

from __future__ import annotations

import datetime
import random

from stores.models import Store

from ..services.replenishment import reorder_rules_recompute
from .catalogue import _catalogue
from .history import PosFeed, _simulate
from .writing import _write


def seed_inventory(
    *, chain, skus: int, days: int, seed: int, today: datetime.date, pos: PosFeed | None = None
) -> dict:
    """The catalogue and the stock history; the sales are ``pos``'s receipts (none
    without a feed)."""
    rng = random.Random(f"inventory-{seed}")
    categories, products, suppliers, terms = _catalogue(rng, skus)
    stores = [s for s in chain.stores if s.status != Store.Status.PLANNED]
    managers = {s.pk: chain.users.get(f"manager-{s.code}") for s in chain.stores}
    if pos is not None:
        pos.start(products=products, first_date=today - datetime.timedelta(days=days), today=today)
    sim = _simulate(rng, stores, products, suppliers, terms, categories, managers, days, today, pos)
    _write(sim, stores, products, managers)
    # Velocity rules from the simulated sales, so the replenishment page has content;
    # "now" is the evening of `today` (UTC noon), whose window ends the day before.
    reorder_rules_recompute(
        store_ids=[store.pk for store in stores],
        now=datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC),
    )
    return {
        "products": len(products),
        "suppliers": len(suppliers),
        "movements": sim.movement_count,
        "snapshots": sim.snapshot_rows,
        "purchase_orders": len(sim.orders),
    }
