"""Why every test starts with Celery's "inside a task" flag off (tests/conftest.py).

Two threads running eager tasks at once, as the live server's threads do in the browser
tests, leave Celery's process-wide flag on: the thread that leaves last restores the
value the other one had set. Afterwards any ``result.get()`` in the process is refused.
"""

import threading

import pytest
from celery._state import task_join_will_block
from celery.exceptions import ImproperlyConfigured

from opsdesk.celery import app
from tests.conftest import celery_leave_task_context

WAIT = 10
first_inside = threading.Event()
second_inside = threading.Event()
first_left = threading.Event()


@app.task(name="tests.celery_state.overlap")
def overlap(role: str) -> str:
    # Enter: first, then second. Leave: first, then second.
    if role == "first":
        first_inside.set()
        assert second_inside.wait(WAIT)
    else:
        assert first_inside.wait(WAIT)
        second_inside.set()
        assert first_left.wait(WAIT)
    return role


def _run(role: str, results: dict) -> None:
    results[role] = overlap.apply_async(args=[role]).get(disable_sync_subtasks=False)
    if role == "first":
        first_left.set()


@pytest.fixture
def eager(settings):
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    for event in (first_inside, second_inside, first_left):
        event.clear()
    yield
    app.conf.task_always_eager = saved
    celery_leave_task_context()


def test_two_threads_running_eager_tasks_leave_the_flag_on_and_the_fixture_clears_it(eager):
    assert task_join_will_block() is False
    results = {}
    threads = [threading.Thread(target=_run, args=(role, results)) for role in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert results == {"first": "first", "second": "second"}

    # Nobody is inside a task any more, yet Celery believes this process is.
    assert task_join_will_block() is True
    with pytest.raises((RuntimeError, ImproperlyConfigured), match="within a task"):
        overlap.apply_async(args=["second"]).get()

    celery_leave_task_context()
    assert task_join_will_block() is False
