"""Footfall: recorded per store and business date by store managers (their stores) and
head office, kept when the day's sales are recomputed; refused for a future day, a bad
number, another store or role. The service, the store day's form and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sales.models import DailySales
from sales.services import daily_footfall_record, daily_sales_recompute
from stores.access import OutOfScope
from stores.models import Store


@pytest.fixture
def stores(demo):
    sh001 = Store.objects.get(code="SH001")
    other = Store.objects.exclude(region=sh001.region).order_by("code").first()
    return demo, sh001, other


def test_record_and_keep_through_a_recompute(stores):
    demo, sh001, _other = stores
    date = sh001.business_date() - datetime.timedelta(days=1)
    before = DailySales.objects.get(store=sh001, business_date=date)
    row = daily_footfall_record(
        user=demo.user("manager"), store=sh001, business_date=date, footfall=412
    )
    assert row.pk == before.pk and row.footfall == 412
    daily_sales_recompute(store_dates=[(sh001.pk, date)])
    row.refresh_from_db()
    assert row.footfall == 412 and row.net_sales == before.net_sales


def test_a_day_without_sales_gets_a_row(stores):
    demo, sh001, _other = stores
    date = datetime.date(2024, 1, 2)
    daily_footfall_record(user=demo.user("headoffice"), store=sh001, business_date=date, footfall=0)
    row = DailySales.objects.get(store=sh001, business_date=date)
    assert (row.footfall, row.net_sales, row.transactions) == (0, 0, 0)


@pytest.mark.parametrize(
    ("footfall", "days_ahead", "field"),
    [
        (-1, 0, "footfall"),
        ("12.5", 0, "footfall"),
        ("many", 0, "footfall"),
        (1_000_001, 0, "footfall"),
        (10, 1, "business_date"),
    ],
)
def test_bad_input_is_refused(stores, footfall, days_ahead, field):
    demo, sh001, _other = stores
    date = sh001.business_date() + datetime.timedelta(days=days_ahead)
    before = list(DailySales.objects.filter(store=sh001).values_list("pk", "footfall"))
    with pytest.raises(ValidationError) as error:
        daily_footfall_record(
            user=demo.user("manager"), store=sh001, business_date=date, footfall=footfall
        )
    assert field in error.value.message_dict
    assert list(DailySales.objects.filter(store=sh001).values_list("pk", "footfall")) == before


def test_roles_and_scope(stores):
    demo, sh001, other = stores
    date = sh001.business_date()
    for username in ("staff", "regional"):
        with pytest.raises(PermissionDenied):
            daily_footfall_record(
                user=demo.user(username), store=sh001, business_date=date, footfall=5
            )
    with pytest.raises(OutOfScope):
        daily_footfall_record(
            user=demo.user("manager"), store=other, business_date=date, footfall=5
        )


def test_the_store_day_form(stores, client_as):
    demo, sh001, other = stores
    client = client_as(demo.user("manager"))
    date = sh001.business_date() - datetime.timedelta(days=2)
    page = client.get(reverse("sales:store_day", args=[sh001.pk]), {"date": date.isoformat()})
    assert 'data-testid="footfall-form"' in page.content.decode()
    url = reverse("sales:footfall_record", args=[sh001.pk])
    response = client.post(url, {"date": date.isoformat(), "footfall": "321"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?date={date.isoformat()}")
    assert DailySales.objects.get(store=sh001, business_date=date).footfall == 321
    bad = client.post(url, {"date": date.isoformat(), "footfall": "-3"})
    assert bad.status_code == 400 and "A whole number of visitors" in bad.content.decode()
    future = (sh001.business_date() + datetime.timedelta(days=3)).isoformat()
    bad = client.post(url, {"date": future, "footfall": "3"})
    assert bad.status_code == 400 and "today or earlier" in bad.content.decode()
    assert DailySales.objects.get(store=sh001, business_date=date).footfall == 321
    # Another region's store: not found.
    out = client.post(
        reverse("sales:footfall_record", args=[other.pk]), {"date": date, "footfall": 1}
    )
    assert out.status_code == 404


@pytest.mark.parametrize("username", ["staff", "regional"])
def test_the_form_is_refused_to_other_roles(stores, client_as, username):
    demo, sh001, _other = stores
    client = client_as(demo.user(username))
    page = client.get(reverse("sales:store_day", args=[sh001.pk]))
    assert 'data-testid="footfall-form"' not in page.content.decode()
    url = reverse("sales:footfall_record", args=[sh001.pk])
    response = client.post(url, {"date": sh001.business_date().isoformat(), "footfall": "9"})
    assert response.status_code == 403


def test_anonymous(stores, client, api_client):
    _demo, sh001, _other = stores
    response = client.post(reverse("sales:footfall_record", args=[sh001.pk]), {"footfall": 1})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert api_client.post(reverse("sales-api:dailysales-footfall"), {}).status_code == 401


def test_the_api(stores, api_as):
    demo, sh001, other = stores
    url = reverse("sales-api:dailysales-footfall")
    date = sh001.business_date().isoformat()
    body = {"store": sh001.pk, "business_date": date, "footfall": 77}
    for username in ("manager", "headoffice"):
        response = api_as(demo.user(username)).post(url, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["footfall"] == 77 and response.json()["store_code"] == "SH001"
    manager = api_as(demo.user("manager"))
    assert manager.post(url, {**body, "store": other.pk}, format="json").status_code == 404
    bad = manager.post(url, {**body, "footfall": -1}, format="json")
    assert bad.status_code == 400 and "footfall" in bad.json()
    for username in ("staff", "regional"):
        assert api_as(demo.user(username)).post(url, body, format="json").status_code == 403
