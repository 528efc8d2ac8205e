"""The checklist admin is read-only: head office can look, nobody changes a record there."""

import pytest
from django.urls import reverse

from opsdesk.platform.accounts.services import user_sync_role_access
from stores.checklists import services
from stores.checklists.models import (
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    CorrectiveAction,
    TemplateVersion,
)

from .conftest import answer_all, today_run

MODELS = [ChecklistTemplate, TemplateVersion, ChecklistSchedule, ChecklistRun, CorrectiveAction]


def _url(model, action, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


@pytest.fixture
def head(world):
    return user_sync_role_access(user=world.head)


def test_head_office_sees_every_checklist_record_read_only(world, head, client):
    run = today_run(world, world.sh)
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits])
    services.run_submit(user=world.staff, run=run)
    action = CorrectiveAction.objects.get()
    client.force_login(head)
    for model in MODELS:
        page = client.get(_url(model, "changelist"))
        assert page.status_code == 200, model
        assert client.get(_url(model, "add")).status_code == 403, model
    page = client.get(_url(ChecklistRun, "change", run.pk))
    assert page.status_code == 200 and world.sh.code in page.text
    assert 'name="_save"' not in page.text  # a view page, no save button
    assert client.get(_url(CorrectiveAction, "change", action.pk)).status_code == 200
    # A forged change or delete is refused and changes nothing.
    title = action.title
    refused = client.post(_url(CorrectiveAction, "change", action.pk), {"title": "forged"})
    assert refused.status_code == 403
    assert client.post(_url(ChecklistRun, "delete", run.pk), {"post": "yes"}).status_code == 403
    action.refresh_from_db()
    assert action.title == title and ChecklistRun.objects.filter(pk=run.pk).exists()


def test_store_roles_cannot_open_the_checklist_admin(world, client):
    for user in (world.manager, world.staff, world.regional):
        client.force_login(user)
        response = client.get(_url(ChecklistRun, "changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
