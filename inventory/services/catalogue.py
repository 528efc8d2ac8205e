"""Catalogue writes: head office (and admins) only. Everyone with a role reads it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from stores.access import ensure_role

from ..models import Category, Product, ProductSupplier, Supplier
from ..rules import CATALOGUE_WRITERS


def _save(instance, data: dict[str, Any]):
    for name, value in data.items():
        setattr(instance, name, value)
    if isinstance(instance, Product) and instance.barcode == "":
        instance.barcode = None
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Another request saved the same code, SKU or barcode since full_clean's check:
        # refuse it as full_clean would now (a 409 in the API), not as a server error.
        instance.validate_unique()
        raise
    return instance


def category_create(*, user, **data) -> Category:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(Category(), data)


def category_update(*, user, category: Category, **data) -> Category:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(category, data)


def product_create(*, user, **data) -> Product:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(Product(), data)


def product_update(*, user, product: Product, **data) -> Product:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(product, data)


def supplier_create(*, user, **data) -> Supplier:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(Supplier(), data)


def supplier_update(*, user, supplier: Supplier, **data) -> Supplier:
    ensure_role(user, CATALOGUE_WRITERS)
    return _save(supplier, data)


def product_supplier_set(*, user, product: Product, supplier: Supplier, **terms) -> ProductSupplier:
    """Create or change a supplier's terms for a product. Making them preferred makes
    the product's other terms not preferred (one preferred supplier per product)."""
    ensure_role(user, CATALOGUE_WRITERS)
    with transaction.atomic():
        # Lock the product's terms so that two "preferred" changes cannot interleave.
        list(ProductSupplier.objects.select_for_update().filter(product=product).order_by("pk"))
        if terms.get("preferred"):
            ProductSupplier.objects.filter(product=product, preferred=True).exclude(
                supplier=supplier
            ).update(preferred=False)
        instance = ProductSupplier.objects.filter(product=product, supplier=supplier).first()
        return _save(instance or ProductSupplier(product=product, supplier=supplier), terms)
