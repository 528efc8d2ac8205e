"""A small world of our own for the complaint rules: two regions, three stores (one in
Shanghai, so store-local dates differ from UTC), a person per role."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from customers import services
from stores.models import Region, RegionAssignment, Store, StoreAssignment

UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def world(db):
    User = get_user_model()
    east = Region.objects.create(code="R1", name="East")
    west = Region.objects.create(code="R2", name="West")
    sh = Store.objects.create(code="SH1", name="Shanghai", region=east, time_zone="Asia/Shanghai")
    hz = Store.objects.create(code="HZ1", name="Hangzhou", region=east, time_zone="Asia/Shanghai")
    ld = Store.objects.create(code="LD1", name="London", region=west, time_zone="Europe/London")

    def person(username, role, **extra):
        return User.objects.create_user(
            username, password="x", role=role, email=f"{username}@example.com", **extra
        )

    w = SimpleNamespace(east=east, west=west, sh=sh, hz=hz, ld=ld)
    w.manager = person("mgr", "store_manager", first_name="Mia", last_name="Wang")
    w.manager2 = person("mgr2", "store_manager")
    w.staff = person("stf", "store_staff")
    w.hz_manager = person("hzmgr", "store_manager")
    w.ld_manager = person("ldmgr", "store_manager")
    w.regional = person("reg1", "regional_ops")
    w.regional_west = person("reg2", "regional_ops")
    w.head = person("ho", "head_office")
    for user, store in [
        (w.manager, sh),
        (w.manager2, sh),
        (w.staff, sh),
        (w.hz_manager, hz),
        (w.ld_manager, ld),
    ]:
        StoreAssignment.objects.create(user=user, store=store)
    RegionAssignment.objects.create(user=w.regional, region=east)
    RegionAssignment.objects.create(user=w.regional_west, region=west)
    return w


@pytest.fixture
def log(world):
    """log(**overrides) -> a complaint logged at SH1 by its manager."""

    def make(**overrides):
        kwargs = {
            "user": world.manager,
            "store": world.sh,
            "channel": "in_store",
            "category": "service",
            "severity": "medium",
            "description": "Rude at the till.",
            **overrides,
        }
        return services.complaint_log(**kwargs)

    return make
