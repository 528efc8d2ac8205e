"""Sales API: thin viewsets over the selectors (reads) and services (writes).

Bodies are JSON. The serializers check the input (400); a store, region or product named
that does not exist or is out of scope is a 404; what the services still refuse depends
on the stored records (a locked target, amounts that must add up to the parent's, an
overlapping promotion): a 409, declared on the actions in ``conflict_actions``.
"""

import datetime
import re

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from inventory.models import Product
from opsdesk.platform.api.exceptions import Conflict, conflicts
from opsdesk.platform.roles import ALL_ROLES
from stores.access import ScopedAPIMixin, ensure_role
from stores.models import Region, Store

from .. import selectors, services
from ..filters import (
    AttainmentFilterSet,
    DailySalesFilterSet,
    ImportBatchFilterSet,
    MonthTargetFilterSet,
    PromotionFilterSet,
    ReceiptFilterSet,
    StoreTargetFilterSet,
)
from ..models import DailySales, ImportBatch, MonthTarget, Promotion, Receipt, StoreTarget
from ..rules import FOOTFALL_RECORDERS, IMPORTERS, PROMOTERS, TARGET_ADJUSTERS, TARGET_SETTERS
from . import serializers as s


class _ReadOnly(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Reads for every role; write actions name their roles in ``action_roles`` (403
    before any lookup)."""

    action_roles: dict = {}
    default_roles = ALL_ROLES
    parser_classes = [JSONParser]
    conflict_actions: frozenset = frozenset()

    @property
    def allowed_roles(self):
        return self.action_roles.get(getattr(self, "action", None), self.default_roles)


class ReceiptViewSet(_ReadOnly):
    """POS receipts in your scope; ``bulk`` takes receipts from POS integrations."""

    queryset = Receipt.objects.all()
    serializer_class = s.ReceiptSerializer
    filterset_class = ReceiptFilterSet
    ordering_fields = ["business_date", "sold_at", "receipt_number"]
    selector = staticmethod(selectors.receipt_list)
    action_roles = {"bulk": IMPORTERS}
    conflict_actions = frozenset(["bulk"])

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ReceiptDetailSerializer
        if self.action == "bulk":
            return s.BulkReceiptsSerializer
        return s.ReceiptSerializer

    @extend_schema(request=s.BulkReceiptsSerializer, responses={201: s.BulkResultSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """All or nothing: a malformed body answers 400; a line the import refuses (an
        unknown store code or SKU, amounts that do not add up, …) 409 with every error;
        either way nothing is written. Receipts already imported (same store, number and
        business date) are skipped."""
        ensure_role(request.user, IMPORTERS)
        body = s.BulkReceiptsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        receipts = [
            {
                **receipt,
                "lines": [dict(line) for line in receipt["lines"]],
                "business_date": receipt.get("business_date"),
            }
            for receipt in request.data.get("receipts", [])
        ]
        result = services.receipts_bulk_import(user=request.user, receipts=receipts)
        if result.error_count:  # the body was well formed: the records refuse it
            raise Conflict(
                {
                    "non_field_errors": [f"{e.row} {e.column}: {e.message}" for e in result.errors],
                }
            )
        return Response(
            s.BulkResultSerializer(result).data,
            status=status.HTTP_201_CREATED,
        )


class DailySalesViewSet(_ReadOnly):
    """Net sales, transactions, units, returns and footfall per store and business date."""

    queryset = DailySales.objects.all()
    serializer_class = s.DailySalesSerializer
    filterset_class = DailySalesFilterSet
    ordering_fields = ["business_date", "net_sales"]
    selector = staticmethod(selectors.daily_sales_list)
    action_roles = {"footfall": FOOTFALL_RECORDERS}
    conflict_actions = frozenset(["footfall"])

    @extend_schema(request=s.FootfallSerializer, responses=s.DailySalesSerializer)
    @action(detail=False, methods=["post"])
    def footfall(self, request):
        """Record (or correct) a store's footfall for a business date, up to its today."""
        body = s.FootfallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        store = get_object_or_404(
            Store.objects.visible_to(request.user), pk=body.validated_data["store"]
        )
        with conflicts():  # a date after the store's today
            row = services.daily_footfall_record(
                user=request.user,
                store=store,
                business_date=body.validated_data["business_date"],
                footfall=body.validated_data["footfall"],
            )
        row = selectors.daily_sales_list(user=request.user).get(pk=row.pk)
        return Response(s.DailySalesSerializer(row).data)


class MonthTargetViewSet(mixins.CreateModelMixin, _ReadOnly):
    """The chain's month targets. POST sets (or resets) one and splits it; ``lock``,
    ``regions`` (head office) and ``stores`` (regional ops) adjust it."""

    queryset = MonthTarget.objects.all()
    serializer_class = s.MonthTargetSerializer
    filterset_class = MonthTargetFilterSet
    selector = staticmethod(selectors.month_target_list)
    action_roles = {
        "create": TARGET_SETTERS,
        "lock": TARGET_SETTERS,
        "regions": TARGET_SETTERS,
        "stores": TARGET_ADJUSTERS,
    }
    conflict_actions = frozenset(action_roles)

    def get_serializer_class(self):
        return {
            "create": s.MonthTargetSetSerializer,
            "lock": s.LockSerializer,
            "regions": s.AmountsSerializer,
            "stores": s.StoreAmountsSerializer,
        }.get(self.action, s.MonthTargetSerializer)

    @extend_schema(request=s.MonthTargetSetSerializer, responses={201: s.MonthTargetSerializer})
    def create(self, request, *args, **kwargs):
        body = s.MonthTargetSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with conflicts():  # a locked month, no open store
            target = services.month_target_set(user=request.user, **body.validated_data)
        return Response(s.MonthTargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LockSerializer, responses=s.MonthTargetSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        target = self.get_object()
        body = s.LockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with conflicts():
            target = services.month_target_lock(
                user=request.user, target=target, locked=body.validated_data["locked"]
            )
        return Response(s.MonthTargetSerializer(target).data)

    @extend_schema(request=s.AmountsSerializer, responses=s.RegionTargetSerializer(many=True))
    @action(detail=True, methods=["post"])
    def regions(self, request, pk=None):
        target = self.get_object()
        body = s.AmountsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with conflicts():  # locked, a region not in the target, not adding up
            rows = services.region_targets_adjust(
                user=request.user, target=target, amounts=_int_keys(body.validated_data["amounts"])
            )
        return Response(s.RegionTargetSerializer(rows, many=True).data)

    @extend_schema(request=s.StoreAmountsSerializer, responses=s.StoreTargetSerializer(many=True))
    @action(detail=True, methods=["post"])
    def stores(self, request, pk=None):
        target = self.get_object()
        body = s.StoreAmountsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        region = get_object_or_404(
            Region.objects.visible_to(request.user), pk=body.validated_data["region"]
        )
        with conflicts():  # locked, a store not in the region's target, not adding up
            rows = services.store_targets_adjust(
                user=request.user,
                target=target,
                region=region,
                amounts=_int_keys(body.validated_data["amounts"]),
            )
        return Response(s.StoreTargetSerializer(rows, many=True).data)


def _int_keys(amounts: dict) -> dict:
    """Ids as numbers; a key that is not one names no region or store of the target, and
    the service refuses it like an unknown id (409)."""
    return {int(k) if k.isascii() and k.isdigit() else k: v for k, v in amounts.items()}


class StoreTargetViewSet(_ReadOnly):
    """Each store's month target (its day split is on the store's pages)."""

    queryset = StoreTarget.objects.all()
    serializer_class = s.StoreTargetSerializer
    filterset_class = StoreTargetFilterSet
    selector = staticmethod(selectors.store_target_list)


def _date_param(request) -> datetime.date:
    raw = request.query_params.get("date")
    if raw is None:
        return timezone.localdate()
    try:  # YYYY-MM-DD only, as the schema's "date" (fromisoformat also reads "20261122")
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"date": ["Enter a date as YYYY-MM-DD."]}) from None


