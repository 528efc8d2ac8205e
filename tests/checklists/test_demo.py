"""The checklist part of seed_demo: realistic, consistent, deterministic and fast."""

import datetime

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores.checklists.models import (
    Answer,
    ChecklistRun,
    ChecklistTemplate,
    CorrectiveAction,
    TemplateItem,
)
from stores.demo import seed_stores

TODAY = datetime.date(2026, 6, 1)


def _seed(seed=42, stores=12, days=14):
    from stores.checklists.demo import seed_checklists

    chain = seed_stores(stores=stores, seed=seed, password="x", today=TODAY)
    reverse("home")  # load the URLconf first: a one-off import, not seeding
    with CaptureQueriesContext(connection) as queries:
        summary = seed_checklists(chain=chain, days=days, seed=seed, today=TODAY)
    return chain, summary, len(queries)


def _snapshot():
    return (
        list(
            ChecklistRun.objects.order_by(
                "store__code", "business_date", "due_at", "kind"
            ).values_list(
                "store__code",
                "business_date",
                "version__template__code",
                "status",
                "timeliness",
                "score",
            )
        ),
        list(
            CorrectiveAction.objects.order_by("store__code", "due_date", "title").values_list(
                "store__code", "title", "status", "due_date"
            )
        ),
    )


def test_seed_is_realistic_and_fast(db):
    chain, summary, queries = _seed()
    # Bulk inserts only: a fixed number of statements, whatever the size of the chain (the
    # wall time, 0.5 s on an idle machine, is reported rather than asserted: shared CI
    # machines drift).
    assert queries <= 25, queries
    assert summary["runs"] > 400 and summary["answers"] > 1500
    codes = set(ChecklistTemplate.objects.values_list("code", flat=True))
    assert {
        "opening",
        "closing",
        "food-safety",
        "visual-merch",
        "cash-office",
        "health-safety",
        "store-visit",
    } <= codes
    assert not TemplateItem.objects.filter(prompt_zh="").exists()
    fridge = TemplateItem.objects.get(prompt="Fridge 1 temperature")
    assert (fridge.min_value, fridge.max_value, fridge.critical) == (0, 5, True)
    by = dict(
        ChecklistRun.objects.filter(kind="checklist")
        .values_list("timeliness")
        .annotate(n=Count("pk"))
    )
    assert by["on_time"] > 3 * (by["late"] + by["missed"])  # mostly on time
    assert by["late"] and by["missed"] and by["pending"]  # today's runs are still open
    assert ChecklistRun.objects.filter(kind="audit", status="acknowledged").exists()
    assert Answer.objects.filter(passed=False).exists()
    assert CorrectiveAction.objects.filter(status="open", due_date__lt=TODAY).exists()
    # Closed days are skipped: the temporarily closed store has no runs.
    closed = [s for s in chain.stores if s.status != "open"]
    assert closed and not ChecklistRun.objects.filter(store__in=closed).exists()
    # Every submitted run has its score, every failed answer its corrective action.
    assert not ChecklistRun.objects.filter(
        status="submitted", points_possible__isnull=True
    ).exists()
    assert Answer.objects.filter(passed=False).count() == CorrectiveAction.objects.count()


def test_seed_is_deterministic(db):
    _seed(seed=7)
    first = _snapshot()
    ChecklistRun.objects.all().delete()
    from django.contrib.auth import get_user_model

    from opsdesk.platform.notifications.models import Notification
    from stores.models import Region, Store

    Notification.objects.all().delete()
    ChecklistTemplate.objects.all().delete()
    get_user_model().objects.all().delete()
    Store.objects.all().delete()
    Region.objects.all().delete()
    _seed(seed=7)
    assert _snapshot() == first


def test_seed_statements_grow_by_batches_not_rows(db):
    *_rest, small = _seed(stores=3, days=3)
    from django.contrib.auth import get_user_model

    from opsdesk.platform.notifications.models import Notification
    from stores.models import Region, Store

    ChecklistRun.objects.all().delete()
    Notification.objects.all().delete()
    ChecklistTemplate.objects.all().delete()
    get_user_model().objects.all().delete()
    Store.objects.all().delete()
    Region.objects.all().delete()
    _chain, summary, large = _seed(stores=30, days=20)
    # Only the number of batches (thousands of rows each) grows, never per row.
    assert small <= large <= small + 8
    assert summary["answers"] > 5000


def test_photo_answers_show_a_real_stored_photo(db, settings, tmp_path):
    """Every answered photo item of the demo points at a photo whose files exist, of its
    run's store, served like an upload (an image and its thumbnail)."""
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    _seed(stores=4, days=3)
    answers = Answer.objects.filter(item__kind="photo", not_applicable=False).select_related(
        "photo", "run"
    )
    assert answers.exists()
    for answer in answers:
        assert answer.photo is not None and answer.photo.store_id == answer.run.store_id
        with Image.open(tmp_path / answer.photo.image) as image:
            assert image.format == "JPEG" and image.size == (640, 480)
        assert (tmp_path / answer.photo.thumbnail).stat().st_size > 0
    # Seeding again with the same seed (as every test with the demo chain does)
    # replaces the files instead of adding more.
    import random

    from stores.checklists.demo import _store_photos
    from stores.models import Store

    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    stores = list(Store.objects.order_by("pk"))
    at = answers[0].photo.uploaded_at
    for _ in range(2):
        _store_photos(stores, random.Random(7), {}, at)
        again = sorted(p for p in tmp_path.rglob("*") if p.is_file())
        assert len(again) == len(files) + 2 * len(stores)
