"""Writes: notify people (in-app, and by email through Django's mail), mark as read."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Notification

# What notify takes as a title or a body (see notify).
Text = str | Promise | Callable[[], str]


def recipient_language(user) -> str:
    """The language we write to ``user`` in when they are not in front of a browser: their
    chosen ``language``, else the site's ``LANGUAGE_CODE`` (never the sender's)."""
    try:
        return translation.get_supported_language_variant(
            getattr(user, "language", "") or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


def render_text(text: Text) -> str:
    """A title or body in the active language: a callable is called, a lazy string
    evaluated, a plain string kept as it is."""
    if callable(text) and not isinstance(text, Promise):
        text = text()
    return str(text)


def notify(
    *,
    users: Iterable,
    title: Text,
    body: Text = "",
    url: str = "",
    topic: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct active user; an email to those with an address.

    Each recipient reads it, in-app and by email, in their own language
    (``recipient_language``: ``User.language``, else ``settings.LANGUAGE_CODE``), whoever
    sends it and whatever language the sender's request or the task has active. ``title``
    and ``body`` are rendered once per distinct language among the recipients, under
    ``translation.override(language)``, during this call (the active language is restored
    afterwards); each may be:

    - a callable taking no argument, for a message with values in it. Everything it calls
      follows the recipient's language: ``gettext``, ``ngettext``, choice labels
      (``get_status_display()``), ``stores.i18n.local_text`` / ``store_label`` (``name_zh``
      for Chinese readers)::

          notify(
              users=[action.assignee, *regional_ops],
              title=lambda: _("Overdue at %(store)s: %(title)s")
              % {"store": store_label(action.store), "title": local_text(action.item, "prompt")},
              body=lambda: overdue_text(action.due_date, today),
          )

      In a loop (a sweep), send from a small function taking the loop's values, so the
      callables close over its arguments rather than the loop variable (ruff's B023);

    - a lazy string (``gettext_lazy("…")``, ``format_lazy("{} {}", …)``), evaluated in
      each language. Not ``gettext_lazy("… %(x)s") % {…}``: ``%`` renders it at once, in
      the sender's language; use a callable for that;
    - a plain string, kept as it is (text people typed: a note, a description).

    A callable is called once per language, not once per recipient, so the queries and the
    rendering of a notification to a thousand people are those of one or two. The rows are
    written in one query. The email goes out after the transaction commits, so a
    rolled-back change never mails anyone. ``url`` is a site path (``/checklists/actions/3/``).
    """
    recipients = {}
    for user in users:
        if user is not None and user.is_active:
            recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    language_of = {pk: recipient_language(user) for pk, user in recipients.items()}
    rendered = {}
    for language in sorted(set(language_of.values())):
        with translation.override(language):
            rendered[language] = (render_text(title)[:200], render_text(body))
    letters = [(user, *rendered[language_of[pk]]) for pk, user in recipients.items()]
    rows = Notification.objects.bulk_create(
        Notification(user=user, title=head, body=text, url=url, topic=topic, emailed=email)
        for user, head, text in letters
    )
    if email:
        messages = [
            (head, _email_body(text, url), settings.DEFAULT_FROM_EMAIL, [user.email])
            for user, head, text in letters
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
