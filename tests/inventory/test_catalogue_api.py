"""Catalogue write API: every role reads; head office (and admins) create and update
categories, products, suppliers and supplier terms; bad payloads 400, unknown ids 404."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Category, Product, ProductSupplier, Supplier

from . import factories as f

READERS = ["staff", "manager", "regional", "headoffice", "admin"]
WRITERS = {"headoffice", "admin"}
BARCODE = "6901112223334"  # the barcode of the fixture's product API1


@pytest.fixture
def refs(demo):
    category = f.category("apicat")
    supplier = f.supplier()
    product = f.product(sku="API1", category_=category, barcode=BARCODE)
    return category, supplier, product


def _payloads(category, supplier, product):
    return {
        "category": (
            {"code": "apinew", "name": "API new", "name_zh": "新类"},
            category,
            {"name": "Renamed"},
        ),
        "product": (
            {
                "sku": "APINEW",
                "barcode": "6901112229999",
                "name": "New product",
                "name_zh": "新品",
                "category": category.pk,
                "unit": "kg",
                "cost": "1.2500",
                "retail_price": "2.50",
                "active": True,
            },
            product,
            {"retail_price": "9.99", "active": False},
        ),
        "supplier": (
            {"code": "APISUP", "name": "API supplier", "lead_time_days": 3},
            supplier,
            {"min_order_value": "150.00", "contact_email": "orders@example.com"},
        ),
    }


@pytest.mark.parametrize("kind", ["category", "product", "supplier"])
@pytest.mark.parametrize("username", READERS)
def test_every_role_reads_only_head_office_writes(demo, refs, api_as, kind, username):
    api = api_as(demo.user(username))
    create, existing, change = _payloads(*refs)[kind]
    list_url = reverse(f"inventory-api:{kind}-list")
    detail_url = reverse(f"inventory-api:{kind}-detail", args=[existing.pk])
    assert api.get(list_url).status_code == 200
    assert api.get(detail_url).status_code == 200
    model = type(existing)
    count = model.objects.count()
    created = api.post(list_url, create, format="json")
    patched = api.patch(detail_url, change, format="json")
    if username in WRITERS:
        assert created.status_code == 201, created.json()
        assert patched.status_code == 200, patched.json()
        assert model.objects.count() == count + 1
        new = model.objects.get(pk=created.json()["id"])
        for key, value in create.items():
            got = getattr(new, key + "_id" if key == "category" else key)
            assert str(got) == str(value) or got == value, key
        existing.refresh_from_db()
        for key, value in change.items():
            assert str(getattr(existing, key)) == str(value), key
    else:
        assert created.status_code == 403 and patched.status_code == 403
        assert model.objects.count() == count
        fresh = model.objects.get(pk=existing.pk)
        for key in change:
            assert getattr(fresh, key) == getattr(existing, key)


def test_anonymous_is_refused(demo, refs, api_client):
    _category, _supplier, product = refs
    for url in [reverse("inventory-api:product-list"), reverse("inventory-api:category-list")]:
        assert api_client.get(url).status_code == 401
        assert api_client.post(url, {}, format="json").status_code == 401
    detail = reverse("inventory-api:product-detail", args=[product.pk])
    assert api_client.patch(detail, {"name": "x"}, format="json").status_code == 401
    product.refresh_from_db()
    assert product.name != "x"


def test_create_answers_the_object_as_read(demo, refs, api_as):
    api = api_as(demo.user("headoffice"))
    category, _supplier, product = refs
    created = api.post(
        reverse("inventory-api:category-list"), {"code": "c9", "name": "C9"}, format="json"
    ).json()
    assert created["product_count"] == 0 and created["code"] == "c9"
    answer = api.put(
        reverse("inventory-api:product-detail", args=[product.pk]),
        {"sku": "API1", "name": "Full put", "category": category.pk, "barcode": ""},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["category_code"] == "apicat" and answer.json()["barcode"] is None
    product.refresh_from_db()
    assert product.barcode is None and product.name == "Full put"


BAD = [
    ("category", {"name": "no code"}, "code"),
    ("category", {"code": 12, "name": "a number is not a code"}, "code"),
    ("product", {"sku": "APIX", "name": "x", "category": "CAT", "cost": "-1"}, "cost"),
    ("product", {"sku": "APIX", "name": "x", "category": "CAT", "cost": 1.5}, "cost"),
    ("product", {"sku": "APIX", "name": "x", "category": "CAT", "active": "yes"}, "active"),
    ("product", {"sku": "APIX", "name": "x", "category": "CAT", "cost": "abc"}, "cost"),
    ("product", {"sku": "APIX", "name": "x", "category": "CAT", "unit": "crate"}, "unit"),
    ("supplier", {"code": "S", "name": "s", "lead_time_days": -1}, "lead_time_days"),
    ("supplier", {"code": "S", "name": "s", "lead_time_days": "3"}, "lead_time_days"),
    ("supplier", {"code": "S", "name": "s", "min_order_value": "-5"}, "min_order_value"),
    ("supplier", {"code": "S", "name": "s", "contact_email": "not-mail"}, "contact_email"),
]


@pytest.mark.parametrize(("kind", "payload", "field"), BAD)
def test_bad_payloads_are_refused(demo, refs, api_as, kind, payload, field):
    category = refs[0]
    payload = {k: (category.pk if v == "CAT" else v) for k, v in payload.items()}
    model = {"category": Category, "product": Product, "supplier": Supplier}[kind]
    count = model.objects.count()
    response = api_as(demo.user("headoffice")).post(
        reverse(f"inventory-api:{kind}-list"), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert model.objects.count() == count


# A value another record holds is the records' state, not bad input: 409, the same body.
TAKEN = [
    ("category", {"code": "apicat", "name": "dup"}, "code"),
    ("product", {"sku": "API1", "name": "dup", "category": "CAT"}, "sku"),
    (
        "product",
        {"sku": "APIX", "name": "x", "category": "CAT", "barcode": "6901112223334"},
        "barcode",
    ),
]


@pytest.mark.parametrize(("kind", "payload", "field"), TAKEN)
def test_a_value_taken_is_a_conflict(demo, refs, api_as, kind, payload, field):
    payload = {k: (refs[0].pk if v == "CAT" else v) for k, v in payload.items()}
    model = {"category": Category, "product": Product}[kind]
    count = model.objects.count()
    response = api_as(demo.user("headoffice")).post(
        reverse(f"inventory-api:{kind}-list"), payload, format="json"
    )
    assert response.status_code == 409 and field in response.json(), response.json()
    assert model.objects.count() == count


def test_a_code_taken_between_check_and_save_is_a_conflict(demo, api_as, monkeypatch):
    """Two requests creating the same supplier code at once: the one that loses the race
    at the unique index gets the same 409 as a later request, not a 500 (the contract
    test met it). The other request runs on this test's connection here."""
    real_full_clean = Supplier.full_clean

    def full_clean_then_lose_the_race(self, *args, **kwargs):
        real_full_clean(self, *args, **kwargs)
        if self.pk is None and not Supplier.objects.filter(code=self.code).exists():
            Supplier.objects.create(code=self.code, name="Winner")

    monkeypatch.setattr(Supplier, "full_clean", full_clean_then_lose_the_race)
    response = api_as(demo.user("headoffice")).post(
        reverse("inventory-api:supplier-list"), {"code": "RACE", "name": "Loser"}, format="json"
    )
    assert response.status_code == 409 and "code" in response.json(), response.json()
    assert list(Supplier.objects.filter(code="RACE").values_list("name", flat=True)) == ["Winner"]


