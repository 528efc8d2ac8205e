"""The exports of the store lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stores import filters as store_filters
from stores import selectors as store_selectors
from stores.models import Store

from .base import (
    DATE,
    Column,
    choice_labels,
    register,
)
from .querysets import queryset_dataset

register(
    queryset_dataset(
        "stores",
        _("Stores"),
        selector=store_selectors.store_list,
        filterset=store_filters.StoreFilterSet,
        list_route="stores:store_list",
        fields=[
            ("code", Column(_("Code"))),
            ("name", Column(_("Name"))),
            ("name_zh", Column(_("Name (Chinese)"))),
            ("region__code", Column(_("Region"))),
            ("status", Column(_("Status"), convert=choice_labels(Store.Status.choices))),
            ("time_zone", Column(_("Time zone"))),
            ("opening_date", Column(_("Opening date"), DATE)),
            ("address", Column(_("Address"))),
        ],
    )
)
