"""The one scoping mechanism: visible_to, the scope checks of services, deny by default."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from opsdesk.platform.roles import Role
from stores.access import (
    OutOfScope,
    ScopedQuerySet,
    can_see_store,
    ensure_region_in_scope,
    ensure_role,
    ensure_store_in_scope,
    scope_path,
)
from stores.models import OpeningHours, Region, RegionAssignment, Store, StoreAssignment

User = get_user_model()

# Models with no store or region: the list is explicit, and each entry says why.
SCOPE_ALLOW_LIST = {
    # People: managed by head office in the admin; users never list each other.
    "accounts.User",
    # The KPI run log and thresholds are chain-wide: no store's data is in them.
    "kpis.KpiRun",
    "kpis.KpiThreshold",
    # Checklist templates and their versions, sections and items are chain-wide
    # configuration: every role reads them (ChainWideQuerySet.visible_to), only head
    # office writes them (stores/checklists/services/templates.py).
    "stores.ChecklistTemplate",
    "stores.TemplateVersion",
    "stores.TemplateSection",
    "stores.TemplateItem",
    # A schedule targets many stores and regions: ScheduleQuerySet.visible_to shows the
    # schedules reaching one of your stores, and selectors narrow their targets to scope.
    "stores.ChecklistSchedule",
    # A notification belongs to its recipient: every read filters by user
    # (opsdesk/platform/notifications/selectors.py), never by store.
    "notifications.Notification",
    # The inventory catalogue is global (no store): every role reads it through
    # ChainWideQuerySet.visible_to; only head office writes it (inventory/services).
    "inventory.Category",
    "inventory.Product",
    "inventory.Supplier",
    "inventory.ProductSupplier",
    # Sales: import sources and the chain's month target are chain-wide (every role reads
    # them, ChainWideQuerySet; head office writes them). An import batch may span stores:
    # it belongs to its uploader (ImportBatchQuerySet; chain roles see all). A promotion
    # spans stores: PromotionQuerySet shows those reaching one of your stores.
    "sales.ImportSource",
    "sales.MonthTarget",
    "sales.ImportBatch",
    "sales.Promotion",
    # An export job belongs to the user who asked for it: ExportJobQuerySet.visible_to
    # shows a user their own jobs only (head office included), never by store; the rows
    # in its file were scoped when it was built (opsdesk/analytics/reports/datasets.py).
    "reports.ExportJob",
    # Customers: the SLA policy is chain-wide (every role reads it, ChainWideQuerySet; head
    # office writes it). A customer may complain at several stores: CustomerQuerySet shows
    # the customers who complained (or gave feedback) at a store in your scope, so their
    # personal data never leaves it.
    "customers.SlaTarget",
    "customers.Customer",
    # Staff: training courses are chain-wide configuration (ChainWideQuerySet; head office
    # writes them). Shifts, swap requests and training assignments are scoped by their
    # store (shift's store, the shift's store, the person's home store) and narrowed for
    # store staff (staff/models/: published shifts; their own, asked-of-them or open
    # swaps; their own training): RuleScopedQuerySet.visible_to, one scope for all reads.
    "staff.Course",
    "staff.Shift",
    "staff.SwapRequest",
    "staff.TrainingAssignment",
}
OUR_APPS = {
    "accounts",
    "stores",
    "inventory",
    "sales",
    "customers",
    "staff",
    "kpis",
    "notifications",
    "reports",
}


def test_every_model_has_a_scope_path_or_is_allow_listed():
    unscoped = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        label = model._meta.label
        if label in SCOPE_ALLOW_LIST:
            continue
        if scope_path(model) is None or not isinstance(
            model._default_manager.all(), ScopedQuerySet
        ):
            unscoped.append(label)
    assert not unscoped, f"models without a scope path or ScopedQuerySet: {unscoped}"


def test_scope_paths_resolve_to_a_store_or_region(demo):
    """Each declared path really leads to a Store (or Region): the query runs."""
    head = demo.user("headoffice")
    manager = demo.user("manager")
    for model in apps.get_models():
        path = scope_path(model)
        if path is None:
            continue
        list(model.objects.visible_to(manager)[:1])
        list(model.objects.visible_to(head)[:1])


def _codes(user):
    return set(Store.objects.visible_to(user).values_list("code", flat=True))


def test_visible_stores_by_role(demo):
    first_region = demo.regions[0]
    all_codes = {s.code for s in demo.stores}
    assert _codes(demo.user("headoffice")) == all_codes
    assert _codes(demo.user("admin")) == all_codes
    assert _codes(demo.user("regional")) == {s.code for s in demo.stores_of_region(first_region)}
    assert _codes(demo.user("manager")) == {"SH001"}
    assert _codes(demo.user("staff")) == {"SH001"}
    assert _codes(demo.user("manager-GZ002")) == {"GZ002"}


def test_manager_of_two_stores_and_regional_of_two_regions(demo):
    manager = demo.user("manager")
    StoreAssignment.objects.create(user=manager, store=Store.objects.get(code="SG003"))
    assert _codes(manager) == {"SH001", "SG003"}
    regional = demo.user("regional")
    RegionAssignment.objects.create(user=regional, region=demo.regions[1])
    expected = {
        s.code for s in demo.stores if s.region_id in (demo.regions[0].pk, demo.regions[1].pk)
    }
    assert _codes(regional) == expected


def test_deny_by_default(demo):
    nobody = User.objects.create_user("nobody", password="x")
    assert _codes(nobody) == set()
    assert not Region.objects.visible_to(nobody).exists()
    # A role without an assignment sees nothing either.
    lonely = User.objects.create_user("lonely", password="x", role=Role.REGIONAL_OPS)
    assert _codes(lonely) == set()
    # An inactive user sees nothing, whatever the role.
    head = demo.user("headoffice")
    head.is_active = False
    assert _codes(head) == set()
    # A store role's assignment to a region grants nothing (roles and assignments agree).
    manager = demo.user("manager")
    RegionAssignment.objects.create(user=manager, region=demo.regions[1])
    assert _codes(manager) == {"SH001"}


def test_anonymous_sees_nothing(demo):
    from django.contrib.auth.models import AnonymousUser

    assert not Store.objects.visible_to(AnonymousUser()).exists()
    assert not Store.objects.visible_to(None).exists()


def test_regions_visible(demo):
    ec, sc, sea = demo.regions
    assert set(Region.objects.visible_to(demo.user("manager"))) == {ec}
    assert set(Region.objects.visible_to(demo.user("regional"))) == {ec}
    assert set(Region.objects.visible_to(demo.user("manager-SG003"))) == {sea}
    assert set(Region.objects.visible_to(demo.user("headoffice"))) == {ec, sc, sea}


def test_store_owned_rows_follow_their_store(demo):
    manager = demo.user("manager")
    hours = OpeningHours.objects.visible_to(manager)
    assert hours.exists()
    assert set(hours.values_list("store__code", flat=True)) == {"SH001"}


def test_model_without_scope_path_raises():

    qs = ScopedQuerySet(model=get_user_model())
    with pytest.raises(ImproperlyConfigured):
        qs.visible_to(None)


def test_service_scope_checks(demo):
    manager = demo.user("manager")
    own = Store.objects.get(code="SH001")
    other = Store.objects.get(code="GZ002")
    ensure_store_in_scope(manager, own)
    ensure_store_in_scope(manager, own.pk)
    with pytest.raises(OutOfScope):
        ensure_store_in_scope(manager, other)
    with pytest.raises(OutOfScope):
        ensure_store_in_scope(manager, 10**9)
    ensure_region_in_scope(manager, own.region)
    with pytest.raises(OutOfScope):
        ensure_region_in_scope(manager, other.region)
    assert can_see_store(demo.user("headoffice"), other)
    ensure_role(manager, {Role.STORE_MANAGER})
    with pytest.raises(PermissionDenied):
        ensure_role(demo.user("staff"), {Role.STORE_MANAGER})


def test_visible_to_is_one_query(demo, django_assert_num_queries):
    regional = demo.user("regional")
    with django_assert_num_queries(1):
        list(Store.objects.visible_to(regional))


def test_chain_wide_and_rule_scoped_querysets_deny_by_default(demo):
    """The two shared variants of visible_to: chain-wide rows and rule-based scope."""
    from inventory.models import Product, Transfer
    from stores.access import ChainWideQuerySet, RuleScopedQuerySet

    assert isinstance(Product.objects.all(), ChainWideQuerySet)
    assert isinstance(Transfer.objects.all(), RuleScopedQuerySet)
    nobody = User.objects.create_user("nobody2", password="x")
    assert not Product.objects.visible_to(nobody).exists()
    assert not Transfer.objects.visible_to(nobody).exists()
    assert Product.objects.visible_to(demo.user("staff")).count() == Product.objects.count()
    head = demo.user("headoffice")
    assert Transfer.objects.visible_to(head).count() == Transfer.objects.count()
    manager = demo.user("manager")
    own = Store.objects.get(code="SH001")
    for transfer in Transfer.objects.visible_to(manager):
        assert own.pk in (transfer.source_store_id, transfer.destination_store_id)
