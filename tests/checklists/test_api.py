"""The checklist API: scoped lists, the same services as the pages, constant queries."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from stores.checklists import services
from stores.checklists.models import ChecklistRun, ChecklistSchedule, CorrectiveAction
from stores.models import Store

from .conftest import answer_all, build_template, schedule, today_run

D = datetime.date(2026, 3, 10)
EARLY = datetime.datetime(2026, 3, 10, 0, 30, tzinfo=datetime.UTC)


def runs_for(world, store, count):
    for i in range(count):
        schedule(world, stores=[store], due_time=datetime.time(9, i))
    services.runs_create_for_business_day(store=store, business_date=D)
    return list(ChecklistRun.objects.filter(store=store).order_by("pk"))


def test_answer_and_submit_through_the_api(world, api_as):
    run = today_run(world)
    api = api_as(world.staff)
    it = world.tpl.items
    url = reverse("checklists-api:run-answers", kwargs={"pk": run.pk})
    response = api.post(url, {"item": it.fridge.pk, "value": "12"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["passed"] is False and response.json()["answered_by"] == "staff"
    assert api.post(url, {"item": it.fridge.pk, "value": "hot"}, format="json").status_code == 400
    assert api.post(url, {"item": 10**9, "value": "1"}, format="json").status_code == 404

    submit = reverse("checklists-api:run-submit", kwargs={"pk": run.pk})
    refused = api.post(submit, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"missing_items": ["Fire exits clear", "Alarm off", "Floor"]}
    for item, value in [(it.exits, "yes"), (it.alarm, "yes"), (it.clean, "clean")]:
        api.post(url, {"item": item.pk, "value": value}, format="json")
    api.post(url, {"item": it.comment.pk, "not_applicable": True}, format="json")
    done = api.post(submit, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "submitted" and body["score"] == "66.67"
    assert [s["score"] for s in body["section_scores"]] == ["100.00", "33.33"]
    detail = api.get(reverse("checklists-api:run-detail", kwargs={"pk": run.pk})).json()
    assert len(detail["answers"]) == 5 and detail["events"][-1]["kind"] == "submitted"
    # Other stores' runs are not found.
    assert (
        api_as(world.manager_ny)
        .get(reverse("checklists-api:run-detail", kwargs={"pk": run.pk}))
        .status_code
        == 404
    )


def test_reopen_and_acknowledge_roles(world, api_as):
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff)
    services.run_submit(user=world.staff, run=run, now=EARLY)
    reopen = reverse("checklists-api:run-reopen", kwargs={"pk": run.pk})
    assert api_as(world.staff).post(reopen, {"reason": "x"}, format="json").status_code == 403
    assert api_as(world.manager).post(reopen, {}, format="json").status_code == 400
    response = api_as(world.manager).post(reopen, {"reason": "wrong fridge"}, format="json")
    assert response.status_code == 200 and response.json()["events"][-1]["note"] == "wrong fridge"
    ack = reverse("checklists-api:run-acknowledge", kwargs={"pk": run.pk})
    assert api_as(world.manager).post(ack, {}, format="json").status_code == 400  # not an audit


def test_start_an_audit(world, api_as):
    audit = build_template(world.head, code="visit", kind="audit")
    url = reverse("checklists-api:run-list")
    body = {"store": world.sh.pk, "template": audit.template.pk}
    assert api_as(world.manager).post(url, body, format="json").status_code == 403
    assert (
        api_as(world.regional).post(url, {**body, "store": world.ny.pk}, format="json").status_code
        == 404
    )
    response = api_as(world.regional).post(url, body, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "audit"


def test_run_list_scope_filters_and_constant_queries(world, api_as, django_assert_num_queries):
    runs_for(world, world.sh, 1)
    api = api_as(world.regional)
    url = reverse("checklists-api:run-list")
    with django_assert_num_queries(3):  # token and user, count, page
        assert api.get(url).json()["count"] == 1
    runs_for(world, world.sh2, 8)
    runs_for(world, world.ny, 2)
    with django_assert_num_queries(3):
        assert api.get(url).json()["count"] == 9
    assert api.get(url, {"store": world.sh2.pk}).json()["count"] == 8
    assert api.get(url, {"store": world.ny.pk}).status_code == 404  # out of scope
    assert api.get(url, {"status": "submitted"}).json()["count"] == 0
    assert api.get(url, {"business_date_after": "2026-03-11"}).json()["count"] == 0
    assert api_as(world.head).get(url).json()["count"] == 11


def test_templates_read_by_all_written_by_head_office(world, api_as):
    url = reverse("checklists-api:template-list")
    assert api_as(world.staff).get(url).json()["count"] == 1
    body = {"code": "bakery", "name": "Bakery", "kind": "checklist"}
    assert api_as(world.manager).post(url, body, format="json").status_code == 403
    created = api_as(world.head).post(url, body, format="json")
    assert created.status_code == 201
    assert api_as(world.head).post(url, body, format="json").status_code == 400  # code taken
    version_id = created.json()["versions"][0]["id"]
    head = api_as(world.head)
    sections = reverse("checklists-api:templateversion-sections", kwargs={"pk": version_id})
    section_id = head.post(sections, {"title": "Ovens"}, format="json").json()["sections"][0]["id"]
    items = reverse("checklists-api:templateversion-items", kwargs={"pk": version_id})
    response = head.post(
        items,
        {
            "section": section_id,
            "kind": "number",
            "prompt": "Oven °C",
            "min_value": "180",
            "max_value": "220",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    publish = reverse("checklists-api:templateversion-publish", kwargs={"pk": version_id})
    assert head.post(publish, format="json").json()["status"] == "published"
    assert head.post(publish, format="json").status_code == 400
    draft = head.post(reverse("checklists-api:template-draft", kwargs={"pk": created.json()["id"]}))
    assert draft.status_code == 201 and draft.json()["number"] == 2
    assert len(draft.json()["sections"][0]["items"]) == 1


def test_schedules_scoped_and_written_by_head_office(world, api_as):
    url = reverse("checklists-api:schedule-list")
    body = {
        "template": world.tpl.template.pk,
        "stores": [world.sh.pk, world.ny.pk],
        "recurrence": "weekly",
        "weekdays": [0],
        "due_time": "09:30",
        "grace_minutes": 15,
        "allow_late": False,
    }
    assert api_as(world.manager).post(url, body, format="json").status_code == 403
    created = api_as(world.head).post(url, body, format="json")
    assert created.status_code == 201, created.content
    bad = api_as(world.head).post(url, {**body, "weekdays": [0, 1]}, format="json")
    assert bad.status_code == 400 and "weekdays" in bad.json()
    schedule(world, regions=[world.us])
    mine = api_as(world.manager).get(url).json()
    assert mine["count"] == 1
    assert mine["results"][0]["stores"] == [world.sh.pk]  # NY is not shown to SH's manager
    assert api_as(world.manager_ny).get(url).json()["count"] == 2
    pk = created.json()["id"]
    detail = reverse("checklists-api:schedule-detail", kwargs={"pk": pk})
    assert (
        api_as(world.head).patch(detail, {"active": False}, format="json").json()["active"] is False
    )
    assert api_as(world.manager).patch(detail, {"active": True}, format="json").status_code == 403
    assert ChecklistSchedule.objects.get(pk=pk).active is False


def test_corrective_actions_api(world, api_as, django_assert_num_queries):
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits])
    services.run_submit(user=world.staff, run=run, now=EARLY)
    action = CorrectiveAction.objects.get()  # critical: due 11 March, long overdue now
    url = reverse("checklists-api:correctiveaction-list")
    api = api_as(world.manager)
    with django_assert_num_queries(3):
        assert api.get(url).json()["count"] == 1
    assert api.get(url, {"overdue": "true"}).json()["count"] == 1
    assert api.get(url, {"overdue": "false"}).json()["count"] == 0
    assert api.get(url, {"store": world.ny.pk}).status_code == 404
    detail = reverse("checklists-api:correctiveaction-detail", kwargs={"pk": action.pk})
    assert api.patch(detail, {"status": "done"}, format="json").status_code == 400
    response = api.patch(detail, {"status": "done", "note": "exit cleared"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert api_as(world.manager_ny).patch(detail, {"note": "x"}, format="json").status_code == 404
    assert api.get(url, {"overdue": "true"}).json()["count"] == 0


def test_overdue_filter_uses_each_store_local_date(world, api_as):
    """Past due means due before today where the store is, not in UTC: a day apart at
    the far ends of the world."""
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits])
    services.run_submit(user=world.staff, run=run, now=EARLY)
    action = CorrectiveAction.objects.get()
    url = reverse("checklists-api:correctiveaction-list")
    api = api_as(world.head)
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Shanghai"):
        Store.objects.filter(pk=world.sh.pk).update(time_zone=zone)
        local_today = timezone.localtime(timezone=ZoneInfo(zone)).date()
        yesterday = local_today - datetime.timedelta(days=1)
        for due, overdue in ((yesterday, True), (local_today, False)):
            CorrectiveAction.objects.filter(pk=action.pk).update(due_date=due)
            ids = [a["id"] for a in api.get(url, {"overdue": "true"}).json()["results"]]
            assert (action.pk in ids) is overdue, (zone, due)
            ids = [a["id"] for a in api.get(url, {"overdue": "false"}).json()["results"]]
            assert (action.pk in ids) is not overdue, (zone, due)
