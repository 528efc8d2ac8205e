"""notify writes to each recipient in their own language: ``User.language``, else the site's
``LANGUAGE_CODE`` (never the sender's), rendering once per language."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from opsdesk.platform.notifications.models import Notification
from opsdesk.platform.notifications.services import notify, recipient_language
from stores.i18n import local_text, store_label
from stores.models import Store

User = get_user_model()
# A store as the callables below see it: code, English name and Chinese name.
STORE = Store(code="SH1", name="Jing'an", name_zh="静安店")


def person(username, language, **extra):
    return User.objects.create_user(
        username,
        password="x",
        role="store_manager",
        email=f"{username}@x.test",
        language=language,
        **extra,
    )


@pytest.fixture
def audience(db):
    """One English reader, one Chinese reader, one who follows the browser (blank)."""
    return {
        "en": person("eve", "en"),
        "zh": person("zhou", "zh-hans"),
        "blank": person("bea", ""),
    }


def overdue_title():
    return _("Overdue at %(store)s: %(title)s") % {
        "store": store_label(STORE),
        "title": local_text({"prompt": "Fridge", "prompt_zh": "冷藏柜"}, "prompt"),
    }


def overdue_body():
    return ngettext(
        "Due %(due)s, %(days)d day overdue.", "Due %(due)s, %(days)d days overdue.", 2
    ) % {"due": "2026-03-11", "days": 2}


ENGLISH = ("Overdue at SH1 Jing'an: Fridge", "Due 2026-03-11, 2 days overdue.")
CHINESE = ("SH1 静安店 整改逾期：冷藏柜", "截止日期 2026-03-11，已逾期 2 天。")


def _read(user):
    note = Notification.objects.get(user=user)
    (email,) = [m for m in mail.outbox if m.to == [user.email]]
    return note, email


def test_a_mixed_audience_reads_it_in_their_languages_in_app_and_by_email(
    audience, settings, django_capture_on_commit_callbacks
):
    settings.OPSDESK_SITE_URL = "https://ops.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            users=audience.values(),
            title=overdue_title,
            body=overdue_body,
            url="/checklists/actions/7/",
            topic="action-overdue:7",
        )
    assert len(rows) == 3 and len(mail.outbox) == 3
    for key, (title, body) in [("en", ENGLISH), ("zh", CHINESE), ("blank", ENGLISH)]:
        note, email = _read(audience[key])
        assert (note.title, note.body) == (title, body), key
        assert email.subject == title
        assert email.body == f"{body}\n\nhttps://ops.example.com/checklists/actions/7/"
        assert (note.url, note.topic, note.emailed) == (
            "/checklists/actions/7/",
            "action-overdue:7",
            True,
        )


@pytest.mark.parametrize("sender_language", ["zh-hans", "en"])
def test_the_senders_language_never_leaks_and_is_restored(
    audience, sender_language, django_capture_on_commit_callbacks
):
    """A request served in Chinese (or English) notifies people in theirs, and carries on
    in its own language afterwards."""
    translation.activate(sender_language)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=audience.values(), title=overdue_title, body=overdue_body)
    assert translation.get_language() == sender_language
    got = {key: (n.title, n.body) for key, n in ((k, _read(u)[0]) for k, u in audience.items())}
    assert got == {"en": ENGLISH, "zh": CHINESE, "blank": ENGLISH}
    assert {m.subject for m in mail.outbox} == {ENGLISH[0], CHINESE[0]}


def test_the_language_is_restored_when_rendering_fails(audience):
    translation.activate("zh-hans")

    def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        notify(users=audience.values(), title=broken)
    assert translation.get_language() == "zh-hans"
    assert not Notification.objects.exists()


def test_lazy_strings_format_lazy_and_plain_strings(audience):
    notify(
        users=audience.values(),
        title=format_lazy("{}: {}", gettext_lazy("Overdue"), "SH1"),
        body=gettext_lazy("Please review the result and acknowledge it."),
        email=False,
    )
    notify(users=audience.values(), title="Fridge 7 °C", body="typed by a person", email=False)
    zh = Notification.objects.filter(user=audience["zh"]).order_by("pk")
    en = Notification.objects.filter(user=audience["en"]).order_by("pk")
    assert [(n.title, n.body) for n in zh] == [
        ("逾期: SH1", "请查看结果并确认。"),
        ("Fridge 7 °C", "typed by a person"),
    ]
    assert [(n.title, n.body) for n in en] == [
        ("Overdue: SH1", "Please review the result and acknowledge it."),
        ("Fridge 7 °C", "typed by a person"),
    ]


def test_each_language_is_cut_to_the_title_length(audience):
    notify(users=audience.values(), title=lambda: _("No such notification.") * 40, email=False)
    titles = dict(Notification.objects.values_list("user__username", "title"))
    assert len(titles["eve"]) == 200 and titles["eve"].startswith("No such notification.")
    assert titles["zhou"] == ("未找到该通知。" * 40)[:200]


def test_recipient_language():
    assert recipient_language(User(language="zh-hans")) == "zh-hans"
    assert recipient_language(User(language="en")) == "en"
    assert recipient_language(User(language="")) == "en"  # settings.LANGUAGE_CODE
    assert recipient_language(User(language="xx")) == "en"  # not a site language
    assert recipient_language(object()) == "en"


def test_rendering_and_queries_grow_with_languages_not_recipients(
    db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A callable runs once per language among the recipients; the rows are one INSERT.
    Here the title reads the database (as a real one may): its queries count once per
    language, for 3 readers as for 60."""
    calls = []

    def title():
        calls.append(translation.get_language())
        return f"{_('No such notification.')} {Store.objects.count()}"

    def crowd(size, prefix):
        return User.objects.bulk_create(
            User(
                username=f"{prefix}{i}",
                email=f"{prefix}{i}@x.test",
                language=["en", "zh-hans", ""][i % 3],
            )
            for i in range(size)
        )

    for size in (3, 60):
        users = crowd(size, f"p{size}-")
        calls.clear()
        mail.outbox.clear()
        with django_assert_num_queries(1 + 2), django_capture_on_commit_callbacks(execute=True):
            rows = notify(users=users, title=title, body=lambda: _("No such notification."))
        assert len(rows) == size and len(mail.outbox) == size
        assert sorted(calls) == ["en", "zh-hans"]
    assert set(Notification.objects.values_list("user__language", "title")) == {
        ("en", "No such notification. 0"),
        ("zh-hans", "未找到该通知。 0"),
        ("", "No such notification. 0"),
    }
