"""Presentation only: the rules are in the services.

Inputs are JSON and typed strictly (``opsdesk.platform.api.fields``): a number where a text is
expected, ``"yes"`` for a boolean or a JSON number for an amount is refused (400), as the
schema says; so are amounts and discounts outside the bounds the schema's patterns show.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsdesk.platform.api.fields import (
    PatternField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictIntegerField,
    positive_decimal_pattern,
)

from ..models import (
    DailySales,
    ImportBatch,
    Method,
    MonthTarget,
    Promotion,
    Receipt,
    RegionTarget,
    SalesLine,
    StoreTarget,
)
from ..selectors import store_attainment
from ..services.daily import MAX_FOOTFALL

MONEY = {"max_digits": 14, "decimal_places": 2}


class SalesLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesLine
        fields = [
            "line_number",
            "sku",
            "product",
            "quantity",
            "unit_price",
            "discount",
            "net_amount",
        ]


class ReceiptSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    total = serializers.DecimalField(read_only=True, **MONEY)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "store",
            "store_code",
            "business_date",
            "sold_at",
            "receipt_number",
            "till",
            "cashier",
            "source",
            "batch",
            "total",
            "line_count",
        ]


class ReceiptDetailSerializer(ReceiptSerializer):
    lines = SalesLineSerializer(many=True, read_only=True)

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "lines"]


class LineInSerializer(serializers.Serializer):
    line_number = StrictIntegerField(min_value=1, max_value=1_000_000)
    sku = StrictCharField(max_length=32)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(**MONEY)
    discount = serializers.DecimalField(required=False, default="0", **MONEY)
    net_amount = serializers.DecimalField(**MONEY)
    is_return = StrictBooleanField(
        required=False, default=False, help_text="Required with a negative quantity."
    )


class ReceiptInSerializer(serializers.Serializer):
    store = StrictCharField(max_length=16, help_text="The store's code.")
    receipt_number = StrictCharField(max_length=64)
    sold_at = StrictCharField(
        max_length=40, help_text="ISO date and time; without an offset, the store's local time."
    )
    business_date = serializers.DateField(
        required=False, help_text="Default: the store's local date of sold_at."
    )
    till = StrictCharField(max_length=32, required=False, allow_blank=True)
    cashier = StrictCharField(max_length=100, required=False, allow_blank=True)
    lines = LineInSerializer(many=True, allow_empty=False)


class BulkReceiptsSerializer(serializers.Serializer):
    receipts = ReceiptInSerializer(many=True, allow_empty=False, max_length=5000)


class BulkResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    receipts_created = serializers.IntegerField()
    lines_created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Lines of receipts that already existed.")


class DailySalesSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)

    class Meta:
        model = DailySales
        fields = [
            "id",
            "store",
            "store_code",
            "business_date",
            "net_sales",
            "transactions",
            "units",
            "returns_value",
            "footfall",
        ]


class FootfallSerializer(serializers.Serializer):
    store = StrictIntegerField(help_text="Store id.")
    business_date = serializers.DateField(help_text="The store's today or earlier (else 409).")
    footfall = StrictIntegerField(
        min_value=0, max_value=MAX_FOOTFALL, help_text="Visitors counted that day."
    )


class RegionTargetSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = RegionTarget
        fields = ["region", "region_code", "amount"]


class MonthTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthTarget
        fields = ["id", "month", "amount", "method", "locked", "updated_at"]
        read_only_fields = ["locked", "updated_at"]


FIRST_OF_MONTH = r"^[0-9]{4}-[0-9]{2}-01$"


@extend_schema_field(
    {"type": "string", "format": "date", "pattern": FIRST_OF_MONTH, "example": "2026-11-01"}
)
class MonthField(serializers.DateField):
    """A month as its first day (YYYY-MM-01)."""

    def to_internal_value(self, value):
        month = super().to_internal_value(value)
        if month.day != 1:
            raise serializers.ValidationError(_("Enter the first day of the month."))
        return month


class MonthTargetSetSerializer(serializers.Serializer):
    month = MonthField(help_text="The first day of the month.")
    amount = PatternField(
        pattern=positive_decimal_pattern(12, 2),
        message=_("Enter an amount above zero, with at most 2 decimals."),
        example="250000.00",
    )
    method = serializers.ChoiceField(choices=Method.choices, default=Method.LAST_YEAR)


class AmountsSerializer(serializers.Serializer):
    amounts = serializers.DictField(
        child=StrictDecimalField(min_value=Decimal(0), **MONEY),
        allow_empty=False,
        help_text="Region (or store) id → new amount; they must add up to the parent's total, "
        "and name only the target's regions (stores): else 409.",
    )
    region = StrictIntegerField(
        required=False, help_text="For stores: the region whose stores change."
    )


class StoreAmountsSerializer(AmountsSerializer):
    """Moving target between a region's stores: the region is required (the schema says
    so, rather than a 400 for a body it calls valid)."""

    region = StrictIntegerField(help_text="The region whose stores change.")


class LockSerializer(serializers.Serializer):
    locked = StrictBooleanField(default=True)


class StoreTargetSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    month = serializers.DateField(source="month_target.month", read_only=True)

    class Meta:
        model = StoreTarget
        fields = ["id", "month", "store", "store_code", "amount"]


class AttainmentSerializer(serializers.Serializer):
    store = serializers.IntegerField(source="pk")
    store_code = serializers.CharField(source="code")
    region = serializers.IntegerField(source="region_id")
    mtd_sales = serializers.SerializerMethodField()
    mtd_target = serializers.SerializerMethodField()
    month_target = serializers.SerializerMethodField()
    attainment = serializers.SerializerMethodField()
    projection = serializers.SerializerMethodField()
    pacing = serializers.SerializerMethodField()

    def _figures(self, store):
        return store_attainment(store, self.context["date"])

    def _money(self, value):
        return None if value is None else f"{value:.2f}"

    def _ratio(self, value):
        return None if value is None else f"{value:.4f}"

    def get_mtd_sales(self, store) -> str:
        return self._money(self._figures(store).mtd_sales)

    def get_mtd_target(self, store) -> str | None:
        return self._money(self._figures(store).mtd_target)

    def get_month_target(self, store) -> str | None:
        return self._money(self._figures(store).month_target)

    def get_attainment(self, store) -> str | None:
        return self._ratio(self._figures(store).attainment)

    def get_projection(self, store) -> str:
        return self._money(self._figures(store).projection)

    def get_pacing(self, store) -> str | None:
        return self._ratio(self._figures(store).pacing)


class PromotionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promotion
        fields = ["id", "name", "start_date", "end_date", "discount_pct", "stores", "products"]


class PromotionWriteSerializer(serializers.Serializer):
    """The shape of a promotion create or update. A store or product that does not exist
    (or a store outside your scope) is a 404; the service's rules across the fields and
    the stored promotions (the last day not before the first, at most a year, a product
    on one promotion per store and day) are a 409."""

    name = StrictCharField(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    discount_pct = PatternField(
        # Above 0 and below 100, at most 2 decimals: 1 or 2 whole digits.
        pattern=positive_decimal_pattern(2, 2),
        message=_("A discount between 0 and 100 %, at most 2 decimals."),
        example="15.00",
        help_text="Between 0 and 100 (exclusive).",
    )
    stores = serializers.ListField(
        child=StrictIntegerField(min_value=1), allow_empty=False, help_text="Store ids."
    )
    products = serializers.ListField(
        child=StrictIntegerField(min_value=1), allow_empty=False, help_text="Product ids."
    )


class UpliftSerializer(serializers.Serializer):
    promo_days = serializers.IntegerField()
    promo_sales = serializers.DecimalField(**MONEY)
    baseline_sales = serializers.DecimalField(**MONEY)
    uplift = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "channel",
            "file_name",
            "status",
            "mode",
            "encoding",
            "rows_total",
            "rows_done",
            "receipts_created",
            "lines_created",
            "duplicates",
            "error_count",
            "errors",
            "created_at",
            "finished_at",
        ]
