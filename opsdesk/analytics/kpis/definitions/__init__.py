"""One module per KPI; each registers itself with ``opsdesk.analytics.kpis.registry.register``.

KPIs read the domain apps through their selectors and compute one business date for many
stores in one query each: the nightly cost depends on one day's activity, not on the
length of history.
"""

from . import (
    checklists,  # noqa: F401
    customers,  # noqa: F401
    inventory,  # noqa: F401
    sales,  # noqa: F401
    staff,  # noqa: F401
)
