"""A small, hand-built world for the checklist tests (no demo seeding: fast and exact)."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from opsdesk.platform.roles import Role
from stores.checklists import services
from stores.checklists.models import ChecklistRun
from stores.models import OpeningHours, Region, RegionAssignment, Store, StoreAssignment

User = get_user_model()
MON_TO_SAT = range(6)  # Sunday closed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_store(code, region, tz, weekdays=MON_TO_SAT, **extra):
    store = Store.objects.create(
        code=code, name=f"Store {code}", region=region, time_zone=tz, **extra
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=d, opens=datetime.time(8), closes=datetime.time(22))
        for d in weekdays
    )
    return store


def make_user(username, role, *, stores=(), regions=()):
    user = User.objects.create_user(
        username, password="x", role=role, email=f"{username}@example.com", first_name=username
    )
    for store in stores:
        StoreAssignment.objects.create(user=user, store=store)
    for region in regions:
        RegionAssignment.objects.create(user=user, region=region)
    return user


def build_template(head, code="opening", kind="checklist", photo_required=False):
    """A published template: a critical yes/no (2 pts), a yes/no (1 pt), a fridge
    temperature 0–5 °C (2 pts), a single choice (1 pt), an optional text, a photo."""
    template = services.template_create(
        user=head, code=code, name=f"{code} checklist", name_zh="检查表", kind=kind
    )
    draft = template.versions.get()
    safety = services.template_section_add(
        user=head, version=draft, title="Safety", title_zh="安全"
    )
    floor = services.template_section_add(user=head, version=draft, title="Floor", title_zh="卖场")
    items = SimpleNamespace()
    items.exits = services.template_item_add(
        user=head,
        section=safety,
        kind="yes_no",
        prompt="Fire exits clear",
        prompt_zh="消防通道畅通",
        instructions="Check every exit.",
        instructions_zh="检查每个出口。",
        points=2,
        critical=True,
    )
    items.alarm = services.template_item_add(
        user=head, section=safety, kind="yes_no", prompt="Alarm off", prompt_zh="警报已解除"
    )
    items.fridge = services.template_item_add(
        user=head,
        section=floor,
        kind="number",
        prompt="Fridge",
        prompt_zh="冷藏柜",
        points=2,
        min_value=Decimal("0"),
        max_value=Decimal("5"),
        unit="°C",
    )
    items.clean = services.template_item_add(
        user=head,
        section=floor,
        kind="single_choice",
        prompt="Floor",
        prompt_zh="地面",
        options=[
            {"value": "clean", "label": "Clean", "label_zh": "干净"},
            {"value": "dirty", "label": "Dirty", "label_zh": "脏", "fails": True},
        ],
    )
    items.comment = services.template_item_add(
        user=head, section=floor, kind="text", prompt="Comment", required=False
    )
    items.photo = services.template_item_add(
        user=head, section=floor, kind="photo", prompt="Storefront photo", required=photo_required
    )
    version = services.template_version_publish(user=head, version=draft)
    return SimpleNamespace(template=template, version=version, items=items)


@pytest.fixture
def world(db):
    ec = Region.objects.create(code="EC", name="East")
    us = Region.objects.create(code="US", name="America")
    sh = make_store("SH1", ec, "Asia/Shanghai")
    sh2 = make_store("SH2", ec, "Asia/Shanghai")
    ny = make_store("NY1", us, "America/New_York")
    ldn = make_store("LDN1", us, "Europe/London")
    w = SimpleNamespace(ec=ec, us=us, sh=sh, sh2=sh2, ny=ny, ldn=ldn)
    w.head = make_user("head", Role.HEAD_OFFICE)
    w.regional = make_user("reg", Role.REGIONAL_OPS, regions=[ec])
    w.regional_us = make_user("reg-us", Role.REGIONAL_OPS, regions=[us])
    w.manager = make_user("mgr", Role.STORE_MANAGER, stores=[sh])
    w.staff = make_user("staff", Role.STORE_STAFF, stores=[sh])
    w.staff2 = make_user("staff2", Role.STORE_STAFF, stores=[sh])
    w.manager_ny = make_user("mgr-ny", Role.STORE_MANAGER, stores=[ny])
    w.manager_sh2 = make_user("mgr-sh2", Role.STORE_MANAGER, stores=[sh2])
    w.norole = User.objects.create_user("nobody", password="x")
    w.tpl = build_template(w.head)
    return w


def schedule(w, *, stores=(), regions=(), template=None, **kwargs):
    kwargs.setdefault("due_time", datetime.time(9, 0))
    return services.schedule_create(
        user=w.head, template=template or w.tpl.template, stores=stores, regions=regions, **kwargs
    )


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def answer_all(w, run, user, *, fail=(), na=(), tpl=None):
    """Answer every item of the test template, or of ``tpl`` (another ``build_template``),
    passing unless named in fail/na."""
    it = (tpl or w.tpl).items
    values = {
        it.exits.pk: "yes",
        it.alarm.pk: "yes",
        it.fridge.pk: "3",
        it.clean.pk: "clean",
        it.comment.pk: "ok",
    }
    failing = {it.exits.pk: "no", it.alarm.pk: "no", it.fridge.pk: "9", it.clean.pk: "dirty"}
    for item in [it.exits, it.alarm, it.fridge, it.clean, it.comment]:
        if item.pk in [i.pk for i in na]:
            services.answer_save(user=user, run=run, item=item, not_applicable=True)
            continue
        value = failing[item.pk] if item.pk in [i.pk for i in fail] else values[item.pk]
        services.answer_save(user=user, run=run, item=item, value=value)


def today_run(world, store=None, **kwargs):
    store = store or world.sh
    sched = schedule(world, stores=[store], **kwargs)
    date = store.business_date()
    if date.weekday() == 6:  # the test stores close on Sundays: open one for today
        OpeningHours.objects.get_or_create(
            store=store,
            weekday=6,
            defaults={"opens": datetime.time(8), "closes": datetime.time(22)},
        )
    services.runs_create_for_business_day(store=store, business_date=date)
    return ChecklistRun.objects.get(schedule=sched, store=store, business_date=date)
