import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from opsdesk.platform.accounts.services import (
    HEAD_OFFICE_GROUP,
    user_set_language,
    user_sync_role_access,
)
from opsdesk.platform.roles import Role


def test_login_and_logout(demo, client):
    response = client.post(
        reverse("login"), {"username": "manager", "password": "opsdesk-demo"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "manager"
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(demo, client):
    response = client.post(reverse("login"), {"username": "manager", "password": "nope"})
    assert response.status_code == 200
    assert "match. Please try again" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_password_change(demo, client):
    client.force_login(demo.user("manager"))
    url = reverse("password_change")
    bad = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert demo.user("manager").check_password("opsdesk-demo")
    new = "store-ops-2026-secure"
    good = client.post(
        url, {"old_password": "opsdesk-demo", "new_password1": new, "new_password2": new}
    )
    assert good.status_code == 302 and good["Location"] == reverse("password_change_done")
    assert demo.user("manager").check_password(new)


def test_language_is_remembered_on_the_user(demo, client):
    manager = demo.user("manager")
    client.force_login(manager)
    response = client.post(reverse("language_set"), {"language": "zh-hans", "next": "/stores/"})
    assert response.status_code == 302 and response["Location"] == "/stores/"
    manager.refresh_from_db()
    assert manager.language == "zh-hans"
    # A new session with no cookie still gets Chinese: the choice lives on the user.
    client.cookies.clear()
    client.force_login(manager)
    page = client.get(reverse("home"))
    assert page.context["LANGUAGE_CODE"] == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()


def test_language_for_anonymous_is_a_cookie(db, client):
    response = client.post(reverse("language_set"), {"language": "zh-hans"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert client.get(reverse("login")).context["LANGUAGE_CODE"] == "zh-hans"


def test_bad_language_changes_nothing(demo, client):
    manager = demo.user("manager")
    client.force_login(manager)
    response = client.post(reverse("language_set"), {"language": "klingon"})
    assert response.status_code == 400
    manager.refresh_from_db()
    assert manager.language == ""
    with pytest.raises(ValidationError):
        user_set_language(user=manager, language="xx")


def test_language_switch_never_redirects_off_site(demo, client):
    client.force_login(demo.user("manager"))
    response = client.post(
        reverse("language_set"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_language_switch_needs_post(db, client):
    assert client.get(reverse("language_set")).status_code == 405


def test_role_access_sync_gives_head_office_the_admin(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("ho2", password="x", role=Role.HEAD_OFFICE)
    user_sync_role_access(user=user)
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=HEAD_OFFICE_GROUP).exists()
    assert user.has_perm("stores.change_store") and user.has_perm("accounts.add_user")
    assert not user.has_perm("auth.change_group")
    user.role = Role.STORE_MANAGER
    user.save()
    user_sync_role_access(user=user)
    user = get_user_model().objects.get(pk=user.pk)
    assert not user.is_staff and not user.has_perm("stores.change_store")


def test_head_office_creates_a_user_with_access_in_the_admin(demo, client):
    from django.contrib.auth import get_user_model

    from stores.models import Store

    client.force_login(demo.user("headoffice"))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newmanager",
            "password1": "a-long-enough-pass-123",
            "password2": "a-long-enough-pass-123",
            "role": Role.STORE_MANAGER,
            "language": "",
            "usable_password": "true",
            "store_assignments-TOTAL_FORMS": "1",
            "store_assignments-INITIAL_FORMS": "0",
            "store_assignments-0-store": Store.objects.get(code="GZ002").pk,
            "region_assignments-TOTAL_FORMS": "0",
            "region_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="newmanager")
    assert set(Store.objects.visible_to(user).values_list("code", flat=True)) == {"GZ002"}
