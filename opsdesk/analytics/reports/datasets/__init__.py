"""The export datasets: one per list page (and the KPI table), each built from the list's
own scoped selector and FilterSet, so that an export holds exactly the rows the user sees
on the matching page with the same filters.

A dataset is ``prepare``d for a user and the request's parameters (invalid filters raise
``ExportError`` with the FilterSet's messages), then gives ``count()`` and ``rows()``,
an iterator of tuples read with ``values_list`` over a server-side cursor: no model
objects, one query however many rows.
"""

# Each module registers its datasets when imported.
from . import (  # noqa: F401
    checklist_lists,
    complaint_lists,
    inventory_lists,
    kpi_table,
    sales_lists,
    staff_lists,
    store_lists,
)
from .base import (  # noqa: F401  (the package's interface)
    BOOL,
    CHUNK_SIZE,
    DANGEROUS,
    DATE,
    DATETIME,
    NUMBER,
    REGISTRY,
    RESERVED,
    TEXT,
    Column,
    Dataset,
    ExportError,
    Prepared,
    all_datasets,
    choice_labels,
    get,
    numbered,
    params_to_json,
    register,
    to_querydict,
)
from .querysets import filtered_queryset, queryset_dataset  # noqa: F401

register(kpi_table.DATASET)
