"""Presentation only: the rules are in the services.

Inputs are JSON and typed strictly (``opsdesk.platform.api.fields``): a number where a text is
expected, ``"yes"`` for a boolean or ``1e3`` for a decimal is refused (400), as the schema
says. Quantities and costs in document lines are decimal strings checked here against the
pattern the schema shows; what the services still refuse depends on the records (a product
not in the catalogue or not on the order, more than is outstanding): a 409.
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
    StrictModelSerializer,
    decimal_pattern,
    positive_decimal_pattern,
)

from ..models import (
    Category,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Supplier,
    Transfer,
    TransferLine,
)

QTY = {"max_digits": 12, "decimal_places": 3}


class CategorySerializer(StrictModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_zh", "product_count"]


class ProductSupplierSerializer(StrictModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)

    class Meta:
        model = ProductSupplier
        fields = [
            "supplier",
            "supplier_code",
            "supplier_sku",
            "unit_cost",
            "pack_size",
            "min_order_quantity",
            "lead_time_days",
            "preferred",
        ]
        # The table's check constraints, checked here so that they are a 400 (and shown).
        extra_kwargs = {
            "unit_cost": {"min_value": Decimal(0)},
            "min_order_quantity": {"min_value": Decimal(0)},
            "pack_size": {"min_value": 1},
        }


class ProductSerializer(StrictModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "barcode",
            "name",
            "name_zh",
            "category",
            "category_code",
            "unit",
            "cost",
            "retail_price",
            "active",
        ]


class ProductDetailSerializer(ProductSerializer):
    supplier_terms = ProductSupplierSerializer(many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "supplier_terms"]


class SupplierSerializer(StrictModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "lead_time_days",
            "min_order_value",
            "contact_name",
            "contact_email",
            "contact_phone",
            "active",
            "product_count",
        ]
        extra_kwargs = {"min_order_value": {"min_value": Decimal(0)}}


class StockLevelSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    value = serializers.DecimalField(
        source="value_at_cost", max_digits=24, decimal_places=7, read_only=True
    )

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "store",
            "store_code",
            "product",
            "sku",
            "product_name",
            "on_hand",
            "avg_cost",
            "value",
            "last_counted_at",
        ]


class StockMovementSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "store",
            "store_code",
            "product",
            "sku",
            "kind",
            "quantity",
            "unit_cost",
            "on_hand_after",
            "avg_cost_after",
            "reference",
            "reason",
            "created_by",
            "created_at",
            "business_date",
        ]


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    outstanding = serializers.DecimalField(read_only=True, **QTY)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "sku",
            "quantity_ordered",
            "quantity_received",
            "outstanding",
            "unit_cost",
        ]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    store_code = serializers.CharField(source="store.code", read_only=True)
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(max_digits=24, decimal_places=7, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "store",
            "store_code",
            "supplier",
            "supplier_code",
            "status",
            "note",
            "expected_date",
            "created_at",
            "submitted_at",
            "received_at",
            "cancelled_at",
            "line_count",
            "total",
        ]


class PurchaseOrderDetailSerializer(PurchaseOrderSerializer):
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta(PurchaseOrderSerializer.Meta):
        fields = [*PurchaseOrderSerializer.Meta.fields, "lines"]


# A quantity greater than zero (or also zero) with at most 3 decimals, below 1e9: the numbers
# ``inventory.services._lines.parse_quantity`` takes, as decimal strings.
POSITIVE_QUANTITY = positive_decimal_pattern(9, 3)
QUANTITY = decimal_pattern(9, 3, signed=False)


def PositiveQuantityField(**kwargs):
    return PatternField(
        pattern=POSITIVE_QUANTITY,
        message=_("Enter a quantity greater than zero, with at most 3 decimals."),
        example="2",
        **kwargs,
    )


def ZeroOrMoreQuantityField(**kwargs):
    return PatternField(
        pattern=QUANTITY,
        message=_("Enter a quantity of zero or more, with at most 3 decimals."),
        example="0",
        **kwargs,
    )


def _unit_cost(**kwargs):
    # The order line's cost column: 12 digits, 4 decimals, not negative.
    return StrictDecimalField(max_digits=12, decimal_places=4, min_value=Decimal(0), **kwargs)


PRODUCT_HELP = "Product id, SKU or barcode."


class OrderLineInputSerializer(serializers.Serializer):
    product = StrictCharField(max_length=64, help_text=PRODUCT_HELP)
    quantity = PositiveQuantityField()
    unit_cost = _unit_cost(
        required=False, allow_null=True, help_text="Default: the supplier's terms, else the cost."
    )


class TransferLineInputSerializer(serializers.Serializer):
    product = StrictCharField(max_length=64, help_text=PRODUCT_HELP)
    quantity = PositiveQuantityField()


class ReceiveLineInputSerializer(serializers.Serializer):
    """One received quantity, for a line of the order named by its id or its product."""

    line = StrictIntegerField(required=False, help_text="A line id of the order.")
    product = StrictCharField(
        max_length=64, required=False, help_text=f"{PRODUCT_HELP} (instead of ``line``)"
    )
    quantity = PositiveQuantityField()

    def validate(self, attrs):
        if ("line" in attrs) == ("product" in attrs):
            raise serializers.ValidationError(_("Name either the line or the product."))
        return attrs

    @staticmethod
    def schema_rules(*, partial: bool) -> dict:
        """``line`` or ``product``, not both (``validate()``)."""
        return {"oneOf": [{"required": ["line"]}, {"required": ["product"]}]}


class PurchaseOrderCreateSerializer(serializers.Serializer):
    store = StrictIntegerField()
    supplier = StrictIntegerField()
    note = StrictCharField(required=False, allow_blank=True, max_length=200)
    expected_date = serializers.DateField(required=False, allow_null=True)
    lines = OrderLineInputSerializer(many=True, allow_empty=False)


class ReceiveSerializer(serializers.Serializer):
    lines = ReceiveLineInputSerializer(many=True, allow_empty=False)
    reference = StrictCharField(required=False, allow_blank=True, max_length=64)


class TransferLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    difference = serializers.DecimalField(read_only=True, allow_null=True, **QTY)

    class Meta:
        model = TransferLine
        fields = [
            "id",
            "product",
            "sku",
            "quantity_requested",
            "quantity_shipped",
            "quantity_received",
            "difference",
            "unit_cost",
        ]


class TransferSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    source_code = serializers.CharField(source="source_store.code", read_only=True)
    destination_code = serializers.CharField(source="destination_store.code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "number",
            "source_store",
            "source_code",
            "destination_store",
            "destination_code",
            "status",
            "note",
            "requested_at",
            "approved_at",
            "shipped_at",
            "received_at",
            "line_count",
        ]


class TransferDetailSerializer(TransferSerializer):
    lines = TransferLineSerializer(many=True, read_only=True)

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "lines"]


class TransferCreateSerializer(serializers.Serializer):
    source_store = StrictIntegerField()
    destination_store = StrictIntegerField()
    note = StrictCharField(required=False, allow_blank=True, max_length=200)
    lines = TransferLineInputSerializer(many=True, allow_empty=False)


class QuantitiesSerializer(serializers.Serializer):
    quantities = serializers.DictField(
        child=ZeroOrMoreQuantityField(),
        required=False,
        help_text="{line id: quantity} (default: every line's full quantity); a key that "
        "is not a line of the transfer is refused with 409, like a quantity above the line's.",
    )


class StockCountLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    barcode = serializers.CharField(source="product.barcode", read_only=True)
    expected_quantity = serializers.SerializerMethodField()
    variance = serializers.SerializerMethodField()

    class Meta:
        model = StockCountLine
        fields = [
            "id",
            "product",
            "sku",
            "barcode",
            "expected_quantity",
            "counted_quantity",
            "first_count",
            "recount_required",
            "variance",
            "unit_cost",
            "counted_at",
        ]

    def _hidden(self, line) -> bool:
        count = self.context.get("count") or line.count
        return count.expected_hidden

    @extend_schema_field(serializers.DecimalField(allow_null=True, **QTY))
    def get_expected_quantity(self, line):
        """Hidden (null) while a blind count is being counted."""
        return None if self._hidden(line) else str(line.expected_quantity)

    @extend_schema_field(serializers.DecimalField(allow_null=True, **QTY))
    def get_variance(self, line):
        if self._hidden(line) or line.variance is None:
            return None
        return str(line.variance)


class StockCountSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    store_code = serializers.CharField(source="store.code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    counted_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockCount
        fields = [
            "id",
            "number",
            "store",
            "store_code",
            "category",
            "status",
            "blind",
            "created_at",
            "submitted_at",
            "approved_at",
            "posted_at",
            "line_count",
            "counted_count",
        ]


class StockCountDetailSerializer(StockCountSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(StockCountSerializer.Meta):
        fields = [*StockCountSerializer.Meta.fields, "lines"]

    @extend_schema_field(StockCountLineSerializer(many=True))
    def get_lines(self, count):
        return StockCountLineSerializer(
            count.lines.all(), many=True, context={**self.context, "count": count}
        ).data


class StockCountCreateSerializer(serializers.Serializer):
    store = StrictIntegerField()
    category = StrictIntegerField(required=False, allow_null=True)
    blind = StrictBooleanField(default=True)


class CountLineSetSerializer(serializers.Serializer):
    line = StrictIntegerField()
    quantity = ZeroOrMoreQuantityField()
