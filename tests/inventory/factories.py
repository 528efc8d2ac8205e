"""Small builders for inventory tests (on top of the seeded demo chain)."""

from decimal import Decimal

from inventory.models import Category, Product, ProductSupplier, Supplier
from stores.models import Store

_n = {"value": 0}


def _next() -> int:
    _n["value"] += 1
    return _n["value"]


def category(code: str | None = None) -> Category:
    code = code or f"cat{_next()}"
    return Category.objects.create(code=code, name=code.title())


def product(*, cost="10", category_=None, barcode=None, **extra) -> Product:
    n = _next()
    return Product.objects.create(
        sku=extra.pop("sku", f"T{n:05d}"),
        barcode=barcode,
        name=extra.pop("name", f"Test product {n}"),
        category=category_ or Category.objects.order_by("pk").first() or category(),
        cost=Decimal(cost),
        retail_price=Decimal(cost) * 2,
        **extra,
    )


def supplier(*, lead_time_days=2, min_order_value="0") -> Supplier:
    n = _next()
    return Supplier.objects.create(
        code=f"SUP{n}",
        name=f"Supplier {n}",
        lead_time_days=lead_time_days,
        min_order_value=Decimal(min_order_value),
    )


def terms(prod, supp, unit_cost="9", pack_size=1, preferred=True) -> ProductSupplier:
    return ProductSupplier.objects.create(
        product=prod,
        supplier=supp,
        unit_cost=Decimal(unit_cost),
        pack_size=pack_size,
        preferred=preferred,
    )


def store(code: str) -> Store:
    return Store.objects.get(code=code)
