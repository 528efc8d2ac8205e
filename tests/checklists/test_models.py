"""Model constraints: the database refuses what the services never write."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from stores.checklists import services
from stores.checklists.models import ChecklistRun, TemplateItem, TemplateVersion

from .conftest import schedule


def test_a_scheduled_run_exists_once(world):
    sched = schedule(world, stores=[world.sh])
    services.runs_create_for_business_day(store=world.sh, business_date=datetime.date(2026, 3, 10))
    run = ChecklistRun.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistRun.objects.create(
            kind="checklist",
            version=run.version,
            schedule=sched,
            store=world.sh,
            business_date=run.business_date,
        )
    # Unscheduled runs (audits) are not limited.
    for _ in range(2):
        ChecklistRun.objects.create(
            kind="audit", version=run.version, store=world.sh, business_date=run.business_date
        )


def test_one_published_and_one_draft_version_per_template(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateVersion.objects.create(template=world.tpl.template, number=9, status="published")
    TemplateVersion.objects.create(template=world.tpl.template, number=2, status="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateVersion.objects.create(template=world.tpl.template, number=3, status="draft")


def test_score_is_a_percentage_and_ranges_are_ordered(world):
    schedule(world, stores=[world.sh])
    services.runs_create_for_business_day(store=world.sh, business_date=datetime.date(2026, 3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistRun.objects.update(score=Decimal("100.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateItem.objects.filter(pk=world.tpl.items.fridge.pk).update(min_value=Decimal(9))


def test_scored_kinds(world):
    it = world.tpl.items
    assert it.exits.scored and it.fridge.scored and it.clean.scored
    assert not it.comment.scored and not it.photo.scored
    assert it.photo.points == 0  # unscored kinds carry no points
