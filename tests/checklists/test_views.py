"""Pages: today, filling (htmx and plain forms), submit, detail, actions, comparison,
template editor; query counts constant with 1 row and with many."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from stores.checklists import services
from stores.checklists.models import (
    Answer,
    ChecklistRun,
    ChecklistTemplate,
    CorrectiveAction,
    TemplateVersion,
)

from .conftest import answer_all, schedule, today_run


def test_today_page_shows_the_store_runs_with_local_due_times(world, client):
    run = today_run(world, due_time=datetime.time(0, 5))  # due just after local midnight
    client.force_login(world.staff)
    page = client.get(reverse("checklists:today"))
    assert page.status_code == 200
    assert 'data-testid="run-card"' in page.text
    assert "00:05" in page.text and "Overdue" in page.text
    assert reverse("checklists:run_fill", kwargs={"pk": run.pk}) in page.text
    client.force_login(world.manager_ny)
    assert "run-card" not in client.get(reverse("checklists:today")).text


def test_today_page_query_count_is_constant(world, client, django_assert_max_num_queries):
    today_run(world)
    client.force_login(world.regional)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("checklists:today"))
    for hour in range(10, 18):
        today_run(world, store=world.sh2, due_time=datetime.time(hour))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("checklists:today"))
    assert page.text.count('data-testid="run-card"') == 9


def test_htmx_answer_swaps_the_row_with_a_saved_indicator(world, client):
    run = today_run(world)
    item = world.tpl.items.fridge
    client.force_login(world.staff)
    url = reverse("checklists:answer_save", kwargs={"pk": run.pk, "item": item.pk})
    response = client.post(url, {"value": "9"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.text and "Saved" in response.text
    assert "Failed" in response.text  # 9 °C is above the maximum
    assert Answer.objects.get(run=run, item=item).passed is False
    response = client.post(url, {"value": "warm"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Enter a number" in response.text
    assert Answer.objects.get(run=run, item=item).number == 9


def test_plain_form_answer_and_submit_work_without_javascript(world, client):
    run = today_run(world)
    it = world.tpl.items
    client.force_login(world.staff)
    fill = reverse("checklists:run_fill", kwargs={"pk": run.pk})
    page = client.get(fill)
    assert page.status_code == 200 and "Fire exits clear" in page.text
    url = reverse("checklists:answer_save", kwargs={"pk": run.pk, "item": it.exits.pk})
    response = client.post(url, {"value": "yes"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{it.exits.pk}")
    response = client.post(url.replace(str(it.exits.pk), str(it.alarm.pk)), {"value": "maybe"})
    assert response.status_code == 400 and "Answer yes or no" in response.text

    submit = reverse("checklists:run_submit", kwargs={"pk": run.pk})
    refused = client.post(submit)
    assert refused.status_code == 400
    assert 'data-testid="missing-items"' in refused.text
    for prompt in ("Alarm off", "Fridge", "Floor"):
        assert prompt in refused.text
    assert Answer.objects.filter(run=run).count() == 1

    answer_all(world, run, world.staff, fail=[it.alarm])
    done = client.post(submit)
    assert done.status_code == 302
    detail = client.get(done["Location"])
    assert detail.status_code == 200
    assert 'data-testid="section-scores"' in detail.text and "Alarm off" in detail.text
    assert CorrectiveAction.objects.filter(run=run).count() == 1
    # Submitted: the fill page now sends you to the detail page; staff may not reopen.
    assert client.get(fill).status_code == 302
    reopen = reverse("checklists:run_reopen", kwargs={"pk": run.pk})
    assert client.post(reopen, {"reason": "x"}).status_code == 403
    client.force_login(world.manager)
    assert client.post(reopen, {"reason": ""}).status_code == 400
    assert client.post(reopen, {"reason": "recount"}).status_code == 302
    assert ChecklistRun.objects.get(pk=run.pk).status == "in_progress"


def test_audit_pages(world, client):
    from .conftest import build_template

    audit = build_template(world.head, code="visit", kind="audit")
    client.force_login(world.regional)
    start = reverse("checklists:audit_start")
    assert client.get(start).status_code == 200
    assert (
        client.post(start, {"store": world.ny.pk, "template": audit.template.pk}).status_code == 400
    )
    response = client.post(start, {"store": world.sh.pk, "template": audit.template.pk})
    assert response.status_code == 302
    run = ChecklistRun.objects.get(kind="audit")
    for item, value in [
        (audit.items.exits, "yes"),
        (audit.items.alarm, "yes"),
        (audit.items.fridge, "1"),
        (audit.items.clean, "clean"),
    ]:
        services.answer_save(user=world.regional, run=run, item=item, value=value)
    assert client.post(reverse("checklists:run_submit", kwargs={"pk": run.pk})).status_code == 302
    client.force_login(world.manager)
    detail = client.get(reverse("checklists:run_detail", kwargs={"pk": run.pk}))
    assert 'data-testid="acknowledge"' in detail.text
    ack = reverse("checklists:run_acknowledge", kwargs={"pk": run.pk})
    assert client.post(ack, {"note": "ok"}).status_code == 302
    assert ChecklistRun.objects.get(pk=run.pk).status == "acknowledged"


def _failed_runs(world, count, store=None):
    store = store or world.sh
    for i in range(count):
        sched = schedule(world, stores=[store], due_time=datetime.time(9, i))
        # A recent working day (the test stores close on Sundays), inside every window.
        date = store.business_date() - datetime.timedelta(days=2)
        if date.weekday() == 6:
            date -= datetime.timedelta(days=1)
        services.runs_create_for_business_day(store=store, business_date=date)
        run = ChecklistRun.objects.get(schedule=sched, store=store)
        manager = world.manager if store == world.sh else world.manager_sh2
        answer_all(world, run, manager, fail=[world.tpl.items.alarm, world.tpl.items.fridge])
        services.run_submit(user=manager, run=run, now=run.due_at - datetime.timedelta(minutes=30))


def test_action_list_filters_and_query_count(world, client, django_assert_max_num_queries):
    _failed_runs(world, 1)
    client.force_login(world.regional)
    url = reverse("checklists:action_list")
    with django_assert_max_num_queries(20) as one:
        page = client.get(url)
    assert page.text.count("data-action-id") == 2
    _failed_runs(world, 6, store=world.sh2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.text.count("data-action-id") == 14
    assert client.get(url, {"store": world.sh.pk}).text.count("data-action-id") == 2
    # Due one and three days after a run two days ago: the critical-free ones are not due yet.
    overdue = client.get(url, {"overdue": "true"}).text.count("data-action-id")
    assert overdue == sum(
        a.due_date < timezone.localtime(timezone=ZoneInfo(a.store.time_zone)).date()
        for a in CorrectiveAction.objects.select_related("store")
    )
    assert client.get(url, {"status": "done"}).text.count("data-action-id") == 0
    assert client.get(url, {"assignee": world.manager_sh2.pk}).text.count("data-action-id") == 12
    # A store outside your scope is refused like an unknown one: an error, no rows.
    refused = client.get(url, {"store": world.ny.pk})
    assert 'data-testid="filter-errors"' in refused.text and "data-action-id" not in refused.text
    htmx = client.get(url, {"store": world.sh.pk}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.text and htmx.text.count("data-action-id") == 2
    client.force_login(world.manager)
    assert client.get(url).text.count("data-action-id") == 2


def test_action_detail_update_with_photo_evidence(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import jpeg_bytes

    _failed_runs(world, 1)
    action = CorrectiveAction.objects.filter(store=world.sh).first()
    client.force_login(world.manager)
    url = reverse("checklists:action_detail", kwargs={"pk": action.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "done", "note": ""}).status_code == 400
    photo = SimpleUploadedFile("fix.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(url, {"status": "done", "note": "", "evidence": photo})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.evidence_id and action.closed_by == world.manager
    client.force_login(world.manager_ny)
    assert client.get(url).status_code == 404


def test_region_comparison_page(world, client, django_assert_max_num_queries):
    _failed_runs(world, 1)
    client.force_login(world.regional)
    url = reverse("checklists:region_comparison")
    with django_assert_max_num_queries(12) as one:
        page = client.get(url)
    assert page.status_code == 200
    assert 'data-store-code="SH1"' in page.text and 'data-store-code="NY1"' not in page.text
    assert "Alarm off" in page.text  # most failed
    _failed_runs(world, 5, store=world.sh2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)
    client.force_login(world.manager)
    assert client.get(url).status_code == 403


def test_template_editor_flow(world, client):
    client.force_login(world.head)
    response = client.post(
        reverse("checklists:template_create"),
        {"code": "bakery", "name": "Bakery", "name_zh": "烘焙", "kind": "checklist"},
    )
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(code="bakery")
    draft = template.versions.get()
    edit = reverse("checklists:version_edit", kwargs={"pk": draft.pk})
    assert client.get(edit).status_code == 200
    sections = reverse("checklists:section_add", kwargs={"pk": draft.pk})
    assert client.post(sections, {"title": "Ovens", "title_zh": "烤箱"}).status_code == 302
    section = draft.sections.get()
    items = reverse("checklists:item_add", kwargs={"pk": draft.pk})
    bad = client.post(
        items, {"section": section.pk, "kind": "number", "prompt": "Oven", "points": 1}
    )
    assert bad.status_code == 400 and "minimum or maximum" in bad.text
    ok = client.post(
        items,
        {
            "section": section.pk,
            "kind": "single_choice",
            "prompt": "Oven state",
            "prompt_zh": "烤箱状态",
            "points": 2,
            "required": "on",
            "options": "ok | OK | 正常\nbroken | Broken | 故障 | fail",
        },
    )
    assert ok.status_code == 302
    item = draft.items.get()
    assert item.options[1] == {
        "value": "broken",
        "label": "Broken",
        "label_zh": "故障",
        "fails": True,
    }
    publish = reverse("checklists:version_publish", kwargs={"pk": draft.pk})
    assert client.post(publish).status_code == 302
    assert TemplateVersion.objects.get(pk=draft.pk).status == "published"
    detail = client.get(reverse("checklists:template_detail", kwargs={"pk": template.pk}))
    assert "Oven state" in detail.text
    # Editing the published template opens a new draft (v2), the published one stays.
    response = client.post(reverse("checklists:template_edit", kwargs={"pk": template.pk}))
    v2 = template.versions.get(number=2)
    assert response["Location"] == reverse("checklists:version_edit", kwargs={"pk": v2.pk})
    assert v2.items.count() == 1 and v2.status == "draft"
    client.force_login(world.manager)
    assert client.get(reverse("checklists:template_list")).status_code == 200
    assert (
        client.post(reverse("checklists:template_edit", kwargs={"pk": template.pk})).status_code
        == 403
    )


def test_chinese_prompts_and_instructions(world, client):
    run = today_run(world)
    world.staff.language = "zh-hans"
    world.staff.save()
    client.force_login(world.staff)
    page = client.get(reverse("checklists:run_fill", kwargs={"pk": run.pk}))
    assert "消防通道畅通" in page.text and "检查每个出口。" in page.text
    assert timezone.now()
