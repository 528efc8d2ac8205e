"""Pages: the week editor (htmx add/delete, live checks, publish refused then done, copy),
my shifts and swaps, people, training; and every list page's query count with one row and
with many."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.models import Course, Schedule, Shift, SwapRequest, TrainingAssignment

from .conftest import MONDAY, day, make_employee, put_shift

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def week_url(store, monday=MONDAY):
    return reverse("staff:schedule_week", kwargs={"pk": store.pk, "week": monday})


def _shift_post(employee, date, starts, ends, break_minutes=0):
    return {
        "employee": employee.pk,
        "business_date": date.isoformat(),
        "starts": starts,
        "ends": ends,
        "break_minutes": break_minutes,
        "position": "",
        "note": "",
    }


def test_week_page_by_role(client, world):
    w = world
    client.force_login(w.manager)
    response = client.get(week_url(w.sh1))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="shift-form"' in html and 'data-testid="publish"' in html
    assert re.findall(r'<tr data-employee="([^"]+)"', html) == ["Ann", "Bob", "Cat"]
    # Another day of the week redirects to its Monday; another store is a 404.
    assert client.get(week_url(w.sh1, day(2)))["Location"] == week_url(w.sh1)
    assert client.get(week_url(w.sh2)).status_code == 404
    # Regional ops read the week without the editor; store staff may not open it.
    client.force_login(w.regional)
    html = client.get(week_url(w.sh2)).content.decode()
    assert 'data-testid="shift-form"' not in html and 'data-testid="week-grid"' in html
    client.force_login(w.ann_user)
    assert client.get(week_url(w.sh1)).status_code == 403


def test_the_week_editor_with_htmx(client, world):
    w = world
    client.force_login(w.manager)
    url = reverse("staff:shift_create", kwargs={"pk": w.sh1.pk, "week": MONDAY})
    response = client.post(url, _shift_post(w.ann, day(0), "09:00", "13:00"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="week-grid"') and "09:00–13:00" in html
    # An overlapping shift is saved in the draft and flagged live.
    response = client.post(url, _shift_post(w.ann, day(0), "12:00", "16:00"), **HTMX)
    html = response.content.decode()
    assert 'data-rule="overlap"' in html and "shift error" in html
    # A bad shift is refused with its message, in the grid (200 for htmx), unsaved.
    response = client.post(url, _shift_post(w.bob, day(1), "09:00", "09:30", 45), **HTMX)
    assert response.status_code == 200
    assert "The break must be shorter than the shift." in response.content.decode()
    assert Shift.objects.count() == 2
    # Deleting the overlap clears the check.
    second = Shift.objects.get(start_at__hour=4)  # 12:00 in Shanghai
    delete = reverse("staff:shift_delete", args=[second.pk])
    assert client.post(delete, **HTMX).status_code == 200  # unconfirmed: kept
    assert Shift.objects.filter(pk=second.pk).exists()
    response = client.post(delete, {"confirm": "1"}, **HTMX)
    assert 'data-testid="checks-ok"' in response.content.decode()


def _choices(response):
    return [e.name for e in response.context["form"].fields["employee"].queryset]


def test_the_shift_form_lists_the_store_and_its_loans_and_lends_on_request(client, world):
    w = world
    client.force_login(w.head)  # sees every person of the chain
    response = client.get(week_url(w.sh1))
    assert _choices(response) == ["Ann", "Bob", "Cat"]  # not Dan (SH2) nor Eve (BE1)
    # Lend Eve from BE1: choose the store, its people join the list; post the shift.
    html = response.content.decode()
    assert 'data-testid="lend-form"' in html and "BE1 Store BE1" in html
    response = client.get(week_url(w.sh1), {"lend_from": w.be1.pk})
    assert _choices(response) == ["Ann", "Bob", "Cat", "Eve"]
    assert _choices(client.get(week_url(w.sh1), {"lend_from": "x"})) == ["Ann", "Bob", "Cat"]
    url = reverse("staff:shift_create", kwargs={"pk": w.sh1.pk, "week": MONDAY})
    response = client.post(url, _shift_post(w.eve, day(0), "09:00", "13:00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    loan = Shift.objects.get(employee=w.eve)
    assert loan.store == w.sh1
    # Eve is on loan to SH1 now: listed this week and the next, and in her shift's form.
    assert _choices(client.get(week_url(w.sh1))) == ["Ann", "Bob", "Cat", "Eve"]
    assert _choices(client.get(week_url(w.sh1, day(7)))) == ["Ann", "Bob", "Cat", "Eve"]
    assert _choices(client.get(week_url(w.sh1, day(14)))) == ["Ann", "Bob", "Cat"]
    edit = client.get(reverse("staff:shift_edit", args=[loan.pk]))
    assert _choices(edit) == ["Ann", "Bob", "Cat", "Eve"]
    # A manager of SH1 only has no other store to lend from; nor sees Eve.
    client.force_login(w.manager)
    response = client.get(week_url(w.sh1))
    assert _choices(response) == ["Ann", "Bob", "Cat"]
    assert 'data-testid="lend-form"' not in response.content.decode()
    client.force_login(w.manager_both)
    response = client.get(week_url(w.sh1), {"lend_from": w.be1.pk})  # out of scope: ignored
    assert _choices(response) == ["Ann", "Bob", "Cat"]
    assert _choices(client.get(week_url(w.sh1), {"lend_from": w.sh2.pk})) == [
        "Ann",
        "Bob",
        "Cat",
        "Dan",
    ]


def test_publish_refused_then_fixed_then_published(client, world):
    w = world
    client.force_login(w.manager)
    put_shift(w.ann, w.sh1, day(0), "09:00", "20:00")
    late = put_shift(w.ann, w.sh1, day(1), "06:00", "12:00")
    publish = reverse("staff:schedule_publish", kwargs={"pk": w.sh1.pk, "week": MONDAY})
    response = client.post(publish)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The week cannot be published: 1 rule is broken." in html
    assert re.search(r'data-rule="rest"[^>]*>[^<]*Ann', html)
    assert Schedule.objects.get().status == "draft"
    edit = reverse("staff:shift_edit", args=[late.pk])
    assert client.get(edit).status_code == 200
    post = _shift_post(w.ann, day(1), "07:00", "12:00")
    assert client.post(edit, post)["Location"] == week_url(w.sh1)
    response = client.post(publish)
    assert response.status_code == 302
    assert Schedule.objects.get().status == "published"


def test_copy_last_week_from_the_page(client, world):
    w = world
    client.force_login(w.manager)
    put_shift(w.bob, w.sh1, day(0), "09:00", "17:00")
    next_monday = day(7)
    copy = reverse("staff:schedule_copy", kwargs={"pk": w.sh1.pk, "week": next_monday})
    assert client.post(copy).status_code == 302
    assert Shift.objects.filter(business_date=day(7)).count() == 1
    response = client.post(copy)
    assert response.status_code == 400 and "has shifts already" in response.content.decode()


def test_staffing_rule_form(client, world):
    w = world
    client.force_login(w.manager)
    url = reverse("staff:staffing_rule_set", args=[w.sh1.pk])
    assert client.post(url, {"weekday": "", "min_staff": "2"}).status_code == 302
    assert w.sh1.staffing_rules.get().min_staff == 2
    assert client.post(url, {"weekday": "9", "min_staff": "2"}).status_code == 400


def test_my_shifts_swap_accept_and_approve_through_the_pages(client, world):
    w = world
    today = w.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(w.ann, w.sh1, monday, "09:00", "17:00", published=True)
    client.force_login(w.ann_user)
    html = client.get(reverse("staff:my_shifts")).content.decode()
    assert 'data-testid="my-shift"' in html and "09:00–17:00" in html
    response = client.post(
        reverse("staff:swap_ask", args=[shift.pk]), {"mode": "named", "to_employee": w.bob.pk}
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    client.force_login(w.bob_user)
    html = client.get(reverse("staff:my_shifts")).content.decode()
    assert 'data-testid="accept-swap"' in html
    respond = reverse("staff:swap_respond", args=[swap.pk])
    assert client.post(respond, {"response": "accept"}).status_code == 302
    assert client.post(respond, {"response": "accept"}).status_code == 400  # not pending
    client.force_login(w.manager)
    decide = reverse("staff:swap_decide", args=[swap.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    assert Shift.objects.get(pk=shift.pk).employee == w.bob


def test_a_swap_approval_refused_by_the_checks_shows_the_violation(client, world):
    w = world
    today = w.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(w.ann, w.sh1, monday, "09:00", "17:00", published=True)
    put_shift(w.bob, w.sh1, monday, "10:00", "18:00")
    swap = SwapRequest.objects.create(
        shift=shift, from_employee=w.ann, to_employee=w.bob, status="accepted"
    )
    client.force_login(w.manager)
    response = client.post(reverse("staff:swap_decide", args=[swap.pk]), {"decision": "approve"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "would break a rule for Bob" in html and 'data-rule="overlap"' in html


def test_accepting_a_shift_that_would_break_a_rule_shows_why_and_changes_nothing(client, world):
    w = world
    today = w.sh1.business_date()
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    shift = put_shift(w.ann, w.sh1, monday, "09:00", "17:00", published=True)
    put_shift(w.bob, w.sh1, monday, "10:00", "18:00", published=True)
    swap = SwapRequest.objects.create(shift=shift, from_employee=w.ann, to_employee=w.bob)
    client.force_login(w.bob_user)
    response = client.post(reverse("staff:swap_respond", args=[swap.pk]), {"response": "accept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You cannot take this shift" in html and 'data-rule="overlap"' in html
    swap.refresh_from_db()
    assert swap.status == "pending"


def test_people_pages(client, world):
    w = world
    client.force_login(w.manager)
    html = client.get(reverse("staff:employee_list")).content.decode()
    assert set(re.findall(r'data-employee="(\d+)"', html)) == {
        str(e.pk) for e in (w.ann, w.bob, w.cat)
    }
    detail = reverse("staff:employee_detail", args=[w.ann.pk])
    assert client.get(detail).status_code == 200
    assert client.get(reverse("staff:employee_detail", args=[w.dan.pk])).status_code == 404
    availability = reverse("staff:availability_set", args=[w.ann.pk])
    assert client.post(availability, {"starts_0": "08:00", "ends_0": "18:00"}).status_code == 302
    assert client.post(availability, {"starts_1": "08:00"}).status_code == 400
    assert w.ann.availability.count() == 1
    leave = reverse("staff:leave_add", args=[w.ann.pk])
    assert (
        client.post(leave, {"start_date": "2026-03-04", "end_date": "2026-03-03"}).status_code
        == 400
    )
    assert (
        client.post(leave, {"start_date": "2026-03-03", "end_date": "2026-03-04"}).status_code
        == 302
    )
    row = w.ann.leaves.get()
    assert client.post(reverse("staff:leave_delete", args=[w.ann.pk, row.pk])).status_code == 302
    create = reverse("staff:employee_create")
    response = client.post(
        create,
        {
            "home_store": w.sh1.pk,
            "name": "Gus",
            "position": "cashier",
            "contract_type": "part_time",
            "weekly_hours_max": "24",
            "hourly_rate": "22.50",
            "active_from": "2026-03-01",
        },
    )
    assert response.status_code == 302
    client.force_login(w.ann_user)
    assert client.get(reverse("staff:employee_list")).status_code == 403


def test_training_pages(client, world):
    w = world
    course = Course.objects.create(code="safety", name="Safety", name_zh="安全", due_days=7)
    mine = TrainingAssignment.objects.create(employee=w.ann, course=course, due_date=day(0))
    TrainingAssignment.objects.create(employee=w.bob, course=course, due_date=day(0))
    client.force_login(w.ann_user)
    html = client.get(reverse("staff:assignment_list")).content.decode()
    assert re.findall(r'data-assignment="(\d+)"', html) == [str(mine.pk)]  # only her own
    complete = reverse("staff:assignment_complete", args=[mine.pk])
    assert client.post(complete, {}).status_code == 400
    assert client.post(complete, {"confirm": "1"}).status_code == 302
    assert TrainingAssignment.objects.get(pk=mine.pk).status == "completed"
    client.force_login(w.regional)
    html = client.get(reverse("staff:training")).content.decode()
    assert 'data-testid="overdue-table"' in html and "Bob" in html
    client.force_login(w.head)
    response = client.post(
        reverse("staff:course_create"),
        {"code": "tills", "name": "Tills", "due_days": "14", "mandatory_for": ["cashier"]},
    )
    assert response.status_code == 302
    assert Course.objects.get(code="tills").mandatory_for == ["cashier"]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/staff/my-shifts/#training", "/staff/my-shifts/#training"),
        ("https://evil.example/", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("", None),
    ],
)
def test_completing_training_follows_next_on_this_site_only(client, world, next_url, expected):
    course = Course.objects.create(code="safety", name="Safety", due_days=7)
    mine = TrainingAssignment.objects.create(employee=world.ann, course=course, due_date=day(0))
    client.force_login(world.ann_user)
    response = client.post(
        reverse("staff:assignment_complete", args=[mine.pk]), {"confirm": "1", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == (expected or reverse("staff:assignment_list"))


# --- Query counts --------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def _grow(w, n):
    """n more people at SH1, each with a shift every day of the week, a swap request and
    a training assignment; and n people of SH2 lent to SH1 for a shift (shown in SH1's
    week with their home store)."""
    course = Course.objects.get_or_create(code="grow", defaults={"name": "Grow"})[0]
    for i in range(n):
        person = make_employee(f"Extra {i}", w.sh1)
        for d in range(7):
            shift = put_shift(person, w.sh1, day(d), "09:00", "13:00", published=True)
        SwapRequest.objects.create(shift=shift, from_employee=person)
        TrainingAssignment.objects.create(employee=person, course=course, due_date=day(0))
        put_shift(make_employee(f"Loan {i}", w.sh2), w.sh1, day(0), "13:00", "17:00")


LIST_PAGES = [
    ("staff:shift_list", {}),
    ("staff:swap_list", {}),
    ("staff:employee_list", {}),
    ("staff:assignment_list", {}),
    ("staff:schedule_index", {}),
    ("staff:training", {}),
]


def test_list_pages_run_a_constant_number_of_queries(client, world):
    w = world
    client.force_login(w.manager)
    _grow(w, 1)
    urls = [reverse(name, kwargs=kwargs) for name, kwargs in LIST_PAGES] + [week_url(w.sh1)]
    one = [_count(client, url) for url in urls]
    _grow(w, 8)
    many = [_count(client, url) for url in urls]
    assert one == many, list(zip(urls, one, many, strict=True))
    # The week shows the people lent from SH2 with their home store.
    html = client.get(week_url(w.sh1)).content.decode()
    assert html.count('<small class="muted">(SH2)</small>') == 9


def test_my_shifts_runs_a_constant_number_of_queries(client, world):
    w = world
    client.force_login(w.ann_user)
    today = w.sh1.business_date()
    put_shift(w.ann, w.sh1, today + datetime.timedelta(days=1), "09:00", "13:00", published=True)
    one = _count(client, reverse("staff:my_shifts"))
    for n in range(2, 9):
        put_shift(
            w.ann, w.sh1, today + datetime.timedelta(days=n), "09:00", "13:00", published=True
        )
    # Every one is shown (each with its swap form), whatever day of the week today is.
    assert client.get(reverse("staff:my_shifts")).content.count(b'name="mode"') == 8
    assert _count(client, reverse("staff:my_shifts")) == one


def test_pages_in_chinese(client, world):
    w = world
    w.manager.language = "zh-hans"
    w.manager.save()
    put_shift(w.ann, w.sh1, day(0), "09:00", "13:00")
    put_shift(w.ann, w.sh1, day(0), "12:00", "16:00")
    client.force_login(w.manager)
    html = client.get(week_url(w.sh1), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "添加班次" in html and "发布该周" in html
    assert "班次重叠" in html  # the violation, in Chinese


def test_the_staff_models_in_the_admin_are_read_only(client, world):
    """Admins look at every staff record; a change goes through the staff services, so
    the admin adds, changes and deletes nothing (a forged POST is refused)."""
    from django.contrib.auth import get_user_model

    from staff.models import Leave

    admin = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin)
    shift = put_shift(world.ann, world.sh1, day(0), "09:00", "13:00")
    course = Course.objects.create(code="safety", name="Safety", due_days=7)
    Leave.objects.create(employee=world.ann, start_date=day(3), end_date=day(4))
    for model in (
        "employee",
        "staffingrule",
        "schedule",
        "shift",
        "swaprequest",
        "course",
        "trainingassignment",
        "certification",
    ):
        assert client.get(reverse(f"admin:staff_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:staff_{model}_add")).status_code == 403, model
    page = client.get(reverse("admin:staff_employee_change", args=[world.ann.pk]))
    assert page.status_code == 200 and "Ann" in page.text
    assert 'name="_save"' not in page.text  # a view page, no save button
    refused = client.post(
        reverse("admin:staff_employee_change", args=[world.ann.pk]),
        {"name": "Forged", "hourly_rate": "999"},
    )
    assert refused.status_code == 403
    refused = client.post(reverse("admin:staff_course_change", args=[course.pk]), {"name": "X"})
    assert refused.status_code == 403
    gone = client.post(reverse("admin:staff_shift_delete", args=[shift.pk]), {"post": "yes"})
    assert gone.status_code == 403
    world.ann.refresh_from_db()
    course.refresh_from_db()
    assert (world.ann.name, world.ann.hourly_rate, course.name) == ("Ann", 30, "Safety")
    assert Shift.objects.filter(pk=shift.pk).exists() and Leave.objects.count() == 1
