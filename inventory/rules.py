"""Numbers and role sets the inventory workflows use, in one place.

Each threshold can be overridden in settings (``INVENTORY_<NAME>``) without code changes.
"""

from decimal import Decimal

from django.conf import settings

from opsdesk.platform.roles import Role

QTY_PLACES = Decimal("0.001")
COST_PLACES = Decimal("0.0001")


def _setting(name: str, default: Decimal) -> Decimal:
    return Decimal(str(getattr(settings, f"INVENTORY_{name}", default)))


# A counted line needs a recount when |variance| > max(RECOUNT_UNITS, expected × RECOUNT_SHARE).
RECOUNT_UNITS = _setting("RECOUNT_UNITS", Decimal("2"))
RECOUNT_SHARE = _setting("RECOUNT_SHARE", Decimal("0.10"))
# A count whose total absolute variance value reaches this needs regional ops (or above).
REGIONAL_APPROVAL_VALUE = _setting("REGIONAL_APPROVAL_VALUE", Decimal("1000"))
# Replenishment: days between two orders, safety stock in days of sales, trailing window.
REVIEW_PERIOD_DAYS = int(getattr(settings, "INVENTORY_REVIEW_PERIOD_DAYS", 7))
SAFETY_DAYS = _setting("SAFETY_DAYS", Decimal("3"))
VELOCITY_DAYS = int(getattr(settings, "INVENTORY_VELOCITY_DAYS", 28))

CATALOGUE_WRITERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
# Raise and receive purchase orders, returns, write-offs, start and approve counts.
STOCK_WRITERS = frozenset({Role.STORE_MANAGER, Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
# Enter counted quantities: store staff count too.
COUNTERS = STOCK_WRITERS | {Role.STORE_STAFF}
TRANSFER_APPROVERS = frozenset({Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
COUNT_BIG_APPROVERS = TRANSFER_APPROVERS