def test_an_unknown_category_is_404_even_with_a_taken_sku(demo, refs, api_as):
    api = api_as(demo.user("headoffice"))
    for payload in (
        {"sku": "APIX", "name": "x", "category": 999999},
        {"sku": "API1", "name": "dup", "category": 0},
    ):
        response = api.post(reverse("inventory-api:product-list"), payload, format="json")
        assert response.status_code == 404, response.json()


def test_bad_update_changes_nothing(demo, refs, api_as):
    _category, _supplier, product = refs
    api = api_as(demo.user("headoffice"))
    url = reverse("inventory-api:product-detail", args=[product.pk])
    response = api.patch(url, {"retail_price": "-3"}, format="json")
    assert response.status_code == 400 and "retail_price" in response.json()
    other = f.product(sku="API2")
    response = api.patch(url, {"sku": other.sku}, format="json")
    assert response.status_code == 409 and "sku" in response.json()
    product.refresh_from_db()
    assert product.sku == "API1" and product.retail_price >= 0


@pytest.mark.parametrize("kind", ["category", "product", "supplier"])
def test_unknown_ids_are_404(demo, refs, api_as, kind):
    api = api_as(demo.user("headoffice"))
    for pk in ["999999", "abc"]:
        url = reverse(f"inventory-api:{kind}-detail", args=[pk])
        assert api.get(url).status_code == 404
        assert api.patch(url, {"name": "x"}, format="json").status_code == 404


