"""Inventory API: thin viewsets over the selectors (reads) and services (writes).

Bodies are JSON. The serializers check the whole input (400); a record it names that does
not exist or is out of scope is a 404, as in a URL; what a service still refuses is the
records' state (an order no longer a draft, more than is outstanding, a code taken): a 409,
declared on the actions listed in ``conflict_actions``.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from opsdesk.platform.api.exceptions import conflicts, validate_or_404
from opsdesk.platform.roles import ALL_ROLES
from stores.access import ScopedAPIMixin
from stores.models import Store

from .. import selectors, services
from ..filters import (
    ProductFilterSet,
    PurchaseOrderFilterSet,
    StockCountFilterSet,
    StockLevelFilterSet,
    StockMovementFilterSet,
    SupplierFilterSet,
    TransferFilterSet,
)
from ..models import (
    Category,
    Product,
    PurchaseOrder,
    StockCount,
    StockLevel,
    StockMovement,
    Supplier,
    Transfer,
)
from ..rules import CATALOGUE_WRITERS, COUNTERS, STOCK_WRITERS, TRANSFER_APPROVERS
from . import serializers as s

ANY_SEGMENT = "[^/]+"


class _ReadOnly(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Reads for every role; each write action names its roles in ``action_roles``, checked
    before the object is looked up (wrong role: 403, whatever the object)."""

    lookup_value_regex = ANY_SEGMENT
    parser_classes = [JSONParser]
    action_roles: dict = {}
    conflict_actions: frozenset = frozenset()

    @property
    def allowed_roles(self):
        return self.action_roles.get(getattr(self, "action", None), ALL_ROLES)


def _store(request, pk) -> Store:
    """A store of the user's scope (another, or none: 404)."""
    return get_object_or_404(Store.objects.visible_to(request.user), pk=pk)


def _any_store(pk) -> Store:
    """Either end of a transfer: the service checks which the user may name (404). An id
    of no store gets the service's 404 word for word, so that the two are not told apart."""
    store = Store.objects.filter(pk=pk).first()
    if store is None:
        raise NotFound(_("No such store."))
    return store


def _lines(lines) -> list[dict]:
    """Validated lines as the services take them (a missing cost: None)."""
    return [dict(line) for line in lines]


