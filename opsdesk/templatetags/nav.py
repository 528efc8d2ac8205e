"""``{% main_nav %}``: the main navigation of every page (templates/_nav.html).

It depends only on the user's role, whether they are staff (the admin link), the language
and which section the page belongs to (``aria-current``), never on the user's records, so
each combination is rendered once per process and kept: the ~15 URL reversals and
translations it takes cost more than many a page's own content.
"""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsdesk.platform.roles import user_role

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _rendered(
    role: str | None,
    is_staff: bool,
    app_name: str,
    url_name: str,
    language: str,
    urlconf: str | None,
    script_prefix: str,
) -> SafeString:
    # The active language and URL configuration are those of the key (the caller's).
    html = render_to_string(
        "_nav.html",
        {"user_role": role, "is_staff": is_staff, "app_name": app_name, "url_name": url_name},
    )
    return mark_safe(html)  # noqa: S308 - our own template's output


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return _rendered(
        user_role(user),
        bool(user is not None and user.is_staff),
        (match.app_name if match else "") or "",
        (match.url_name if match else "") or "",
        get_language(),
        get_urlconf(),
        get_script_prefix(),
    )
