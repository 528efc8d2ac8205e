"""Queue a Celery task by its name once the current transaction commits.

A service queues work with ``enqueue_on_commit("sales.import_batch_run", batch.pk)``
rather than importing its app's ``tasks.py``, which imports the services (a cycle). The
task runs exactly where ``.delay()`` runs it: on a worker, or in-process when Celery is
eager (no ``REDIS_URL``). Task names are explicit and stable, as the beat schedule's are.
"""

from celery import current_app
from django.db import transaction


def task(name: str):
    """The registered task called ``name`` (autodiscovering every app's tasks first)."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue_on_commit(name: str, *args) -> None:
    transaction.on_commit(lambda: task(name).delay(*args))
