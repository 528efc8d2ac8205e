"""The SLA clocks as people read them: time left, overdue by, met, breached."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def duration_text(delta: datetime.timedelta) -> str:
    """2 d 3 h, 3 h 20 min, 12 min (rounded down to the minute)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def minutes(value: int) -> str:
    """A target in minutes as people read it (1 d 0 h, 4 h 0 min)."""
    return duration_text(datetime.timedelta(minutes=int(value)))


@dataclass(frozen=True)
class Clock:
    name: str  # "first_response" or "resolution"
    state: str  # "running", "overdue", "met", "breached", "none"
    due: datetime.datetime | None
    text: str

    @property
    def label(self) -> str:
        return _("First response") if self.name == "first_response" else _("Resolution")


def _clock(name: str, due, met, now) -> Clock:
    if due is None:
        return Clock(name, "none", None, "")
    if met is not None:
        if met > due:
            late = duration_text(met - due)
            return Clock(name, "breached", due, _("late by %(d)s") % {"d": late})
        return Clock(name, "met", due, _("met, %(d)s early") % {"d": duration_text(due - met)})
    if now > due:
        return Clock(name, "overdue", due, _("overdue by %(d)s") % {"d": duration_text(now - due)})
    return Clock(name, "running", due, _("%(d)s left") % {"d": duration_text(due - now)})


@register.simple_tag
def sla_clocks(complaint, now=None) -> list[Clock]:
    """Both clocks of a complaint (none for feedback)."""
    now = now or timezone.now()
    if complaint.first_response_due_at is None:
        return []
    return [
        _clock(
            "first_response", complaint.first_response_due_at, complaint.first_responded_at, now
        ),
        _clock("resolution", complaint.resolution_due_at, complaint.first_resolved_at, now),
    ]


@register.simple_tag
def sla_summary(complaint, now=None) -> Clock | None:
    """The clock to look at in a list: a breached one first, else the one running."""
    clocks = sla_clocks(complaint, now)
    for state in ("overdue", "breached", "running"):
        for clock in clocks:
            if clock.state == state:
                return clock
    return clocks[-1] if clocks else None
