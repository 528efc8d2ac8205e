"""The staff exports: the shift list's and the assignment list's rows, scoped and filtered
exactly like their pages (store staff: published shifts, their own training)."""

import datetime

import pytest

from opsdesk.analytics.reports import datasets
from staff.models import Course, TrainingAssignment

from .conftest import day, put_shift

pytestmark = pytest.mark.django_db


def _rows(name, user, params=None):
    return list(datasets.get(name).prepare(user, params or {}).rows())


def test_shift_export_is_scoped_and_filtered(world):
    w = world
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", break_minutes=30, published=True)
    put_shift(w.bob, w.sh1, day(7), "09:00", "17:00", published=False)
    put_shift(w.dan, w.sh2, day(0), "09:00", "13:00", published=True)
    manager = _rows("shifts", w.manager)
    assert sorted((r[1], r[2], r[7]) for r in manager) == [("SH1", "Ann", 450), ("SH1", "Bob", 480)]
    assert [r[2] for r in _rows("shifts", w.ann_user)] == ["Ann"]  # the draft is not shown
    assert {r[1] for r in _rows("shifts", w.regional)} == {"SH1", "SH2"}
    assert _rows("shifts", w.manager_be) == []
    dated = _rows("shifts", w.head, {"date_from": day(7).isoformat()})
    assert [r[2] for r in dated] == ["Bob"]
    with pytest.raises(datasets.ExportError):
        _rows("shifts", w.manager, {"store": str(w.sh2.pk)})  # out of scope, like the page


def test_training_export_is_scoped(world):
    w = world
    course = Course.objects.create(code="c", name="Course")
    for person in (w.ann, w.bob, w.dan):
        TrainingAssignment.objects.create(
            employee=person, course=course, due_date=datetime.date(2020, 1, 1)
        )
    assert [r[1] for r in _rows("training_assignments", w.ann_user)] == ["Ann"]
    rows = _rows("training_assignments", w.manager)
    assert sorted(r[1] for r in rows) == ["Ann", "Bob"] and all(r[-1] for r in rows)  # overdue
    assert len(_rows("training_assignments", w.head, {"overdue": "true"})) == 3
