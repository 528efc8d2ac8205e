"""The kept page layout (``opsdesk.platform.layout``, ``{% layout %}``) of the region and chain
dashboards: the same page as extending ``base.html``, with this request's CSRF token,
path and messages; and the kept store query of the dashboards, which follows a change of
role, of activity or of assignments at once."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from opsdesk.analytics.dashboards.selectors import trading_stores
from opsdesk.platform import layout
from opsdesk.platform.roles import Role
from stores.models import Region, RegionAssignment, Store

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def _without_tokens(html: str) -> str:
    return _TOKEN.sub(r'\1-"', html)


def _tokens(html: str) -> list[str]:
    return [m.group(0).rsplit('"', 2)[-2] for m in _TOKEN.finditer(html)]


def _request(user, path="/dashboards/chain/?period=7d&month=2026-11"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.resolver_match = resolve(path.split("?")[0])
    return request


def _both(request, title="T & co", content="<p>figures</p>"):
    """The page through ``{% layout %}`` and through ``{% extends "base.html" %}``."""
    django_engine = engines["django"]
    kept = django_engine.from_string(
        "{% load layout %}{% layout title %}" + content + "{% endlayout %}"
    )
    full = django_engine.from_string(
        '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
        "{% block content %}" + content + "{% endblock %}"
    )
    context = {"title": title}
    return kept.render(context, request), full.render(context, request)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("username", ["headoffice", "regional", "admin"])
def test_the_kept_layout_is_the_page_base_html_renders(demo, username, language):
    layout._SHELLS.clear()
    user = demo.user(username)
    with translation.override(language):
        for _ in range(2):  # rendered, then kept
            kept, full = _both(_request(user))
            assert _without_tokens(kept) == _without_tokens(full)
    assert "T &amp; co · OpsDesk" in kept
    assert len(layout._SHELLS) == 1


def test_each_request_gets_its_own_token_and_path(demo):
    layout._SHELLS.clear()
    user = demo.user("headoffice")
    first = _request(user, "/dashboards/chain/?period=7d")
    second = _request(user, "/dashboards/chain/?period=30d&x=<b>")
    page_one, _ = _both(first)
    page_two, _ = _both(second)
    assert len(layout._SHELLS) == 1
    assert 'name="next" value="/dashboards/chain/?period=7d"' in page_one
    assert 'name="next" value="/dashboards/chain/?period=30d&amp;x=%3Cb%3E"' in page_two
    # One token per page, as the CSRF context processor gives, freshly masked each time.
    assert len(_tokens(page_one)) == 3 and len(set(_tokens(page_one))) == 1
    assert set(_tokens(page_one)).isdisjoint(_tokens(page_two))


def test_a_kept_layout_is_never_another_users(demo):
    layout._SHELLS.clear()
    regional, headoffice = demo.user("regional"), demo.user("headoffice")
    page_regional, _ = _both(_request(regional))
    page_headoffice, _ = _both(_request(headoffice))
    assert len(layout._SHELLS) == 2
    assert "(Regional ops)" in page_regional and "(Head office)" in page_headoffice
    regional.first_name, regional.last_name = "Renamed", "Person"
    regional.save()
    page_renamed, _ = _both(_request(regional))
    assert "Renamed Person" in page_renamed


def test_a_request_with_messages_renders_them_in_full(demo):
    layout._SHELLS.clear()
    request = _request(demo.user("headoffice"))
    messages.success(request, "Saved the targets.")
    kept, full = _both(request)
    assert "Saved the targets." in kept
    assert _without_tokens(kept) == _without_tokens(full)
    assert not layout._SHELLS


def test_the_region_dashboard_posts_the_language_form_with_its_token(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("regional"))
    region = Region.objects.visible_to(demo.user("regional")).order_by("code").first()
    url = reverse("dashboards:region", args=[region.pk]) + "?period=7d"
    for _ in range(2):  # the second page comes from the kept layout
        page = client.get(url).content.decode()
    token = _tokens(page)[0]
    response = client.post(
        reverse("language_set"),
        {"language": "zh-hans", "next": url, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert "区域" in client.get(url).content.decode()


def test_the_kept_store_query_follows_role_activity_and_assignments(demo):
    user = demo.user("regional")
    region = Region.objects.visible_to(user).order_by("code").first()
    stores = list(trading_stores(user=user, region=region))
    assert stores and all(s.region_id == region.pk for s in stores)
    assert all(s.status != Store.Status.PLANNED for s in stores)

    RegionAssignment.objects.filter(user=user, region=region).delete()
    assert list(trading_stores(user=user, region=region)) == []
    RegionAssignment.objects.create(user=user, region=region)
    assert list(trading_stores(user=user, region=region.pk)) == stores

    user.role = Role.STORE_MANAGER  # assigned to no store
    user.save()
    assert list(trading_stores(user=user, region=region)) == []
    user.role = Role.HEAD_OFFICE
    user.save()
    assert len(list(trading_stores(user=user))) == Store.objects.exclude(status="planned").count()
    user.is_active = False
    user.save()
    assert list(trading_stores(user=user)) == []
