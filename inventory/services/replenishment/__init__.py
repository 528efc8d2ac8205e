"""Replenishment: velocity-based reorder rules, suggestions, and turning them into draft
purchase orders (one per supplier) or transfer requests from stores of the same region.

The rules (docs/inventory.md, "Replenishment"):

- demand of a day = −(sum of ``sale`` and ``customer_return`` quantities) on that business
  date (the store's local date); the window is the ``VELOCITY_DAYS`` complete business
  days before the store's current business date, days without sales counting as zero;
- velocity ``v`` = window demand ÷ window days; ``σ`` = population standard deviation of
  the daily demand over the window;
- lead time ``L`` = the product terms' lead time, else the supplier's (preferred terms
  first); review period ``R`` = ``REVIEW_PERIOD_DAYS``; ``z`` = ``SAFETY_Z``;
- safety stock = z × σ × √L; reorder point = v × L + safety stock; order-up-to = reorder
  point + v × R; each rounded half-up to 3 decimals, never below zero.

A rule with method ``manual`` is never changed; ``velocity`` rules are recomputed, and a
``velocity`` rule is created for every active product a store holds or sold in the window
that has no rule yet.
"""

from .orders import (  # noqa: F401
    BatchResult,
    _clean_key,
    _lines_error,
    _replay,
    new_key,
    replenishment_orders_create,
    replenishment_transfer_request,
)
from .rules import (  # noqa: F401
    ACTIVE_STORE_STATUSES,
    DEMAND_KINDS,
    RULE_FIELDS,
    SAFETY_Z,
    ZERO,
    RuleMethod,
    RuleValues,
    _q,
    demand_totals,
    lead_time_of,
    reorder_rules_recompute,
    rule_values,
    supplier_terms,
    velocity_window,
)
from .suggestions import (  # noqa: F401
    SuggestionLine,
    SupplierGroup,
    TransferGroup,
    TransferOption,
    _attach_transfers,
    group_by_supplier,
    group_by_transfer_source,
    round_to_pack,
    suggestion_lines,
)
