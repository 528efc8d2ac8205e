"""Cross-domain pages: the role-aware home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stores.access import user_role
from stores.selectors import region_list, store_clock, store_list

from .health import health


@require_GET
@never_cache
def healthz(request):
    healthy, body = health()
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    """What the user looks after: their stores, grouped by region, each with its clock."""
    regions = list(region_list(user=request.user))
    by_region = {region.pk: [] for region in regions}
    for store in store_list(user=request.user):
        by_region.setdefault(store.region_id, []).append((store, store_clock(store)))
    groups = [(region, by_region[region.pk]) for region in regions]
    return render(
        request,
        "home.html",
        {
            "groups": groups,
            "store_count": sum(len(stores) for _region, stores in groups),
            "role": user_role(request.user),
        },
    )
