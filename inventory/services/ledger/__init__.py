"""The stock ledger: every change to stock on hand goes through ``stock_movements_post``.

Rules (docs/inventory.md):

- A movement is append-only. Its quantity is signed: positive for receipts, customer
  returns and transfers in; negative for sales, returns to supplier, transfers out and
  write-offs; either sign (not zero) for count adjustments.
- The level of the (store, product) is changed in the same transaction, under
  ``SELECT … FOR UPDATE`` of the level row. Levels are created race-free first
  (``INSERT … ON CONFLICT DO NOTHING``), then every level the call touches is locked in
  primary-key order, so two calls never deadlock.
- Cost is the moving weighted average: a receipt or transfer in blends its unit cost into
  the average; every other movement is valued at the current average.
"""

from .bulk import (  # noqa: F401
    _COPY_ESCAPES,
    _CREATE_LEVELS_SQL,
    _INPUT_COLUMNS,
    _LOCK_LEVELS_SQL,
    _POST_INPUT_SQL,
    LEDGER_INPUT,
    copy_text,
    ledger_input_create,
    stock_movements_post_bulk,
    stock_movements_post_input,
)
from .checks import (  # noqa: F401
    LevelDifference,
    _fix_levels,
    ledger_replay,
    stock_levels_check,
)
from .posting import (  # noqa: F401
    ZERO,
    MovementSpec,
    _checked,
    _clean,
    _clean_cost,
    _clean_quantity,
    apply_movement,
    quantize_cost,
    stock_levels_lock,
    stock_movement_post,
    stock_movements_post,
)
