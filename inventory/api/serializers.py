from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class CategorySerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_zh", "product_count"]


class ProductSupplierSerializer(serializers.ModelSerializer):
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


class ProductSerializer(serializers.ModelSerializer):
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


class SupplierSerializer(serializers.ModelSerializer):
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
        extra_kwargs = {"min_order_value": {"min_value": 0}}


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


class LineInputSerializer(serializers.Serializer):
    product = serializers.CharField(help_text="Product id, SKU or barcode.", required=False)
    line = serializers.IntegerField(required=False, help_text="A line id of the document.")
    quantity = serializers.CharField(help_text="A decimal number, up to 3 places.")
    unit_cost = serializers.CharField(required=False, allow_blank=True)


class PurchaseOrderCreateSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    supplier = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expected_date = serializers.DateField(required=False, allow_null=True)
    lines = LineInputSerializer(many=True)


class ReceiveSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=64)


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
    source_store = serializers.IntegerField()
    destination_store = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lines = LineInputSerializer(many=True)


class QuantitiesSerializer(serializers.Serializer):
    quantities = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="{line id: quantity}"
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
    store = serializers.IntegerField()
    category = serializers.IntegerField(required=False, allow_null=True)
    blind = serializers.BooleanField(default=True)


class CountLineSetSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    quantity = serializers.CharField()
