"""The checklist API: scoped lists, the same services as the pages, constant queries."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from stores.checklists import services
from stores.checklists.models import (
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    CorrectiveAction,
)
from stores.models import Store

from .conftest import answer_all, build_template, jpeg_bytes, schedule, today_run

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
    assert refused.status_code == 409  # well formed, but the run is not complete yet
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
    assert api_as(world.manager).post(ack, {}, format="json").status_code == 409  # not an audit


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
    assert api_as(world.head).post(url, body, format="json").status_code == 409  # code taken
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
    assert head.post(publish, format="json").status_code == 409  # no longer a draft
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
    assert api.patch(detail, {"status": "done"}, format="json").status_code == 409  # no note
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


# --- Held to the OpenAPI contract (tests/contract): regressions it found -----------------


def test_a_number_for_a_text_is_refused_and_nothing_changes(world, api_as):
    head = api_as(world.head)
    draft = services.template_draft_get_or_create(user=world.head, template=world.tpl.template)
    sections = reverse("checklists-api:templateversion-sections", kwargs={"pk": draft.pk})
    before = draft.sections.count()
    response = head.post(sections, {"title": 12}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    templates = reverse("checklists-api:template-list")
    assert head.post(templates, {"code": 7, "name": "Seven"}, format="json").status_code == 400
    assert head.post(templates, {"code": "seven", "name": 7}, format="json").status_code == 400
    assert draft.sections.count() == before
    assert not ChecklistTemplate.objects.filter(code="seven").exists()


def test_bodies_are_json(world, api_as):
    url = reverse("checklists-api:template-list")
    body = {"code": "bakery", "name": "Bakery"}
    assert api_as(world.head).post(url, body).status_code == 415  # multipart
    assert not ChecklistTemplate.objects.filter(code="bakery").exists()


def test_evidence_that_is_no_photo_of_the_store_is_not_found(world, api_as, media):
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits])
    services.run_submit(user=world.staff, run=run, now=EARLY)
    action = CorrectiveAction.objects.get()
    detail = reverse("checklists-api:correctiveaction-detail", kwargs={"pk": action.pk})
    api = api_as(world.head)
    # Id 0 was taken for "no photo" and then used as one: a 500.
    assert api.patch(detail, {"evidence": 0, "note": "x"}, format="json").status_code == 404
    other = services.photo_create(
        user=world.head, store=world.ny, upload=_upload(jpeg_bytes()), run=None
    )
    assert api.patch(detail, {"evidence": other.pk}, format="json").status_code == 404
    action.refresh_from_db()
    assert action.evidence_id is None and action.note == ""
    answers = reverse("checklists-api:run-answers", kwargs={"pk": run.pk})
    body = {"item": world.tpl.items.photo.pk, "photo": other.pk}
    assert api_as(world.staff).post(answers, body, format="json").status_code == 404


def test_run_detail_counts_its_open_actions(world, api_as):
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits, world.tpl.items.alarm])
    services.run_submit(user=world.staff, run=run, now=EARLY)
    CorrectiveAction.objects.filter(item=world.tpl.items.alarm).update(status="done")
    url = reverse("checklists-api:run-detail", kwargs={"pk": run.pk})
    assert api_as(world.manager).get(url).json()["open_actions"] == 1
    listed = api_as(world.manager).get(reverse("checklists-api:run-list")).json()["results"]
    assert listed[0]["open_actions"] == 1


def test_a_refusal_due_to_the_state_is_a_conflict(world, api_as):
    (run,) = runs_for(world, world.sh, 1)
    answer_all(world, run, world.staff)
    services.run_submit(user=world.staff, run=run, now=EARLY)
    api = api_as(world.manager)
    submit = reverse("checklists-api:run-submit", kwargs={"pk": run.pk})
    response = api.post(submit, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "non_field_errors": ["This run is submitted and can no longer change."]
    }
    services.run_reopen(user=world.manager, run=run, reason="again")
    reopen = reverse("checklists-api:run-reopen", kwargs={"pk": run.pk})
    assert api.post(reopen, {"reason": "twice"}, format="json").status_code == 409
    sections = reverse(
        "checklists-api:templateversion-sections", kwargs={"pk": world.tpl.version.pk}
    )
    assert api_as(world.head).post(sections, {"title": "New"}, format="json").status_code == 409


def test_filters_refuse_what_they_cannot_read(world, api_as):
    api = api_as(world.head)
    actions = reverse("checklists-api:correctiveaction-list")
    assert api.get(actions, {"overdue": "-58800"}).status_code == 400
    assert api.get(actions, {"overdue": ""}).status_code == 200
    schedules = reverse("checklists-api:schedule-list")
    assert api.get(schedules, {"active": "maybe"}).status_code == 400
    assert api.get(schedules, {"active": "unknown"}).status_code == 200  # the page's "any"
    runs = reverse("checklists-api:run-list")
    assert api.get(runs, {"status": ""}).status_code == 200  # an empty value is no filter
    assert api.get(runs, {"status": "sleeping"}).status_code == 400


def test_a_schedule_naming_an_unknown_record_is_not_found(world, api_as):
    url = reverse("checklists-api:schedule-list")
    body = {"template": 10**6, "stores": [world.sh.pk], "due_time": "09:30"}
    assert api_as(world.head).post(url, body, format="json").status_code == 404
    body = {"template": world.tpl.template.pk, "stores": [10**6], "due_time": "09:30"}
    assert api_as(world.head).post(url, body, format="json").status_code == 404
    assert not ChecklistSchedule.objects.exists()


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")


def test_schedule_rules_across_fields(world, api_as):
    url = reverse("checklists-api:schedule-list")
    head = api_as(world.head)
    body = {"template": world.tpl.template.pk, "stores": [world.sh.pk], "due_time": "09:30"}
    for bad in (
        {"recurrence": "monthly"},
        {"recurrence": "weekly", "weekdays": [3, 3]},
        {"recurrence": "weekdays"},
        {"stores": []},
    ):
        assert head.post(url, {**body, **bad}, format="json").status_code == 400, bad
    audit = build_template(world.head, code="visit", kind="audit")
    assert head.post(url, {**body, "template": audit.template.pk}, format="json").status_code == 404
    created = head.post(url, body, format="json")
    assert created.status_code == 201, created.content
    detail = reverse("checklists-api:schedule-detail", kwargs={"pk": created.json()["id"]})
    # The body is fine; with the stored values (no region) it would reach no store.
    response = head.patch(detail, {"stores": []}, format="json")
    assert response.status_code == 409 and "stores" in response.json()
    assert head.patch(detail, {"stores": [], "regions": []}, format="json").status_code == 400
    assert head.patch(detail, {"recurrence": "weekly"}, format="json").status_code == 409
    assert ChecklistSchedule.objects.get(pk=created.json()["id"]).recurrence == "daily"
