"""Reads: a user's own notifications and their unread count."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).order_by("-created_at", "-pk")


def notification_get(*, user, pk: int) -> Notification:
    return get_object_or_404(notification_list(user=user), pk=pk)


def notification_unread_count(*, user) -> int:
    return Notification.objects.for_user(user).unread().count()
