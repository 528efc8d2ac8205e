from rest_framework import serializers

from ..models import MONEY_OR_COUNT
from ..thresholds import RAG_STATES, rag

DECIMAL = {
    "max_digits": MONEY_OR_COUNT["max_digits"],
    "decimal_places": MONEY_OR_COUNT["decimal_places"],
}
RAG_FIELD = {"choices": RAG_STATES, "allow_null": True, "read_only": True}


class KpiFactSerializer(serializers.Serializer):
    """One store's KPI for one business date, with its red/amber/green state."""

    store = serializers.IntegerField(source="store_id", read_only=True)
    store_code = serializers.CharField(source="store.code", read_only=True)
    region = serializers.IntegerField(source="store.region_id", read_only=True)
    business_date = serializers.DateField(read_only=True)
    code = serializers.CharField(read_only=True)
    numerator = serializers.DecimalField(read_only=True, **DECIMAL)
    denominator = serializers.DecimalField(read_only=True, **DECIMAL)
    value = serializers.DecimalField(read_only=True, allow_null=True, **DECIMAL)
    rag = serializers.SerializerMethodField()

    def get_rag(self, fact) -> str | None:
        kpi = self.context["kpis"].get(fact.code)
        if kpi is None:
            return None
        return rag(fact.value, self.context["bands"].get(fact.code), kpi.higher_is_better)


class KpiRollupSerializer(serializers.Serializer):
    """Σ numerators ÷ Σ denominators of one KPI over the period, per store, region or chain."""

    code = serializers.CharField()
    group = serializers.ChoiceField(choices=["store", "region", "chain"])
    key = serializers.IntegerField(
        allow_null=True, help_text="The store or region id; null for the chain."
    )
    key_code = serializers.CharField(
        allow_null=True, help_text="The store or region code; null for the chain."
    )
    start = serializers.DateField()
    end = serializers.DateField()
    numerator = serializers.DecimalField(**DECIMAL)
    denominator = serializers.DecimalField(**DECIMAL)
    value = serializers.DecimalField(allow_null=True, **DECIMAL)
    rag = serializers.ChoiceField(choices=RAG_STATES, allow_null=True)


class ThresholdSerializer(serializers.Serializer):
    green = serializers.DecimalField(**DECIMAL)
    amber = serializers.DecimalField(**DECIMAL)


class KpiDefinitionSerializer(serializers.Serializer):
    """A registered KPI: what it measures, which way is better, its bands."""

    code = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    unit = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    direction = serializers.ChoiceField(choices=["higher_is_better", "lower_is_better"])
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    scale = serializers.DecimalField(max_digits=12, decimal_places=2)
    thresholds = ThresholdSerializer(allow_null=True)
    rag_rule = serializers.CharField(help_text="How a value is coloured with these bands.")
