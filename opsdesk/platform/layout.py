"""The page layout (``templates/base.html``) around content a view already holds as HTML,
rendered once per user, language, section and title and kept in the process.

The region and chain dashboards take their content from the cache; rendering the layout
around it (navigation, language form, user menu: some forty template nodes) was then a
third of the page's own time. What the layout shows of the request is cut out of the kept
copy and filled in on every request: the CSRF token (a fresh mask each time) and the path
the language form returns to. A request with messages to show is rendered in full (the
messages are shown once, then gone), so is anybody not signed in.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsdesk.platform.roles import user_role

# Markers cut into the kept layout: a NUL cannot occur in a rendered template.
_CSRF = "\x00csrf\x00"
_PATH = "\x00path\x00"
_CONTENT = "\x00content\x00"
_TEMPLATE = "_layout_shell.html"


_SHELLS: dict[tuple, tuple[str, ...]] = {}
_MAX_SHELLS = 2048


def _shell(request, title: str) -> tuple[str, ...]:
    """The layout for this user, page and language, split at the markers: literal text at
    even positions, a marker's name at odd ones. The key holds everything ``base.html``
    shows of the user and the page (its name, role, staff flag, section, title, language);
    what it shows of the request is cut out."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    key = (
        user.pk,
        user.get_full_name() or user.get_username(),
        user_role(user),
        user.role,
        user.is_staff,
        (match.app_name if match else "") or "",
        (match.url_name if match else "") or "",
        title,
        get_language(),
        get_urlconf(),
        get_script_prefix(),
    )
    parts = _SHELLS.get(key)
    if parts is None:
        html = render_to_string(
            _TEMPLATE,
            {
                "shell_title": title,
                "shell_content": mark_safe(_CONTENT),  # noqa: S308 - a marker, replaced below
                "csrf_token": _CSRF,
                "next_path": _PATH,
                "messages": (),
            },
            request=request,
        )
        parts = tuple(html.split("\x00"))
        if len(_SHELLS) >= _MAX_SHELLS:
            _SHELLS.clear()
        _SHELLS[key] = parts
    return parts


def render_in_layout(request, *, title: str, content: SafeString) -> SafeString:
    """``content`` (HTML) inside the page layout, as a template extending ``base.html``
    with ``title`` and ``content`` blocks would render it."""
    if not request.user.is_authenticated or len(get_messages(request)):
        return render_to_string(
            _TEMPLATE, {"shell_title": title, "shell_content": content}, request=request
        )
    parts = _shell(request, str(title))
    fill = {
        "csrf": get_token(request),
        "path": escape(request.get_full_path()),
        "content": content,
    }
    return mark_safe(  # noqa: S308 - our template's output and escaped values
        "".join(fill[part] if i % 2 else part for i, part in enumerate(parts))
    )
