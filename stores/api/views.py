from rest_framework import viewsets

from ..access import ScopedAPIMixin
from ..filters import RegionFilterSet, StoreFilterSet
from ..models import Region, Store
from ..selectors import region_list, store_list
from .serializers import RegionSerializer, StoreSerializer


class RegionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Regions you may see: your own (regional ops), your stores' (store roles), or all."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]
    selector = staticmethod(region_list)


class StoreViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Stores in your scope; filter by region and status, search by code or name."""

    queryset = Store.objects.all()
    serializer_class = StoreSerializer
    filterset_class = StoreFilterSet
    ordering_fields = ["code", "name", "opening_date"]
    selector = staticmethod(store_list)