@extend_schema(
    parameters=[
        OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today."),
    ]
)
class AttainmentViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Month-to-date attainment and pacing of each store in your scope, on ``date``."""

    queryset = Store.objects.all()
    serializer_class = s.AttainmentSerializer
    filterset_class = AttainmentFilterSet

    def get_queryset(self):
        self.date = _date_param(self.request)
        return selectors.attainment_list(user=self.request.user, date=self.date)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["date"] = getattr(self, "date", None) or timezone.localdate()
        return context


class PromotionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, _ReadOnly):
    """Promotions reaching a store in your scope (only those stores are listed);
    ``uplift`` against their baseline. Head office creates and edits them: a product may
    be on one promotion per store and day."""

    queryset = Promotion.objects.all()
    serializer_class = s.PromotionSerializer
    filterset_class = PromotionFilterSet
    selector = staticmethod(selectors.promotion_list)
    action_roles = {"create": PROMOTERS, "update": PROMOTERS, "partial_update": PROMOTERS}
    conflict_actions = frozenset(action_roles)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.PromotionWriteSerializer
        return s.PromotionSerializer

    def _saved(self, request, promotion, status_code):
        promotion = selectors.promotion_get(user=request.user, pk=promotion.pk)
        return Response(s.PromotionSerializer(promotion).data, status=status_code)

    @extend_schema(request=s.PromotionWriteSerializer, responses={201: s.PromotionSerializer})
    def create(self, request, *args, **kwargs):
        body = s.PromotionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _known_records(request, body.validated_data)
        with conflicts():
            promotion = services.promotion_create(user=request.user, **_promotion_kwargs(body))
        return self._saved(request, promotion, status.HTTP_201_CREATED)

    @extend_schema(request=s.PromotionWriteSerializer, responses=s.PromotionSerializer)
    def update(self, request, *args, **kwargs):
        promotion = self.get_object()
        partial = kwargs.get("partial", False)
        body = s.PromotionWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        current = {
            "name": promotion.name,
            "start_date": promotion.start_date,
            "end_date": promotion.end_date,
            "discount_pct": promotion.discount_pct,
            "stores": list(
                promotion.stores.through.objects.filter(promotion=promotion).values_list(
                    "store_id", flat=True
                )
            ),
            "products": list(
                promotion.products.through.objects.filter(promotion=promotion).values_list(
                    "product_id", flat=True
                )
            ),
        }
        body.validated_data.update(
            {k: v for k, v in current.items() if k not in body.validated_data}
        )
        _known_records(request, body.validated_data)
        with conflicts():
            promotion = services.promotion_update(
                user=request.user, promotion=promotion, **_promotion_kwargs(body)
            )
        return self._saved(request, promotion, status.HTTP_200_OK)

    @extend_schema(responses=s.UpliftSerializer)
    @action(detail=True, methods=["get"])
    def uplift(self, request, pk=None):
        figures = selectors.promotion_uplift(user=request.user, promotion=self.get_object())
        return Response(
            s.UpliftSerializer(
                {
                    "promo_days": figures.promo_days,
                    "promo_sales": figures.promo_sales,
                    "baseline_sales": figures.baseline_sales,
                    "uplift": figures.uplift,
                }
            ).data
        )


def _known_records(request, data) -> None:
    """Stores (in your scope) and products named in the body exist, else 404."""
    stores = set(data.get("stores", ()))
    if len(Store.objects.visible_to(request.user).filter(pk__in=stores)) != len(stores):
        raise NotFound(_("No such store."))
    products = set(data.get("products", ()))
    if Product.objects.filter(pk__in=products).count() != len(products):
        raise NotFound(_("No such product."))


def _promotion_kwargs(body) -> dict:
    data = body.validated_data
    return {
        "name": data["name"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "discount_pct": data["discount_pct"],
        "store_ids": data["stores"],
        "product_ids": data["products"],
    }


class ImportBatchViewSet(_ReadOnly):
    """Your POS imports (head office: all), with their progress and first errors."""

    queryset = ImportBatch.objects.all()
    serializer_class = s.ImportBatchSerializer
    filterset_class = ImportBatchFilterSet
    selector = staticmethod(selectors.import_batch_list)
    default_roles = IMPORTERS
