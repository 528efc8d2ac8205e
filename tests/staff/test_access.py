"""The staff routes whose answer depends on the person, not the role (on the access
matrix's SPECIAL list): swap accept / decline / cancel / approve / refuse and marking a
course done, walked as anonymous, without a role, out of scope, and in scope as every
role, the person concerned included."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from staff.models import Certification, Course, SwapRequest, TrainingAssignment

from .conftest import put_shift

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
