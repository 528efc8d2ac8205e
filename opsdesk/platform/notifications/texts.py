"""Phrases that several apps' notifications share. Each renders in the active language, so
call them inside the callable given to ``notify`` (once per recipient language)."""

from __future__ import annotations

import datetime

from django.utils.translation import ngettext


def overdue_text(due: datetime.date, today: datetime.date) -> str:
    """``Due 2026-03-11, 2 days overdue.``: ``today`` is the store-local date."""
    days = (today - due).days
    return ngettext(
        "Due %(due)s, %(days)d day overdue.",
        "Due %(due)s, %(days)d days overdue.",
        days,
    ) % {"due": due.isoformat(), "days": days}
