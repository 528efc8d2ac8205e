"""Promotions: the service's rules (dates, discount bounds, overlaps, scope, roles), the
create/edit pages and the API, for every role; nothing is written on a refusal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inventory.models import Product
from sales.models import Promotion
from sales.services import promotion_create, promotion_update
from stores.models import Store

D = Decimal
START = datetime.date(2026, 9, 7)  # far from the demo's promotions (the last 14 days)


@pytest.fixture
def chain(demo):
    products = list(Product.objects.order_by("pk")[:4])
    sh001 = Store.objects.get(code="SH001")
    other = Store.objects.exclude(region=sh001.region).order_by("code").first()
    return demo, sh001, other, products


def _create(user, stores, products, start=START, days=7, pct="15.00", name="Autumn week"):
    return promotion_create(
        user=user,
        name=name,
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        discount_pct=pct,
        store_ids=[s.pk for s in stores],
        product_ids=[p.pk for p in products],
    )


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Service ------------------------------------------------------------------------


def test_head_office_creates_a_promotion(chain):
    demo, sh001, other, products = chain
    promo = _create(demo.user("headoffice"), [sh001, other], products[:2])
    promo.refresh_from_db()
    assert promo.name == "Autumn week" and promo.discount_pct == D("15.00")
    assert promo.end_date == START + datetime.timedelta(days=6)
    assert set(promo.stores.values_list("pk", flat=True)) == {sh001.pk, other.pk}
    assert set(promo.products.values_list("pk", flat=True)) == {p.pk for p in products[:2]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the promotion a name."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        (
            {"end_date": START - datetime.timedelta(days=1)},
            "end_date",
            "ends on or after its first day",
        ),
        (
            {"end_date": START + datetime.timedelta(days=366)},
            "end_date",
            "at most 366 days",
        ),
        ({"start_date": "2026-09-07"}, "start_date", "YYYY-MM-DD"),
        ({"discount_pct": "0"}, "discount_pct", "between 0 and 100"),
        ({"discount_pct": "100"}, "discount_pct", "between 0 and 100"),
        ({"discount_pct": "-5"}, "discount_pct", "between 0 and 100"),
        ({"discount_pct": "12.345"}, "discount_pct", "at most 2 decimals"),
        ({"discount_pct": "NaN"}, "discount_pct", "between 0 and 100"),
        ({"discount_pct": "ten"}, "discount_pct", "between 0 and 100"),
        ({"store_ids": []}, "stores", "Choose at least one store."),
        ({"product_ids": []}, "products", "Choose at least one product."),
        ({"product_ids": [999_999]}, "products", "Unknown product: 999999."),
        ({"store_ids": [999_999]}, "stores", "Unknown store: 999999."),
        ({"store_ids": ["x"]}, "stores", "whole numbers"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(chain, changes, field, message):
    demo, sh001, _other, products = chain
    kwargs = {
        "user": demo.user("headoffice"),
        "name": "P",
        "start_date": START,
        "end_date": START + datetime.timedelta(days=2),
        "discount_pct": "10",
        "store_ids": [sh001.pk],
        "product_ids": [products[0].pk],
        **changes,
    }
    before = Promotion.objects.count()
    with pytest.raises(ValidationError) as error:
        promotion_create(**kwargs)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert Promotion.objects.count() == before


def test_a_product_is_on_one_promotion_per_store_and_day(chain):
    demo, sh001, other, products = chain
    head = demo.user("headoffice")
    first = _create(head, [sh001], products[:2])
    before = Promotion.objects.count()
    # Same store, a shared product, overlapping by one day: refused, with the culprit named.
    with pytest.raises(ValidationError) as error:
        _create(
            head, [sh001, other], products[1:3], start=START + datetime.timedelta(days=6), days=3
        )
    text = _messages(error.value)
    assert "one promotion per store and day" in text
    assert products[1].sku in text and first.name in text and sh001.code in text
    assert products[0].sku not in text  # not shared
    assert Promotion.objects.count() == before
    # The same products in another store, or the next week in the same store: allowed.
    _create(head, [other], products[:2], name="Other store")
    _create(head, [sh001], products[:2], start=START + datetime.timedelta(days=7), name="Next")
    # Same store and days, other products: allowed.
    _create(head, [sh001], products[2:4], name="Other products")
    assert Promotion.objects.count() == before + 3


def test_update_replaces_fields_and_checks_overlaps_against_the_others(chain):
    demo, sh001, other, products = chain
    head = demo.user("headoffice")
    promo = _create(head, [sh001], products[:1])
    neighbour = _create(head, [sh001], products[1:2], name="Neighbour")
    # Updating a promotion does not collide with itself.
    promotion_update(
        user=head,
        promotion=promo,
        name="Autumn week (extended)",
        start_date=START,
        end_date=START + datetime.timedelta(days=9),
        discount_pct=D("12.50"),
        store_ids=[sh001.pk, other.pk],
        product_ids=[products[0].pk],
    )
    promo.refresh_from_db()
    assert promo.name == "Autumn week (extended)" and promo.discount_pct == D("12.50")
    assert promo.stores.count() == 2
    # Taking the neighbour's product: refused, and nothing of the change is saved.
    with pytest.raises(ValidationError) as error:
        promotion_update(
            user=head,
            promotion=promo,
            name="Renamed",
            start_date=START,
            end_date=START,
            discount_pct="20",
            store_ids=[sh001.pk],
            product_ids=[products[0].pk, products[1].pk],
        )
    assert neighbour.name in _messages(error.value)
    promo.refresh_from_db()
    assert promo.name == "Autumn week (extended)" and promo.stores.count() == 2
    assert list(promo.products.values_list("pk", flat=True)) == [products[0].pk]


@pytest.mark.parametrize("username", ["manager", "staff", "regional"])
def test_other_roles_may_not_create_or_edit(chain, username):
    demo, sh001, _other, products = chain
    promo = _create(demo.user("headoffice"), [sh001], products[:1])
    with pytest.raises(PermissionDenied):
        _create(demo.user(username), [sh001], products[1:2], name="Mine")
    with pytest.raises(PermissionDenied):
        promotion_update(
            user=demo.user(username),
            promotion=promo,
            name="Mine",
            start_date=START,
            end_date=START,
            discount_pct="5",
            store_ids=[sh001.pk],
            product_ids=[products[0].pk],
        )
    assert not Promotion.objects.filter(name="Mine").exists()


# --- Pages --------------------------------------------------------------------------


def _form(stores, products, **changes):
    data = {
        "name": "Page promo",
        "start_date": START.isoformat(),
        "end_date": (START + datetime.timedelta(days=3)).isoformat(),
        "discount_pct": "15",
        "stores": [s.pk for s in stores],
        "products": [p.pk for p in products],
    }
    data.update(changes)
    return data


def test_head_office_creates_and_edits_in_the_pages(chain, client_as):
    demo, sh001, other, products = chain
    client = client_as(demo.user("headoffice"))
    assert client.get(reverse("sales:promotion_create")).status_code == 200
    response = client.post(reverse("sales:promotion_create"), _form([sh001], products[:2]))
    assert response.status_code == 302
    promo = Promotion.objects.get(name="Page promo")
    assert response["Location"] == reverse("sales:promotion_detail", args=[promo.pk])
    edit = reverse("sales:promotion_edit", args=[promo.pk])
    page = client.get(edit).content.decode()
    assert 'value="Page promo"' in page
    response = client.post(edit, _form([sh001, other], products[:1], name="Page promo 2"))
    assert response.status_code == 302
    promo.refresh_from_db()
    assert promo.name == "Page promo 2" and promo.stores.count() == 2
    detail = client.get(reverse("sales:promotion_detail", args=[promo.pk])).content.decode()
    assert "Page promo 2" in detail and other.code in detail and 'data-testid="uplift"' in detail


def test_create_page_shows_errors_and_writes_nothing(chain, client_as):
    demo, sh001, _other, products = chain
    client = client_as(demo.user("headoffice"))
    _create(demo.user("headoffice"), [sh001], products[:1])
    before = Promotion.objects.count()
    bad = client.post(
        reverse("sales:promotion_create"),
        _form([sh001], products[:1], discount_pct="150", end_date="2026-09-01"),
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "between 0 and 100" in text and "ends on or after" in text
    overlap = client.post(reverse("sales:promotion_create"), _form([sh001], products[:1]))
    assert overlap.status_code == 400
    assert "one promotion per store and day" in overlap.content.decode()
    assert Promotion.objects.count() == before


@pytest.mark.parametrize("username", ["manager", "staff", "regional"])
def test_create_and_edit_pages_refused_to_other_roles(chain, client_as, username):
    demo, sh001, _other, products = chain
    promo = _create(demo.user("headoffice"), [sh001], products[:1])
    client = client_as(demo.user(username))
    assert client.get(reverse("sales:promotion_create")).status_code == 403
    assert (
        client.post(reverse("sales:promotion_create"), _form([sh001], products[1:2])).status_code
        == 403
    )
    edit = reverse("sales:promotion_edit", args=[promo.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _form([sh001], products[:1], name="Hijack")).status_code == 403
    promo.refresh_from_db()
    assert promo.name == "Autumn week"
    page = client.get(reverse("sales:promotion_list")).content.decode()
    assert reverse("sales:promotion_create") not in page


def test_anonymous_is_sent_to_login(chain, client):
    demo, sh001, _other, products = chain
    promo = _create(demo.user("headoffice"), [sh001], products[:1])
    for url in (
        reverse("sales:promotion_list"),
        reverse("sales:promotion_create"),
        reverse("sales:promotion_detail", args=[promo.pk]),
        reverse("sales:promotion_edit", args=[promo.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["manager", "staff", "regional"])
def test_pages_show_only_promotions_and_stores_in_scope(chain, client_as, username):
    demo, sh001, other, products = chain
    head = demo.user("headoffice")
    mine = _create(head, [sh001, other], products[:1], name="Both regions")
    theirs = _create(head, [other], products[1:2], name="Elsewhere only")
    client = client_as(demo.user(username))
    page = client.get(reverse("sales:promotion_list")).content.decode()
    assert "Both regions" in page and "Elsewhere only" not in page
    assert f">{other.code}<" not in page  # the other region's store is not named
    assert client.get(reverse("sales:promotion_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("sales:promotion_detail", args=[theirs.pk])).status_code == 404


def test_head_office_sees_every_promotion(chain, client_as):
    demo, _sh001, other, products = chain
    head = demo.user("headoffice")
    _create(head, [other], products[1:2], name="Elsewhere only")
    client = client_as(head)
    page = client.get(reverse("sales:promotion_list")).content.decode()
    assert "Elsewhere only" in page and reverse("sales:promotion_create") in page
    filtered = client.get(reverse("sales:promotion_list"), {"active_on": "2026-09-08"})
    assert "Elsewhere only" in filtered.content.decode()
    assert (
        "Elsewhere only"
        not in client.get(
            reverse("sales:promotion_list"), {"active_on": "2026-10-08"}
        ).content.decode()
    )


# --- API ----------------------------------------------------------------------------


def _body(stores, products, **changes):
    body = {
        "name": "API promo",
        "start_date": START.isoformat(),
        "end_date": (START + datetime.timedelta(days=2)).isoformat(),
        "discount_pct": "10.00",
        "stores": [s.pk for s in stores],
        "products": [p.pk for p in products],
    }
    body.update(changes)
    return body


def test_api_create_update_and_refusals(chain, api_as):
    demo, sh001, other, products = chain
    api = api_as(demo.user("headoffice"))
    url = reverse("sales-api:promotion-list")
    created = api.post(url, _body([sh001], products[:2]), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["name"] == "API promo" and data["stores"] == [sh001.pk]
    assert data["discount_pct"] == "10.00"
    detail = reverse("sales-api:promotion-detail", args=[data["id"]])
    patched = api.patch(
        detail, {"discount_pct": "25", "stores": [sh001.pk, other.pk]}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["discount_pct"] == "25.00"
    assert sorted(patched.json()["stores"]) == sorted([sh001.pk, other.pk])
    assert patched.json()["name"] == "API promo"  # untouched fields kept
    put = api.put(detail, _body([sh001], products[:1], name="API promo v2"), format="json")
    assert put.status_code == 200 and put.json()["products"] == [products[0].pk]
    before = Promotion.objects.count()
    overlap = api.post(url, _body([sh001], products[:1], name="Clash"), format="json")
    assert overlap.status_code == 409 and "one promotion per store and day" in str(overlap.json())
    bounds = api.post(url, _body([other], products[:1], discount_pct="100"), format="json")
    assert bounds.status_code == 400 and "discount_pct" in bounds.json()
    dates = api.post(url, _body([other], products[:1], end_date="2026-09-01"), format="json")
    assert dates.status_code == 409 and "end_date" in dates.json()
    shape = api.post(url, {"name": "x"}, format="json")
    assert shape.status_code == 400 and "stores" in shape.json()
    assert Promotion.objects.count() == before


@pytest.mark.parametrize("username", ["manager", "staff", "regional"])
def test_api_writes_refused_to_other_roles(chain, api_as, username):
    demo, sh001, _other, products = chain
    promo = _create(demo.user("headoffice"), [sh001], products[:1])
    api = api_as(demo.user(username))
    url = reverse("sales-api:promotion-list")
    assert api.post(url, _body([sh001], products[1:2]), format="json").status_code == 403
    detail = reverse("sales-api:promotion-detail", args=[promo.pk])
    assert api.patch(detail, {"name": "Hijack"}, format="json").status_code == 403
    assert api.put(detail, _body([sh001], products[:1]), format="json").status_code == 403
    assert api.get(detail).status_code == 200  # but they read it (it reaches their store)
    promo.refresh_from_db()
    assert promo.name == "Autumn week"


def test_api_anonymous_and_out_of_scope(chain, api_client, api_as):
    demo, sh001, other, products = chain
    promo = _create(demo.user("headoffice"), [other], products[:1])
    url = reverse("sales-api:promotion-list")
    assert api_client.post(url, _body([sh001], products[:1]), format="json").status_code == 401
    detail = reverse("sales-api:promotion-detail", args=[promo.pk])
    assert api_client.get(detail).status_code == 401
    for username in ("manager", "staff", "regional"):
        api = api_as(demo.user(username))
        assert api.get(detail).status_code == 404
        assert promo.pk not in [p["id"] for p in api.get(url).json()["results"]]
    # Regional ops of the other region see it, but only their stores in it.
    both = _create(demo.user("headoffice"), [sh001, other], products[1:2], name="Both")
    body = api_as(demo.user("manager")).get(reverse("sales-api:promotion-detail", args=[both.pk]))
    assert body.json()["stores"] == [sh001.pk]
