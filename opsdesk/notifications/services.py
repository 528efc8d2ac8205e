"""Writes: notify people (in-app, and by email through Django's mail), mark as read."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification


def notify(
    *,
    users: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct active user; an email to those with an address.

    The email goes out after the transaction commits, so a rolled-back change never
    mails anyone. ``url`` is a site path (``/checklists/actions/3/``).
    """
    recipients = {}
    for user in users:
        if user is not None and user.is_active:
            recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    title, body = str(title)[:200], str(body)
    rows = Notification.objects.bulk_create(
        Notification(user=user, title=title, body=body, url=url, topic=topic, emailed=email)
        for user in recipients.values()
    )
    if email:
        messages = [
            (title, _email_body(body, url), settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in recipients.values()
            if user.email
        ]
        if messages:
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return rows


def _email_body(body: str, url: str) -> str:
    base = getattr(settings, "OPSDESK_SITE_URL", "").rstrip("/")
    return f"{body}\n\n{base}{url}" if url else body


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (404 if it is not theirs), or all."""
    mine = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        if not Notification.objects.for_user(user).filter(pk=notification_id).exists():
            raise Http404(_("No such notification."))
        mine = mine.filter(pk=notification_id)
    return mine.update(read_at=timezone.now())
