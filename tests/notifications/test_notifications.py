"""The notification service: in-app rows, email after commit, read state, pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from opsdesk.platform.notifications.models import Notification
from opsdesk.platform.notifications.selectors import notification_unread_count
from opsdesk.platform.notifications.services import notification_mark_read, notify

User = get_user_model()


@pytest.fixture
def people(db):
    return {
        name: User.objects.create_user(
            name, password="x", role="store_manager", email=f"{name}@x.test"
        )
        for name in ("ann", "bob")
    }


def test_notify_creates_one_row_per_user_and_mails_after_commit(
    people, django_capture_on_commit_callbacks
):
    ann, bob = people["ann"], people["bob"]
    silent = User.objects.create_user("cy", password="x", role="store_staff")  # no email
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            users=[ann, bob, ann, None, silent],
            title="Fridge too warm",
            body="7 °C",
            url="/checklists/",
        )
    assert len(rows) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@x.test", "bob@x.test"]
    assert mail.outbox[0].subject == "Fridge too warm" and "/checklists/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[ann], title="In-app only", email=False)
    assert len(mail.outbox) == 2
    assert notification_unread_count(user=ann) == 2


def test_no_mail_when_the_transaction_rolls_back(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[people["ann"]], title="x")
    assert len(callbacks) == 1 and mail.outbox == []


def test_mark_read_only_your_own(people):
    ann, bob = people["ann"], people["bob"]
    (mine,) = notify(users=[ann], title="a", email=False)
    (theirs,) = notify(users=[bob], title="b", email=False)
    from django.http import Http404

    with pytest.raises(Http404):
        notification_mark_read(user=ann, notification_id=theirs.pk)
    assert notification_mark_read(user=ann, notification_id=mine.pk) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    notify(users=[ann], title="c", email=False)
    assert notification_mark_read(user=ann) == 1
    assert notification_unread_count(user=ann) == 0


def test_pages(people, client):
    ann, bob = people["ann"], people["bob"]
    notify(users=[ann], title="Overdue: fridge", url="/checklists/actions/", email=False)
    (theirs,) = notify(users=[bob], title="Bob only", email=False)
    assert client.get(reverse("notifications:notification_list")).status_code == 302
    client.force_login(ann)
    page = client.get(reverse("notifications:notification_list"))
    assert (
        page.status_code == 200 and "Overdue: fridge" in page.text and "Bob only" not in page.text
    )
    badge = client.get(reverse("notifications:notification_badge"))
    assert 'data-testid="unread-count"' in badge.text and ">1<" in badge.text
    assert "no-cache" in badge["Cache-Control"] or "max-age=0" in badge["Cache-Control"]
    # Opening one marks it read and follows its link; someone else's is a 404.
    mine = Notification.objects.get(user=ann)
    response = client.post(reverse("notifications:notification_read"), {"id": mine.pk})
    assert response.status_code == 302 and response["Location"] == "/checklists/actions/"
    assert (
        client.post(reverse("notifications:notification_read"), {"id": theirs.pk}).status_code
        == 404
    )
    assert client.post(reverse("notifications:notification_read"), {"id": "abc"}).status_code == 404
    assert client.get(reverse("notifications:notification_read")).status_code == 405
    assert client.get(reverse("notifications:notification_badge")).text.strip() == ""


def test_list_page_query_count_is_constant(people, client, django_assert_max_num_queries):
    ann = people["ann"]
    client.force_login(ann)
    notify(users=[ann], title="one", email=False)
    with django_assert_max_num_queries(6) as one:
        client.get(reverse("notifications:notification_list"))
    for i in range(30):
        notify(users=[ann], title=f"n{i}", email=False)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("notifications:notification_list"))