def test_a_wrong_role_is_refused_before_the_lookup(demo, api_as):
    api = api_as(demo.user("manager"))
    url = reverse("inventory-api:product-detail", args=["999999"])
    assert api.patch(url, {"name": "x"}, format="json").status_code == 403


def test_supplier_terms(demo, refs, api_as):
    _category, supplier, product = refs
    other = f.supplier()
    f.terms(product, other, unit_cost="5", preferred=True)
    url = reverse("inventory-api:product-supplier-terms", args=[product.pk])
    api = api_as(demo.user("headoffice"))
    response = api.post(
        url,
        {"supplier": supplier.pk, "unit_cost": "4.1", "pack_size": 6, "preferred": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    terms = {t["supplier_code"]: t for t in response.json()["supplier_terms"]}
    assert terms[supplier.code]["preferred"] and not terms[other.code]["preferred"]
    assert ProductSupplier.objects.get(product=product, supplier=supplier).pack_size == 6
    for bad in [
        {"supplier": supplier.pk, "unit_cost": "-1"},
        {"supplier": supplier.pk, "unit_cost": 1},
        {"supplier": supplier.pk, "unit_cost": "1", "pack_size": 0},
        {"supplier": supplier.pk, "unit_cost": "1", "min_order_quantity": "-1"},
        {"unit_cost": "1"},
    ]:
        assert api.post(url, bad, format="json").status_code == 400, bad
    assert api.post(url, {"supplier": 999999, "unit_cost": "1"}, format="json").status_code == 404
    assert ProductSupplier.objects.get(product=product, supplier=supplier).unit_cost == Decimal(
        "4.1"
    )
    missing = reverse("inventory-api:product-supplier-terms", args=["999999"])
    assert api.post(missing, {"supplier": supplier.pk, "unit_cost": "1"}).status_code == 404
    for username in ["manager", "regional", "staff"]:
        refused = api_as(demo.user(username)).post(
            url, {"supplier": supplier.pk, "unit_cost": "1"}, format="json"
        )
        assert refused.status_code == 403


@pytest.mark.parametrize("kind", ["category", "product", "supplier"])
def test_catalogue_lists_have_a_constant_query_count(demo, refs, api_as, kind):
    api = api_as(demo.user("staff"))
    url = reverse(f"inventory-api:{kind}-list")
    with CaptureQueriesContext(connection) as before:
        assert api.get(url).status_code == 200
    for n in range(5):
        f.supplier()
        f.product(sku=f"QC{n}", category_=f.category())
    with CaptureQueriesContext(connection) as after:
        assert api.get(url).status_code == 200
    assert len(before.captured_queries) == len(after.captured_queries)


def test_catalogue_writes_are_in_the_schema(demo, api_as):
    schema = api_as(demo.user("headoffice")).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for kind in ["categories", "products", "suppliers"]:
        assert "post" in paths[f"/api/v1/inventory/{kind}/"]
        assert {"put", "patch"} <= set(paths[f"/api/v1/inventory/{kind}/{{id}}/"])
    assert "post" in paths["/api/v1/inventory/products/{id}/supplier-terms/"]
