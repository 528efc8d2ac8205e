"""The main navigation (``{% main_nav %}``), rendered once per role, staff flag, language
and section, and kept: what each role sees, the current section, the language."""

import pytest
from django.urls import reverse

from opsdesk.templatetags.nav import _rendered

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    start = html.index('<ul class="nav" id="main-nav-list">')
    return html[start : html.index("</ul>", start)]


@pytest.mark.parametrize(
    ("username", "comparison", "admin"),
    [("staff", False, False), ("regional", True, False), ("headoffice", True, True)],
)
def test_each_role_sees_its_own_links(client, demo, username, comparison, admin):
    client.force_login(demo.user(username))
    nav = _nav(client.get(reverse("home")).content.decode())
    assert (reverse("checklists:region_comparison") in nav) is comparison
    assert (reverse("admin:index") in nav) is admin
    assert reverse("customers:complaint_list") in nav and reverse("staff:index") in nav


def test_the_current_section_is_marked_and_a_kept_nav_does_not_leak(client, demo):
    _rendered.cache_clear()
    client.force_login(demo.user("manager"))
    for url, current in (
        (reverse("customers:complaint_list"), reverse("customers:complaint_list")),
        (reverse("inventory:stocklevel_list"), reverse("inventory:stocklevel_list")),
        (reverse("customers:complaint_list"), reverse("customers:complaint_list")),
    ):
        nav = _nav(client.get(url).content.decode())
        assert nav.count('aria-current="page"') == 1
        assert f'<a href="{current}" aria-current="page"' in nav
    assert _rendered.cache_info().hits >= 1


def test_the_nav_follows_the_language(client, demo):
    user = demo.user("manager")
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    assert "投诉" in _nav(client.get(reverse("home")).content.decode())
    user.language = "en"
    user.save()
    assert "Complaints" in _nav(client.get(reverse("home")).content.decode())
