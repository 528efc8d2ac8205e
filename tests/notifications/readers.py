"""What a person received: their notification and its email, which must say the same."""

from django.core import mail

from opsdesk.platform.notifications.models import Notification


def received(user, **filters) -> tuple[str, str]:
    """(title, body) of the user's one notification matching ``filters``; its email (the
    user has an address) has that title as subject and that body before the link."""
    note = Notification.objects.get(user=user, **filters)
    emails = [m for m in mail.outbox if m.to == [user.email] and m.subject == note.title]
    assert len(emails) == 1, f"{user}: no email titled {note.title!r}"
    assert emails[0].body == note.body or emails[0].body.startswith(f"{note.body}\n\n")
    return note.title, note.body


def speaks(user, language: str):
    """Store the user's language choice ("" = follow the browser); returns the user."""
    user.language = language
    user.save(update_fields=["language"])
    return user
