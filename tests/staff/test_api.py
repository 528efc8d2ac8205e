"""The staff API: scope (404), roles (403), input (400), refusals (409, publishing with a
machine-readable violation list), the swap flow, training, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from staff.models import Course, Schedule, Shift, SwapRequest, TrainingAssignment

from .conftest import MONDAY, day, make_employee, make_store, put_shift

pytestmark = pytest.mark.django_db
API = "/api/v1/staff/"


def _shift_body(w, employee=None, date=None, starts="09:00", ends="17:00", **extra):
    return {
        "store": w.sh1.pk,
        "employee": (employee or w.ann).pk,
        "business_date": (date or day(0)).isoformat(),
        "starts": starts,
        "ends": ends,
        **extra,
    }


def test_shift_create_read_update_delete(api_as, world):
    w = world
    api = api_as(w.manager)
    response = api.post(f"{API}shifts/", _shift_body(w, break_minutes=30), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["starts"], body["ends"], body["paid_minutes"]) == ("09:00", "17:00", 450)
    assert body["labor_cost"] == "225.00" and body["week_status"] == "draft"
    pk = body["id"]
    response = api.patch(f"{API}shifts/{pk}/", {"ends": "18:00"}, format="json")
    assert response.status_code == 200 and response.json()["paid_minutes"] == 510
    assert api.get(f"{API}shifts/?store={w.sh1.pk}&date_from=2026-03-02").json()["count"] == 1
    assert api.delete(f"{API}shifts/{pk}/").status_code == 204
    assert not Shift.objects.exists()


def test_shift_input_scope_and_roles(api_as, world):
    w = world
    api = api_as(w.manager)
    bad = [
        _shift_body(w, starts="9:00"),
        _shift_body(w, break_minutes=500),
        _shift_body(w, break_minutes="30"),
        {**_shift_body(w), "position": "pilot"},
    ]
    for body in bad:
        assert api.post(f"{API}shifts/", body, format="json").status_code == 400, body
    # A break as long as the shift, a time the clocks skip: refused by the rules (409).
    response = api.post(
        f"{API}shifts/",
        _shift_body(w, starts="09:00", ends="09:30", break_minutes=30),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["break_minutes"] == ["The break must be shorter than the shift."]
    # Out of scope or unknown: 404 alike.
    assert (
        api.post(f"{API}shifts/", {**_shift_body(w), "store": w.sh2.pk}, format="json").status_code
        == 404
    )
    assert (
        api.post(
            f"{API}shifts/", {**_shift_body(w), "employee": w.dan.pk}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(f"{API}shifts/", {**_shift_body(w), "store": 10**9}, format="json").status_code
        == 404
    )
    assert api.get(f"{API}shifts/?store={w.sh2.pk}").status_code == 404
    # Store staff may read, not write; regional ops neither write.
    assert (
        api_as(w.ann_user).post(f"{API}shifts/", _shift_body(w), format="json").status_code == 403
    )
    assert (
        api_as(w.regional).post(f"{API}shifts/", _shift_body(w), format="json").status_code == 403
    )
    assert not Shift.objects.exists()


def test_store_staff_see_published_shifts_without_costs(api_as, world):
    w = world
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    put_shift(w.bob, w.sh1, day(7), "09:00", "17:00", published=False)
    rows = api_as(w.ann_user).get(f"{API}shifts/").json()["results"]
    assert [(r["employee_name"], r["labor_cost"]) for r in rows] == [("Ann", None)]
    assert api_as(w.ann_user).get(f"{API}employees/").status_code == 403
    assert len(api_as(w.manager).get(f"{API}shifts/").json()["results"]) == 2


def test_publish_answers_409_with_the_violations(api_as, world):
    w = world
    api = api_as(w.manager)
    put_shift(w.ann, w.sh1, day(0), "09:00", "13:00")
    put_shift(w.ann, w.sh1, day(0), "12:00", "16:00")
    response = api.post(
        f"{API}schedules/", {"store": w.sh1.pk, "week_start": "2026-03-02"}, format="json"
    )
    assert response.status_code == 200  # the week exists already
    schedule = response.json()["id"]
    check = api.get(f"{API}schedules/{schedule}/check/").json()
    assert [v["rule"] for v in check["violations"]] == ["overlap"]
    response = api.post(f"{API}schedules/{schedule}/publish/", format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["non_field_errors"][0] == "The week cannot be published: 1 rule is broken."
    violation = body["violations"][0]
    assert violation["rule"] == "overlap" and violation["severity"] == "error"
    assert violation["employee_id"] == w.ann.pk and violation["date"] == "2026-03-02"
    assert len(violation["shift_ids"]) == 2
    assert Schedule.objects.get().status == "draft"
    Shift.objects.filter(start_at__hour=4).delete()
    response = api.post(f"{API}schedules/{schedule}/publish/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    # A change that breaks a rule on a published week is a 409 with its violations.
    response = api.post(
        f"{API}shifts/", _shift_body(w, starts="12:00", ends="15:00"), format="json"
    )
    assert response.status_code == 409 and response.json()["violations"][0]["rule"] == "overlap"
    response = api.post(
        f"{API}schedules/", {"store": w.sh1.pk, "week_start": "2026-03-03"}, format="json"
    )
    assert response.status_code == 409  # not a Monday
    assert api_as(w.ann_user).get(f"{API}schedules/").status_code == 403


def test_copy_previous_through_the_api(api_as, world):
    w = world
    api = api_as(w.manager)
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    response = api.post(
        f"{API}schedules/", {"store": w.sh1.pk, "week_start": "2026-03-09"}, format="json"
    )
    assert response.status_code == 201
    schedule = response.json()["id"]
    response = api.post(f"{API}schedules/{schedule}/copy-previous/", format="json")
    assert response.status_code == 200 and response.json()["copied"] == 1
    assert api.post(f"{API}schedules/{schedule}/copy-previous/", format="json").status_code == 409


def test_the_swap_flow_through_the_api(api_as, world):
    w = world
    today = w.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(w.ann, w.sh1, monday, "09:00", "17:00", published=True)
    ann, bob, manager = api_as(w.ann_user), api_as(w.bob_user), api_as(w.manager)
    assert bob.post(f"{API}swaps/", {"shift": shift.pk}, format="json").status_code == 403
    response = ann.post(f"{API}swaps/", {"shift": shift.pk, "to_employee": w.bob.pk}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    swap = response.json()["id"]
    assert ann.post(f"{API}swaps/", {"shift": shift.pk}, format="json").status_code == 409
    assert manager.post(f"{API}swaps/{swap}/approve/", format="json").status_code == 409
    assert bob.post(f"{API}swaps/{swap}/approve/", format="json").status_code == 403
    assert bob.post(f"{API}swaps/{swap}/accept/", format="json").json()["status"] == "accepted"
    response = manager.post(f"{API}swaps/{swap}/approve/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Shift.objects.get(pk=shift.pk).employee == w.bob
    assert api_as(w.manager_be).get(f"{API}swaps/{swap}/").status_code == 404


def test_a_swap_approval_breaking_a_rule_is_a_409_with_the_violation(api_as, world):
    w = world
    today = w.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(w.ann, w.sh1, monday, "09:00", "17:00", published=True)
    put_shift(w.bob, w.sh1, monday + datetime.timedelta(days=1), "01:00", "05:00")
    swap = SwapRequest.objects.create(
        shift=shift, from_employee=w.ann, to_employee=w.bob, status="accepted"
    )
    response = api_as(w.manager).post(f"{API}swaps/{swap.pk}/approve/", format="json")
    assert response.status_code == 409
    assert [v["rule"] for v in response.json()["violations"]] == ["rest"]


def test_a_shift_with_an_accepted_swap_is_a_409_to_change_or_delete(api_as, world):
    w = world
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    SwapRequest.objects.create(
        shift=shift, from_employee=w.ann, to_employee=w.bob, status="accepted"
    )
    api = api_as(w.manager)
    refused = {
        "non_field_errors": ["A colleague has accepted a swap of this shift: refuse it first."]
    }
    response = api.patch(f"{API}shifts/{shift.pk}/", {"ends": "16:00"}, format="json")
    assert response.status_code == 409 and response.json() == refused
    response = api.delete(f"{API}shifts/{shift.pk}/")
    assert response.status_code == 409 and response.json() == refused
    assert Shift.objects.get(pk=shift.pk).paid_minutes == 8 * 60


def test_training_through_the_api(api_as, world):
    w = world
    head, manager, ann = api_as(w.head), api_as(w.manager), api_as(w.ann_user)
    body = {"code": "safety", "name": "Safety", "mandatory_for": ["cashier"], "due_days": 14}
    response = head.post(f"{API}training-courses/", body, format="json")
    assert response.status_code == 201
    course = response.json()["id"]
    assert head.post(f"{API}training-courses/", body, format="json").status_code == 409
    assert manager.post(f"{API}training-courses/", body, format="json").status_code == 403
    due = (w.sh1.business_date() + datetime.timedelta(days=5)).isoformat()
    assignment = {"employee": w.ann.pk, "course": course, "due_date": due}
    response = manager.post(f"{API}training-assignments/", assignment, format="json")
    assert response.status_code == 201 and response.json()["overdue"] is False
    assert manager.post(f"{API}training-assignments/", assignment, format="json").status_code == 409
    assert ann.post(f"{API}training-assignments/", assignment, format="json").status_code == 403
    pk = response.json()["id"]
    response = ann.post(f"{API}training-assignments/{pk}/complete/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert api_as(w.manager_be).get(f"{API}training-assignments/{pk}/").status_code == 404


def test_employees_through_the_api(api_as, world):
    w = world
    api = api_as(w.manager)
    body = {
        "home_store": w.sh1.pk,
        "name": "Gus",
        "position": "stock_clerk",
        "weekly_hours_max": "24.00",
        "hourly_rate": "21.50",
    }
    response = api.post(f"{API}employees/", body, format="json")
    assert response.status_code == 201 and response.json()["home_store_code"] == "SH1"
    assert (
        api.post(f"{API}employees/", {**body, "weekly_hours_max": 24}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            f"{API}employees/", {**body, "weekly_hours_max": "99.00"}, format="json"
        ).status_code
        == 409
    )
    assert (
        api.post(f"{API}employees/", {**body, "home_store": w.sh2.pk}, format="json").status_code
        == 404
    )
    detail = api.get(f"{API}employees/{w.ann.pk}/").json()
    assert detail["availability"] == [] and detail["username"] == "ann"


def test_active_is_by_each_home_stores_local_date(api_as, world):
    """Kiritimati (UTC+14) is always at least a day ahead of Pago Pago (UTC−11), so no
    single server date gets all four right: each person is judged by their own store's
    date, in one query whatever the zones."""
    if connection.vendor != "postgresql":
        pytest.skip("store-local dates in SQL need PostgreSQL (SQLite: the chain's date)")
    w = world
    ahead = make_store("KI1", w.east, tz="Pacific/Kiritimati")
    behind = make_store("PP1", w.east, tz="Pacific/Pago_Pago")
    ahead_today, behind_today = ahead.business_date(), behind.business_date()
    assert ahead_today > behind_today
    one_day = datetime.timedelta(days=1)
    make_employee("Starts today", ahead, active_from=ahead_today)
    make_employee("Left yesterday", ahead, active_to=ahead_today - one_day)
    make_employee("Last day today", behind, active_to=behind_today)
    make_employee("Starts tomorrow", behind, active_from=behind_today + one_day)
    api = api_as(w.head)

    def names(active):
        url = f"{API}employees/?active={active}&page_size=100"
        rows = api.get(url).json()["results"]
        return {r["name"] for r in rows if r["home_store_code"] in ("KI1", "PP1")}

    assert names("true") == {"Starts today", "Last day today"}
    assert names("false") == {"Left yesterday", "Starts tomorrow"}


# --- Query counts --------------------------------------------------------------------------


def _count(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


ENDPOINTS = [
    "employees/",
    "shifts/",
    "schedules/",
    "swaps/",
    "training-courses/",
    "training-assignments/",
]


def test_list_endpoints_run_a_constant_number_of_queries(api_as, world):
    w = world
    api = api_as(w.manager)

    def grow(n, offset):
        for i in range(n):
            person = make_employee(f"Q{offset + i}", w.sh1)
            course = Course.objects.create(code=f"q{offset + i}", name="Q")
            for d in range(3):
                shift = put_shift(person, w.sh1, day(d + 7 * (offset + i)), "09:00", "13:00")
            SwapRequest.objects.create(shift=shift, from_employee=person)
            TrainingAssignment.objects.create(employee=person, course=course, due_date=MONDAY)

    grow(1, 0)
    one = [_count(api, API + url) for url in ENDPOINTS]
    grow(6, 1)
    many = [_count(api, API + url) for url in ENDPOINTS]
    assert one == many, list(zip(ENDPOINTS, one, many, strict=True))
