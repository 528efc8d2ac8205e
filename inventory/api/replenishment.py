"""Replenishment API: the suggestion lines in scope, and the two actions of the page
(create the purchase orders, request a transfer) through the same services.

Bodies are JSON, checked by the serializers (400); a store named that is unknown or out of
scope is a 404; what the services still refuse (a product not sold by an active supplier,
below its minimum order quantity, a key used for another store) is a 409.
"""

from __future__ import annotations

import re

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from opsdesk.platform.api.exceptions import conflicts, validate_or_404
from opsdesk.platform.api.fields import StrictCharField, StrictIntegerField
from stores.access import ScopedAPIMixin
from stores.models import Store

from .. import selectors
from ..models import ReorderRule
from ..rules import STOCK_WRITERS
from ..services import replenishment as replen
from ..services.transfers import transfer_counterpart_stores
from . import serializers as s

_INTEGER = re.compile(r"-?[0-9]+")
QTY = {"max_digits": 12, "decimal_places": 3, "read_only": True}


class ReplenishmentLineSerializer(serializers.Serializer):
    store = serializers.IntegerField(source="rule.store_id", read_only=True)
    store_code = serializers.CharField(source="rule.store.code", read_only=True)
    product = serializers.IntegerField(source="rule.product_id", read_only=True)
    sku = serializers.CharField(source="rule.product.sku", read_only=True)
    name = serializers.CharField(source="rule.product.name", read_only=True)
    supplier = serializers.IntegerField(
        source="supplier.pk", read_only=True, allow_null=True, default=None
    )
    supplier_code = serializers.CharField(
        source="supplier.code", read_only=True, allow_null=True, default=None
    )
    on_hand = serializers.DecimalField(**QTY)
    on_order = serializers.DecimalField(**QTY, help_text="Open purchase orders not received.")
    reorder_point = serializers.DecimalField(source="rule.reorder_point", **QTY)
    order_up_to = serializers.DecimalField(source="rule.order_up_to", **QTY)
    safety_stock = serializers.DecimalField(source="rule.safety_stock", **QTY)
    rule_method = serializers.CharField(source="rule.method", read_only=True)
    need = serializers.DecimalField(
        **QTY, help_text="Order-up-to level − (on hand + on order), before rounding."
    )
    suggested_quantity = serializers.DecimalField(
        source="suggested",
        **QTY,
        help_text="The need raised to the minimum order quantity and to whole packs.",
    )
    pack_size = serializers.IntegerField(read_only=True)
    min_order_quantity = serializers.DecimalField(**QTY)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)
    transfer_source = serializers.IntegerField(
        source="transfer.store.pk", read_only=True, allow_null=True, default=None
    )
    transfer_source_code = serializers.CharField(
        source="transfer.store.code", read_only=True, allow_null=True, default=None
    )
    transfer_quantity = serializers.DecimalField(
        source="transfer.quantity", **QTY, allow_null=True, default=None
    )


class ReplenishmentLineInputSerializer(serializers.Serializer):
    product = StrictCharField(max_length=64, help_text=s.PRODUCT_HELP)
    quantity = s.ZeroOrMoreQuantityField(help_text="0 leaves the product out.")


class ReplenishmentOrdersSerializer(serializers.Serializer):
    store = StrictIntegerField()
    key = StrictCharField(
        required=False,
        max_length=64,
        help_text="Idempotency key: the same key again returns the first result, "
        "creating nothing. Default: a new key (no protection against a repeat).",
    )
    lines = ReplenishmentLineInputSerializer(many=True, allow_empty=False)


class ReplenishmentTransferSerializer(ReplenishmentOrdersSerializer):
    source_store = StrictIntegerField(help_text="A store of the same region.")


class ReplenishmentResultSerializer(serializers.Serializer):
    key = serializers.CharField(source="batch.key")
    created = serializers.BooleanField(help_text="False when the key had been used already.")
    purchase_orders = s.PurchaseOrderSerializer(many=True)
    transfers = s.TransferSerializer(many=True)


def _result(request, result: replen.BatchResult) -> Response:
    batch = selectors.replenishment_batch_get(
        user=request.user, store_id=result.batch.store_id, key=result.batch.key
    )
    data = ReplenishmentResultSerializer(
        {
            "batch": batch,
            "created": result.created,
            "purchase_orders": batch.purchase_orders.all(),
            "transfers": batch.transfers.all(),
        }
    ).data
    return Response(data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class ReplenishmentViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """Replenishment suggestions (stock writers only; scoped to the user's stores)."""

    allowed_roles = STOCK_WRITERS
    queryset = ReorderRule.objects.all()
    selector = staticmethod(selectors.replenishment_rule_list)
    serializer_class = ReplenishmentLineSerializer
    filter_backends: list = []
    parser_classes = [JSONParser]
    conflict_actions = frozenset(["create_orders", "request_transfer"])

    def _store(self, pk) -> Store:
        return get_object_or_404(Store.objects.visible_to(self.request.user), pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("store", OpenApiTypes.INT, description="Only the lines of this store.")
        ]
    )
    def list(self, request):
        """Products at or below their reorder point (on hand + on order), with the
        suggested quantity and, when a store of the same region has spare stock, the
        transfer it could give."""
        rules = self.get_queryset()
        store = request.query_params.get("store")
        if store not in (None, ""):
            if not _INTEGER.fullmatch(store):
                raise ValidationError({"store": [_("Enter a store id.")]})
            # Any other store (unknown, out of scope, or too large an id): 404, as a filter.
            rules = rules.filter(store=self._store(int(store) if len(store) < 19 else 0))
        page = self.paginate_queryset(rules)
        lines = replen.suggestion_lines(list(page if page is not None else rules))
        data = self.get_serializer(lines, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        request=ReplenishmentOrdersSerializer,
        responses={201: ReplenishmentResultSerializer, 200: ReplenishmentResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="create-orders")
    def create_orders(self, request):
        """One draft purchase order per supplier; all or nothing (400 with a message per
        line); 201, or 200 with the first result when the key was used already."""
        data = validate_or_404(ReplenishmentOrdersSerializer(data=request.data))
        store = self._store(data["store"])
        with conflicts():
            result = replen.replenishment_orders_create(
                user=request.user,
                store=store,
                lines=[dict(line) for line in data["lines"]],
                key=data.get("key") or replen.new_key(),
            )
        return _result(request, result)

    @extend_schema(
        request=ReplenishmentTransferSerializer,
        responses={201: ReplenishmentResultSerializer, 200: ReplenishmentResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="request-transfer")
    def request_transfer(self, request):
        """Request a transfer to ``store`` from ``source_store`` (same region)."""
        data = validate_or_404(ReplenishmentTransferSerializer(data=request.data))
        store = self._store(data["store"])
        source = get_object_or_404(
            transfer_counterpart_stores(request.user), pk=data["source_store"]
        )
        with conflicts():
            result = replen.replenishment_transfer_request(
                user=request.user,
                store=store,
                source_store=source,
                lines=[dict(line) for line in data["lines"]],
                key=data.get("key") or replen.new_key(),
            )
        return _result(request, result)
