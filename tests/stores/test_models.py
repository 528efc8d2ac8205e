import datetime
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opsdesk.platform.roles import Role
from stores.models import OpeningHours, RegionAssignment, Store, StoreAssignment, validate_time_zone

User = get_user_model()


def test_time_zone_validator():
    validate_time_zone("Asia/Shanghai")
    with pytest.raises(ValidationError, match="not a time zone"):
        validate_time_zone("Mars/Olympus")
    with pytest.raises(ValidationError):
        validate_time_zone("")


def test_business_date_is_the_store_local_date(demo):
    shanghai = Store.objects.get(code="SH001")
    utc_evening = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    # 17:30 UTC is 01:30 the next day in Shanghai (UTC+8).
    assert shanghai.business_date(utc_evening) == datetime.date(2026, 3, 2)
    assert shanghai.local_now(utc_evening).tzinfo == zoneinfo.ZoneInfo("Asia/Shanghai")
    shanghai.time_zone = "America/New_York"
    assert shanghai.business_date(utc_evening) == datetime.date(2026, 3, 1)


def test_opening_hours_must_close_after_opening(demo):
    store = Store.objects.get(code="SH001")
    hours = OpeningHours(store=store, weekday=0, opens=datetime.time(22), closes=datetime.time(8))
    with pytest.raises(ValidationError):
        hours.clean()
    OpeningHours.objects.filter(store=store, weekday=0).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        hours.save()


def test_one_opening_hours_row_per_weekday(demo):
    store = Store.objects.get(code="SH001")
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            store=store, weekday=1, opens=datetime.time(8), closes=datetime.time(9)
        )


def test_assignment_rules(demo):
    store, other = Store.objects.get(code="SH001"), Store.objects.get(code="GZ002")
    staff = demo.user("staff")
    with pytest.raises(ValidationError, match="one store only"):
        StoreAssignment(user=staff, store=other).full_clean()
    regional = demo.user("regional")
    with pytest.raises(ValidationError, match="Only store managers"):
        StoreAssignment(user=regional, store=store).clean()
    manager = demo.user("manager")
    with pytest.raises(ValidationError, match="Only regional ops"):
        RegionAssignment(user=manager, region=store.region).clean()
    StoreAssignment(user=manager, store=other).full_clean()  # managers may have several
    with pytest.raises(IntegrityError), transaction.atomic():
        StoreAssignment.objects.create(user=manager, store=store)


def test_str():
    assert str(Store(code="X1", name="Test")) == "X1 Test"
    hours = OpeningHours(weekday=0, opens=datetime.time(8), closes=datetime.time(22))
    assert str(hours) == "Monday 08:00–22:00"
    assert Role.HEAD_OFFICE.label == "Head office"
