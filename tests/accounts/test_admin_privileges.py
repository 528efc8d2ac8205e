"""Nobody but a superuser raises anyone's privileges through the admin.

Generic: for each role, every registered model admin's add and change form is posted
back with privilege fields slipped in (superuser, staff status, every group, every
permission, the admin role), every admin action is run on every row (confirmation
included), and the password form of every kind of account is tried. After each request
the privileges of every user are compared with what they were: a non-superuser may not
have raised any of them, nor changed or removed an account that holds them.

A superuser runs the same walk as the control: it must succeed in raising privileges,
which proves the forms were really posted with the fields the others are refused.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from opsdesk.platform.accounts.services import user_sync_role_access
from opsdesk.platform.roles import CHAIN_ROLES, Role

User = get_user_model()


class _FormFields(HTMLParser):
    """The fields a browser would submit, per POST form of the page."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_multiple = False
        self._select_chosen: list[str] = []
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text = ""

    @property
    def fields(self) -> list[tuple[str, str]]:
        """The page's main form: the POST form with the most fields (the admin header
        has a logout form of its own)."""
        return max(self.forms, key=len, default=[])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
            self.forms.append([])
        if not self._in_form:
            return
        fields = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_chosen, self._select_first = [], None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_chosen.append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = self._select_chosen
            if not chosen and not self._select_multiple and self._select_first is not None:
                chosen = [self._select_first]
            self.forms[-1].extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def _form_data(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def _form_errors(response) -> str:
    context = response.context or {}
    form = context.get("adminform")
    errors = [str(form.form.errors)] if form else []
    for formset in context.get("inline_admin_formsets", []):
        errors.append(str(formset.formset.errors) + str(formset.formset.non_form_errors()))
    return " ".join(errors) or f"{response.status_code}"


def _with_privileges(data: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        **data,
        "is_superuser": ["on"],
        "is_staff": ["on"],
        "is_active": ["on"],
        "groups": [str(pk) for pk in Group.objects.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
        "role": [Role.ADMIN],
        "email": ["taken-over@example.com"],
    }


def _snapshot() -> dict[int, tuple]:
    """Per user: their privileges, and for privileged accounts the whole account."""
    state = {}
    for user in User.objects.prefetch_related("groups", "user_permissions").order_by("pk"):
        groups = frozenset(g.pk for g in user.groups.all())
        perms = frozenset(p.pk for p in user.user_permissions.all())
        privileges = (user.is_superuser, user.is_staff, user.role in CHAIN_ROLES, groups, perms)
        account = None
        if any(privileges):
            account = (user.username, user.email, user.password, user.is_active, user.role)
        state[user.pk] = (privileges, account)
    return state


def _raised(before: tuple, after: tuple) -> bool:
    superuser, staff, chain, groups, perms = before
    superuser2, staff2, chain2, groups2, perms2 = after
    return (
        (superuser2 and not superuser)
        or (staff2 and not staff)
        or (chain2 and not chain)
        or bool(groups2 - groups)
        or bool(perms2 - perms)
    )


def _violations(before: dict, after: dict) -> list[str]:
    problems = []
    for pk, (privileges, account) in before.items():
        if pk not in after:
            if account is not None:
                problems.append(f"privileged user {pk} was deleted")
            continue
        privileges2, account2 = after[pk]
        if _raised(privileges, privileges2):
            problems.append(f"user {pk} gained privileges: {privileges} -> {privileges2}")
        if account is not None and (privileges2, account2) != (privileges, account):
            problems.append(f"privileged user {pk} was changed")
    for pk, (privileges2, _account2) in after.items():
        if pk not in before and (privileges2[0] or privileges2[1] or privileges2[2]):
            problems.append(f"new user {pk} was created with privileges {privileges2}")
        if pk not in before and (privileges2[3] or privileges2[4]):
            problems.append(f"new user {pk} was created with groups or permissions")
    return problems


@pytest.fixture
def accounts(demo):
    """One account of every kind, with an extra group and a permission in play."""
    Group.objects.get_or_create(name="Auditors")
    plain_admin = User.objects.create_user("adminrole", password="x", role=Role.ADMIN)
    user_sync_role_access(user=plain_admin)
    special = User.objects.create_user("special", password="x", role=Role.STORE_MANAGER)
    special.user_permissions.add(Permission.objects.get(codename="view_store"))
    victim = User.objects.create_user("victim", password="x", role=Role.STORE_STAFF)
    user_sync_role_access(user=victim)
    return {**demo.users, "adminrole": plain_admin, "victim": victim, "special": special}


def _admin_urls(model_admin, obj_pk) -> dict[str, str | None]:
    info = model_admin.model._meta.app_label, model_admin.model._meta.model_name
    urls = {}
    for view, args in (("changelist", ()), ("add", ()), ("change", (obj_pk,))):
        try:
            urls[view] = reverse("admin:{}_{}_{}".format(*info, view), args=args)
        except NoReverseMatch:
            urls[view] = None
    return urls


def _walk(client, actor_name: str) -> list[str]:
    """Every admin form, action and password form as the signed-in actor; returns the
    privilege violations seen (a request counts once)."""
    problems: list[str] = []

    def check(label, before):
        for problem in _violations(before, _snapshot()):
            problems.append(f"{actor_name} {label}: {problem}")

    def post(url, data, label):
        before = _snapshot()
        response = client.post(url, data)
        assert response.status_code != 500, f"{label}: 500"
        check(label, before)
        return response

    for model, model_admin in list(admin.site._registry.items()):
        name = f"{model._meta.app_label}.{model._meta.model_name}"
        targets = (
            list(User.objects.order_by("pk"))
            if model is User
            else list(model._default_manager.order_by("pk")[:1])
        )
        urls = _admin_urls(model_admin, targets[0].pk if targets else 0)
        if urls["add"]:
            response = client.get(urls["add"])
            if response.status_code == 200:
                post(urls["add"], _with_privileges(_form_data(response.content.decode())), name)
            else:
                post(urls["add"], _with_privileges({}), f"{name} add (refused form)")
        for target in targets:
            urls = _admin_urls(model_admin, target.pk)
            if not urls["change"]:
                continue
            response = client.get(urls["change"])
            data = _form_data(response.content.decode()) if response.status_code == 200 else {}
            post(urls["change"], _with_privileges(data), f"{name} change {target.pk}")
            if model is User:
                password_url = reverse("admin:auth_user_password_change", args=[target.pk])
                post(
                    password_url,
                    {
                        "password1": "Taken-over-123!",
                        "password2": "Taken-over-123!",
                        "usable_password": "true",
                    },
                    f"password of {target.pk}",
                )
        if urls["changelist"] and targets:
            response = client.get(urls["changelist"])
            actions = []
            if response.status_code == 200 and response.context:
                form = response.context.get("action_form")
                if form is not None:
                    actions = [value for value, _label in form.fields["action"].choices if value]
            for action in actions or ["delete_selected"]:
                selected = [str(t.pk) for t in targets]
                data = {"action": action, "_selected_action": selected, "index": 0}
                post(urls["changelist"], data, f"{name} action {action}")
                post(urls["changelist"], {**data, "post": "yes"}, f"{name} action {action} ok")
    return problems


@pytest.mark.parametrize(
    "actor", ["headoffice", "adminrole", "regional", "manager", "staff", "victim"]
)
def test_no_role_but_superuser_raises_privileges_in_the_admin(accounts, client, actor):
    client.force_login(accounts[actor])
    assert _walk(client, actor) == []


def test_the_walk_does_raise_privileges_as_a_superuser(accounts, client):
    """The control: the same requests as a superuser do grant privileges, so the walk
    above really posts the fields that the other roles are refused."""
    client.force_login(accounts["admin"])
    problems = _walk(client, "admin")
    assert any("gained privileges" in p for p in problems), problems[:5]


def test_head_office_sees_no_privilege_fields(accounts, client):
    client.force_login(accounts["headoffice"])
    victim = accounts["victim"]
    page = client.get(reverse("admin:accounts_user_change", args=[victim.pk])).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in page, field
    assert 'value="admin"' not in page and 'value="head_office"' not in page
    add_page = client.get(reverse("admin:accounts_user_add")).content.decode()
    assert 'value="admin"' not in add_page and 'value="head_office"' not in add_page


def test_head_office_still_manages_store_people(accounts, client):
    """The restriction leaves head office's job intact: a store person's role, name and
    password are theirs to change."""
    client.force_login(accounts["headoffice"])
    victim = accounts["victim"]
    url = reverse("admin:accounts_user_change", args=[victim.pk])
    data = _form_data(client.get(url).content.decode())
    data.update(role=[Role.STORE_MANAGER], first_name=["Wei"])
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    victim.refresh_from_db()
    assert (victim.role, victim.first_name, victim.is_staff) == (Role.STORE_MANAGER, "Wei", False)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[victim.pk]),
        {"password1": "Fresh-pass-4567", "password2": "Fresh-pass-4567", "usable_password": "true"},
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.check_password("Fresh-pass-4567")


@pytest.mark.parametrize("target", ["admin", "headoffice", "adminrole", "special"])
def test_head_office_cannot_touch_a_privileged_account(accounts, client, target):
    client.force_login(accounts["headoffice"])
    user = accounts[target]
    password = user.password
    change = reverse("admin:accounts_user_change", args=[user.pk])
    assert client.post(change, {"email": "x@example.com"}).status_code == 403
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Taken-over-123!", "password2": "Taken-over-123!"},
    )
    assert response.status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[user.pk])).status_code == 403
    user.refresh_from_db()
    assert user.password == password and user.email != "x@example.com"


def test_head_office_gives_store_roles_only(accounts, client):
    client.force_login(accounts["headoffice"])
    url = reverse("admin:accounts_user_add")
    data = _form_data(client.get(url).content.decode())
    data.update(
        username=["climber"],
        password1=["a-long-enough-pass-123"],
        password2=["a-long-enough-pass-123"],
        role=[Role.HEAD_OFFICE],
    )
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the refused choice
    assert not User.objects.filter(username="climber").exists()