class _CatalogueWrite(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Create and update (PUT/PATCH) for head office through the catalogue services;
    no delete (products and suppliers are made inactive instead). The answer is the
    object read back through the list's selector."""

    action_roles = dict.fromkeys(["create", "update", "partial_update"], CATALOGUE_WRITERS)
    conflict_actions = frozenset(["create", "update", "partial_update"])
    create_service = None
    update_service = None
    instance_arg = ""

    def _fresh(self, instance):
        return self.selector(user=self.request.user).get(pk=instance.pk)

    def create(self, request, *args, **kwargs):
        data = validate_or_404(self.get_serializer(data=request.data))
        with conflicts():
            instance = type(self).create_service(user=request.user, **data)
        return Response(
            self.get_serializer(self._fresh(instance)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        data = validate_or_404(serializer)
        with conflicts():
            instance = type(self).update_service(
                user=request.user, **{self.instance_arg: instance}, **data
            )
        return Response(self.get_serializer(self._fresh(instance)).data)


class CategoryViewSet(_CatalogueWrite, _ReadOnly):
    """Product categories (the catalogue is global: every role reads it; head office
    creates and changes them)."""

    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer
    selector = staticmethod(selectors.category_list)
    ordering_fields = ["code", "name"]
    create_service = staticmethod(services.category_create)
    update_service = staticmethod(services.category_update)
    instance_arg = "category"


class ProductViewSet(_CatalogueWrite, _ReadOnly):
    """The catalogue; filter by category and active, search by SKU, barcode or name.
    Head office creates and changes products; a product is never deleted (set
    ``active`` to false). Supplier terms: ``POST …/supplier-terms/``."""

    queryset = Product.objects.all()
    serializer_class = s.ProductSerializer
    filterset_class = ProductFilterSet
    selector = staticmethod(selectors.product_list)
    ordering_fields = ["sku", "name", "retail_price"]
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    instance_arg = "product"
    action_roles = {**_CatalogueWrite.action_roles, "supplier_terms": CATALOGUE_WRITERS}
    conflict_actions = _CatalogueWrite.conflict_actions | {"supplier_terms"}

    def get_serializer_class(self):
        if self.action in ("retrieve", "supplier_terms"):
            return s.ProductDetailSerializer
        return s.ProductSerializer

    def get_queryset(self):
        if self.action in ("retrieve", "supplier_terms"):
            return selectors.product_list(user=self.request.user).prefetch_related(
                "supplier_terms__supplier"
            )
        return super().get_queryset()

    @extend_schema(request=s.ProductSupplierSerializer, responses=s.ProductDetailSerializer)
    @action(detail=True, methods=["post"], url_path="supplier-terms")
    def supplier_terms(self, request, pk=None):
        """Create or change one supplier's terms for the product (``preferred`` makes the
        product's other terms not preferred)."""
        product = self.get_object()
        data = dict(validate_or_404(s.ProductSupplierSerializer(data=request.data)))
        supplier = data.pop("supplier")
        with conflicts():
            services.product_supplier_set(
                user=request.user, product=product, supplier=supplier, **data
            )
        fresh = self.get_queryset().get(pk=product.pk)
        return Response(s.ProductDetailSerializer(fresh).data)


class SupplierViewSet(_CatalogueWrite, _ReadOnly):
    """Suppliers: every role reads them; head office creates and changes them (set
    ``active`` to false rather than delete)."""

    queryset = Supplier.objects.all()
    serializer_class = s.SupplierSerializer
    filterset_class = SupplierFilterSet
    selector = staticmethod(selectors.supplier_list)
    ordering_fields = ["code", "name", "lead_time_days"]
    create_service = staticmethod(services.supplier_create)
    update_service = staticmethod(services.supplier_update)
    instance_arg = "supplier"


class StockLevelViewSet(_ReadOnly):
    """Stock on hand per store and product in your scope."""

    queryset = StockLevel.objects.all()
    serializer_class = s.StockLevelSerializer
    filterset_class = StockLevelFilterSet
    selector = staticmethod(selectors.stock_level_list)
    ordering_fields = ["on_hand", "avg_cost", "last_counted_at"]


class StockMovementViewSet(_ReadOnly):
    """The stock ledger (append-only) of the stores in your scope."""

    queryset = StockMovement.objects.all()
    serializer_class = s.StockMovementSerializer
    filterset_class = StockMovementFilterSet
    selector = staticmethod(selectors.stock_movement_list)
    ordering_fields = ["id", "business_date"]


class PurchaseOrderViewSet(_ReadOnly, mixins.CreateModelMixin):
    queryset = PurchaseOrder.objects.all()
    serializer_class = s.PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilterSet
    selector = staticmethod(selectors.purchase_order_list)
    action_roles = dict.fromkeys(["create", "submit", "cancel", "receive"], STOCK_WRITERS)
    conflict_actions = frozenset(action_roles)
    ordering_fields = ["created_at", "submitted_at", "received_at"]

    def get_queryset(self):
        if self.action != "list":
            return selectors.purchase_order_list(user=self.request.user).prefetch_related(
                "lines__product"
            )
        return super().get_queryset()

    def get_serializer_class(self):
        return (
            s.PurchaseOrderSerializer if self.action == "list" else s.PurchaseOrderDetailSerializer
        )

    def _detail(self, order, code=status.HTTP_200_OK):
        fresh = selectors.purchase_order_get(user=self.request.user, pk=order.pk)
        return Response(s.PurchaseOrderDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.PurchaseOrderCreateSerializer, responses=s.PurchaseOrderDetailSerializer
    )
    def create(self, request, *args, **kwargs):
        data = _valid(s.PurchaseOrderCreateSerializer, request)
        supplier = get_object_or_404(Supplier.objects.visible_to(request.user), pk=data["supplier"])
        store = _store(request, data["store"])
        with conflicts():
            order = services.purchase_order_create(
                user=request.user,
                store=store,
                supplier=supplier,
                lines=_lines(data["lines"]),
                note=data.get("note", ""),
                expected_date=data.get("expected_date"),
            )
        return self._detail(order, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.PurchaseOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        order = self.get_object()
        with conflicts():
            services.purchase_order_submit(user=request.user, purchase_order=order)
        return self._detail(order)

    @extend_schema(request=None, responses=s.PurchaseOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        with conflicts():
            services.purchase_order_cancel(user=request.user, purchase_order=order)
        return self._detail(order)

    @extend_schema(request=s.ReceiveSerializer, responses=s.PurchaseOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        order = self.get_object()
        data = _valid(s.ReceiveSerializer, request)
        with conflicts():
            services.purchase_order_receive(
                user=request.user,
                purchase_order=order,
                lines=_lines(data["lines"]),
                reference=data.get("reference", ""),
            )
        return self._detail(order)


class TransferViewSet(_ReadOnly, mixins.CreateModelMixin):
    queryset = Transfer.objects.all()
    serializer_class = s.TransferSerializer
    filterset_class = TransferFilterSet
    selector = staticmethod(selectors.transfer_list)
    action_roles = {
        **dict.fromkeys(["create", "cancel", "ship", "receive"], STOCK_WRITERS),
        "approve": TRANSFER_APPROVERS,
    }
    conflict_actions = frozenset(action_roles)
    ordering_fields = ["requested_at", "approved_at", "received_at"]

    def get_queryset(self):
        if self.action != "list":
            return selectors.transfer_list(user=self.request.user).prefetch_related(
                "lines__product"
            )
        return super().get_queryset()

    def get_serializer_class(self):
        return s.TransferSerializer if self.action == "list" else s.TransferDetailSerializer

    def _detail(self, transfer, code=status.HTTP_200_OK):
        fresh = selectors.transfer_get(user=self.request.user, pk=transfer.pk)
        return Response(s.TransferDetailSerializer(fresh).data, status=code)

    @extend_schema(request=s.TransferCreateSerializer, responses=s.TransferDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(s.TransferCreateSerializer, request)
        source = _any_store(data["source_store"])
        destination = _any_store(data["destination_store"])
        with conflicts():
            transfer = services.transfer_request(
                user=request.user,
                source_store=source,
                destination_store=destination,
                lines=_lines(data["lines"]),
                note=data.get("note", ""),
            )
        return self._detail(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        transfer = self.get_object()
        with conflicts():
            services.transfer_approve(user=request.user, transfer=transfer)
        return self._detail(transfer)

    @extend_schema(request=None, responses=s.TransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        transfer = self.get_object()
        with conflicts():
            services.transfer_cancel(user=request.user, transfer=transfer)
        return self._detail(transfer)

    @extend_schema(request=s.QuantitiesSerializer, responses=s.TransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        transfer = self.get_object()
        data = _valid(s.QuantitiesSerializer, request)
        with conflicts():
            services.transfer_ship(
                user=request.user, transfer=transfer, quantities=data.get("quantities")
            )
        return self._detail(transfer)

    @extend_schema(request=s.QuantitiesSerializer, responses=s.TransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        transfer = self.get_object()
        data = _valid(s.QuantitiesSerializer, request)
        with conflicts():
            services.transfer_receive(
                user=request.user, transfer=transfer, quantities=data.get("quantities")
            )
        return self._detail(transfer)


class StockCountViewSet(_ReadOnly, mixins.CreateModelMixin):
    """Stock counts. While a blind count is counted, expected quantities are null."""

    queryset = StockCount.objects.all()
    serializer_class = s.StockCountSerializer
    filterset_class = StockCountFilterSet
    selector = staticmethod(selectors.stock_count_list)
    action_roles = {
        **dict.fromkeys(["create", "approve", "post_count"], STOCK_WRITERS),
        **dict.fromkeys(["count_line", "submit"], COUNTERS),
    }
    conflict_actions = frozenset(action_roles)
    ordering_fields = ["created_at", "posted_at"]

    def get_queryset(self):
        if self.action != "list":
            return selectors.stock_count_list(user=self.request.user).prefetch_related(
                "lines__product"
            )
        return super().get_queryset()

    def get_serializer_class(self):
        return s.StockCountSerializer if self.action == "list" else s.StockCountDetailSerializer

    def _detail(self, count, code=status.HTTP_200_OK):
        fresh = selectors.stock_count_get(user=self.request.user, pk=count.pk)
        return Response(s.StockCountDetailSerializer(fresh).data, status=code)

    @extend_schema(request=s.StockCountCreateSerializer, responses=s.StockCountDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(s.StockCountCreateSerializer, request)
        category = None
        if data.get("category") is not None:
            category = get_object_or_404(
                Category.objects.visible_to(request.user), pk=data["category"]
            )
        store = _store(request, data["store"])
        with conflicts():
            count = services.stock_count_create(
                user=request.user, store=store, category=category, blind=data["blind"]
            )
        return self._detail(count, status.HTTP_201_CREATED)

    @extend_schema(request=s.CountLineSetSerializer, responses=s.StockCountLineSerializer)
    @action(detail=True, methods=["post"], url_path="count-line")
    def count_line(self, request, pk=None):
        count = self.get_object()
        data = _valid(s.CountLineSetSerializer, request)
        line = get_object_or_404(count.lines.all(), pk=data["line"])
        with conflicts():
            line = services.stock_count_line_set(
                user=request.user, line=line, quantity=data["quantity"]
            )
        return Response(s.StockCountLineSerializer(line, context={"count": line.count}).data)

    @extend_schema(request=None, responses=s.StockCountDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        count = self.get_object()
        with conflicts():
            services.stock_count_submit(user=request.user, count=count)
        return self._detail(count)

    @extend_schema(request=None, responses=s.StockCountDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        count = self.get_object()
        with conflicts():
            services.stock_count_approve(user=request.user, count=count)
        return self._detail(count)

    @extend_schema(request=None, responses=s.StockCountDetailSerializer)
    @action(detail=True, methods=["post"], url_path="post")
    def post_count(self, request, pk=None):
        count = self.get_object()
        with conflicts():
            services.stock_count_post(user=request.user, count=count)
        return self._detail(count)


def _valid(serializer_class, request) -> dict:
    return validate_or_404(serializer_class(data=request.data))
