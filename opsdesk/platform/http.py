"""HTTP helpers shared by the pages."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default: str) -> str:
    """The posted ``next`` when it stays on this site, else ``default``: an address on
    another host or scheme-relative (``https://evil.example/``, ``//evil.example``) is
    never followed."""
    url = request.POST.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
