from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import OpeningHours, Region, Store
from ..selectors import store_clock


class RegionSerializer(serializers.ModelSerializer):
    store_count = serializers.IntegerField(
        read_only=True, help_text="Stores of this region that you may see."
    )

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_zh", "store_count"]


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class StoreSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    local_time = serializers.SerializerMethodField()
    is_open_now = serializers.SerializerMethodField()

    class Meta:
        model = Store
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "region",
            "region_code",
            "address",
            "time_zone",
            "status",
            "opening_date",
            "opening_hours",
            "local_time",
            "is_open_now",
        ]

    @extend_schema_field(serializers.DateTimeField())
    def get_local_time(self, store: Store) -> str:
        return store_clock(store).local_time.isoformat()

    def get_is_open_now(self, store: Store) -> bool:
        return store_clock(store).is_open_now
