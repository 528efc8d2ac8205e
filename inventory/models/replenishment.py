"""The record of one "create purchase orders" / "request transfer" action on the
replenishment page: its idempotency key makes a double submit create nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.access import ScopedQuerySet
from stores.models import Store

from .documents import PurchaseOrder, Transfer


class ReplenishmentBatch(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    # The form token of the page (or the API's idempotency key): unique per action.
    key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    purchase_orders = models.ManyToManyField(
        PurchaseOrder, blank=True, related_name="+", verbose_name=_("purchase orders")
    )
    transfers = models.ManyToManyField(
        Transfer, blank=True, related_name="+", verbose_name=_("transfers")
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("replenishment batch")
        verbose_name_plural = _("replenishment batches")

    def __str__(self) -> str:
        return f"{self.store_id} {self.key}"
