"""The staff routes whose answer depends on the person, not the role (on the access
matrix's SPECIAL list): swap accept / decline / cancel / approve / refuse and marking a
course done, walked as anonymous, without a role, out of scope, and in scope as every
role, the person concerned included; asking for a swap (the person on the shift only).

Then every write route of the staff API (POST, PATCH, DELETE) as each role it refuses
(403, before any lookup) and as an allowed role out of scope (404), changing nothing;
and the methods no route takes (PUT everywhere; PATCH and DELETE where there is no
such action): 405 for the readers, 403 for the others."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from opsdesk.platform.roles import ALL_ROLES
from staff.models import (
    Certification,
    Course,
    Employee,
    Schedule,
    Shift,
    SwapRequest,
    TrainingAssignment,
)
from staff.rules import SCHEDULE_READERS

from .conftest import MONDAY, day, put_shift

pytestmark = pytest.mark.django_db
API = "/api/v1/staff/"


@pytest.fixture
def swap(world):
    """Ann (SH1) asks Bob to take a shift of next week; pending."""
    today = world.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(world.ann, world.sh1, monday, "09:00", "17:00", published=True)
    return SwapRequest.objects.create(shift=shift, from_employee=world.ann, to_employee=world.bob)


def _post(api, url):
    return api.post(url, {}, format="json").status_code


def test_anonymous_and_no_role_are_refused(world, swap, api_as):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    for action in ("accept", "decline", "cancel", "approve", "refuse"):
        url = f"{API}swaps/{swap.pk}/{action}/"
        assert _post(APIClient(), url) == 401
        assert _post(api_as(nobody), url) == 403
    course = Course.objects.create(code="c", name="C")
    mine = TrainingAssignment.objects.create(
        employee=world.ann, course=course, due_date=datetime.date(2026, 3, 9)
    )
    url = f"{API}training-assignments/{mine.pk}/complete/"
    assert _post(APIClient(), url) == 401
    assert _post(api_as(nobody), url) == 403


def test_swap_actions_out_of_scope_are_404(world, swap, api_as):
    for action in ("accept", "decline", "cancel", "approve", "refuse"):
        assert _post(api_as(world.manager_be), f"{API}swaps/{swap.pk}/{action}/") == 404
        # Regional ops may not approve or refuse (403 before the lookup); the rest is 404.
        expected = 403 if action in ("approve", "refuse") else 404
        assert _post(api_as(world.regional_west), f"{API}swaps/{swap.pk}/{action}/") == expected
    assert _post(api_as(world.manager_be), f"{API}swaps/{10**9}/accept/") == 404


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        # (the asker Ann, the colleague asked Bob, a manager, regional ops, head office)
        ("accept", {"ann": 403, "bob": 200, "mgr": 403, "reg": 403, "head": 403}),
        ("decline", {"ann": 403, "bob": 200, "mgr": 403, "reg": 403, "head": 403}),
        ("cancel", {"ann": 200, "bob": 403, "mgr": 403, "reg": 403, "head": 403}),
        # Nobody accepted yet: approving is refused by the request's state (409).
        ("approve", {"ann": 403, "bob": 403, "mgr": 409, "reg": 403, "head": 409}),
        ("refuse", {"ann": 403, "bob": 403, "mgr": 200, "reg": 403, "head": 200}),
    ],
)
def test_swap_actions_in_scope_by_person(world, swap, api_as, action, expected):
    users = {
        "ann": world.ann_user,
        "bob": world.bob_user,
        "mgr": world.manager,
        "reg": world.regional,
        "head": world.head,
    }
    for name, status in expected.items():
        SwapRequest.objects.filter(pk=swap.pk).update(status="pending", decided_at=None)
        got = _post(api_as(users[name]), f"{API}swaps/{swap.pk}/{action}/")
        assert got == status, (action, name, got)


def test_marking_a_course_done_by_person(world, api_as):
    course = Course.objects.create(code="c", name="C")
    mine = TrainingAssignment.objects.create(
        employee=world.ann, course=course, due_date=datetime.date(2026, 3, 9)
    )
    url = f"{API}training-assignments/{mine.pk}/complete/"
    # Bob (staff) does not even see Ann's training; regional ops see it but may not
    # record it; out of scope is a 404.
    assert _post(api_as(world.bob_user), url) == 404
    assert _post(api_as(world.regional), url) == 403
    assert _post(api_as(world.manager_be), url) == 404
    for user in (world.ann_user, world.manager, world.head):
        Certification.objects.all().delete()
        TrainingAssignment.objects.filter(pk=mine.pk).update(status="assigned", completed_at=None)
        assert _post(api_as(user), url) == 200, user
    assert _post(api_as(world.head), url) == 409  # done already


# --- Every write route of the staff API, refused --------------------------------------
# (method, path, body, the roles allowed). Path and body are built from the records of
# ``_records``; the bodies are valid, so a refusal comes from the role or the scope.
HEAD = frozenset({"head_office", "admin"})
SCHEDULING = frozenset({"store_manager", "head_office", "admin"})
WEEK = datetime.timedelta(days=7)


def _records(w):
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "13:00")
    course = Course.objects.create(code="c", name="C")
    return {"shift": shift, "schedule": shift.schedule, "course": course}


WRITES = {
    "employee-create": (
        "post",
        lambda r: "employees/",
        lambda w, r: {
            "home_store": w.sh1.pk,
            "name": "New",
            "position": "cashier",
            "weekly_hours_max": "40",
            "hourly_rate": "30",
        },
        SCHEDULING,
    ),
    "shift-create": (
        "post",
        lambda r: "shifts/",
        lambda w, r: {
            "store": w.sh1.pk,
            "employee": w.bob.pk,
            "business_date": day(1).isoformat(),
            "starts": "09:00",
            "ends": "13:00",
        },
        SCHEDULING,
    ),
    "shift-update": (
        "patch",
        lambda r: f"shifts/{r['shift'].pk}/",
        lambda w, r: {"ends": "14:00"},
        SCHEDULING,
    ),
    "shift-delete": ("delete", lambda r: f"shifts/{r['shift'].pk}/", None, SCHEDULING),
    "schedule-create": (
        "post",
        lambda r: "schedules/",
        lambda w, r: {"store": w.sh1.pk, "week_start": (MONDAY + WEEK).isoformat()},
        SCHEDULING,
    ),
    "schedule-publish": (
        "post",
        lambda r: f"schedules/{r['schedule'].pk}/publish/",
        lambda w, r: {},
        SCHEDULING,
    ),
    "schedule-copy-previous": (
        "post",
        lambda r: f"schedules/{r['schedule'].pk}/copy-previous/",
        lambda w, r: {},
        SCHEDULING,
    ),
    "course-create": (
        "post",
        lambda r: "training-courses/",
        lambda w, r: {"code": "new", "name": "New"},
        HEAD,
    ),
    "course-update": (
        "patch",
        lambda r: f"training-courses/{r['course'].pk}/",
        lambda w, r: {"name": "Renamed"},
        HEAD,
    ),
    "assignment-create": (
        "post",
        lambda r: "training-assignments/",
        lambda w, r: {
            "employee": w.ann.pk,
            "course": r["course"].pk,
            "due_date": (w.sh1.business_date() + WEEK).isoformat(),
        },
        SCHEDULING,
    ),
}


def _users(w):
    """One user per role, in scope of SH1 (no role: nobody)."""
    admin = get_user_model().objects.create_user("adm", password="x", role="admin")
    return {
        None: get_user_model().objects.create_user("nobody", password="x"),
        "store_staff": w.ann_user,
        "store_manager": w.manager,
        "regional_ops": w.regional,
        "head_office": w.head,
        "admin": admin,
    }


def _state():
    """What a refused write must leave as it was."""
    return (
        list(Employee.objects.values_list("pk", "name").order_by("pk")),
        list(Shift.objects.values_list("pk", "employee", "start_at", "end_at").order_by("pk")),
        list(Schedule.objects.values_list("pk", "status").order_by("pk")),
        list(Course.objects.values_list("pk", "code", "name").order_by("pk")),
        list(TrainingAssignment.objects.values_list("pk").order_by("pk")),
    )


def _send(api, method, path, body):
    if body is None:
        return getattr(api, method)(f"{API}{path}")
    return getattr(api, method)(f"{API}{path}", body, format="json")


@pytest.mark.parametrize("name", sorted(WRITES))
def test_staff_api_writes_refused_by_role_and_scope(world, api_as, name):
    method, path, body, allowed = WRITES[name]
    records = _records(world)
    path, body = path(records), body and body(world, records)
    before = _state()
    for role, user in _users(world).items():
        if role not in allowed:
            got = _send(api_as(user), method, path, body).status_code
            assert got == 403, (name, role, got)
    # Allowed roles out of scope (Berlin's manager, the West's regional ops): 404.
    outsiders = [u for u in (world.manager_be, world.regional_west) if u.role in allowed]
    if name.startswith("course-"):
        outsiders = []  # courses are chain-wide: nobody is out of their scope
    for user in outsiders:
        assert _send(api_as(user), method, path, body).status_code == 404, (name, user)
    assert _state() == before
    # The same request in scope goes through the role and scope checks (the body is valid).
    got = _send(
        api_as(world.manager if "store_manager" in allowed else world.head), method, path, body
    )
    assert got.status_code not in (400, 403, 404), (name, got.status_code, got.content[:300])


# Methods no staff API route takes: 405 for the roles that read it, 403 for the others.
UNROUTED = {
    "employees/{employee}/": (("put", "patch", "delete"), SCHEDULE_READERS),
    "shifts/{shift}/": (("put",), ALL_ROLES),
    "schedules/{schedule}/": (("put", "patch", "delete"), SCHEDULE_READERS),
    "swaps/{swap}/": (("put", "patch", "delete"), ALL_ROLES),
    "training-courses/{course}/": (("put", "delete"), ALL_ROLES),
    "training-assignments/{assignment}/": (("put", "patch", "delete"), ALL_ROLES),
}


@pytest.mark.parametrize("path", sorted(UNROUTED))
def test_staff_api_methods_not_routed_change_nothing(world, swap, api_as, path):
    methods, readers = UNROUTED[path]
    records = _records(world)
    records["employee"] = world.ann
    records["swap"] = swap
    records["assignment"] = TrainingAssignment.objects.create(
        employee=world.ann, course=records["course"], due_date=day(7)
    )
    url = path.format(**{k: v.pk for k, v in records.items()})
    before = (_state(), list(SwapRequest.objects.values_list("pk", "status")))
    for role, user in _users(world).items():
        for method in methods:
            got = _send(api_as(user), method, url, {}).status_code
            assert got == (405 if role in readers else 403), (url, method, role, got)
    assert (_state(), list(SwapRequest.objects.values_list("pk", "status"))) == before


def test_asking_a_swap_is_for_the_person_on_the_shift(world, api_as):
    today = world.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + WEEK
    shift = put_shift(world.ann, world.sh1, monday, "09:00", "17:00", published=True)
    body = {"shift": shift.pk, "to_employee": world.bob.pk}
    url = f"{API}swaps/"
    assert APIClient().post(url, body, format="json").status_code == 401
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert api_as(nobody).post(url, body, format="json").status_code == 403
    # In scope but not Ann: 403 whatever the role; out of scope: 404.
    for user in (world.bob_user, world.manager, world.regional, world.head):
        assert api_as(user).post(url, body, format="json").status_code == 403, user
    for user in (world.manager_be, world.regional_west):
        assert api_as(user).post(url, body, format="json").status_code == 404, user
    assert not SwapRequest.objects.exists()
    assert api_as(world.ann_user).post(url, body, format="json").status_code == 201
