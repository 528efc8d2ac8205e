"""The demo's checklist history: runs, answers, photos and corrective actions."""

from __future__ import annotations

import datetime
import io
import random
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageDraw

from opsdesk.platform.notifications.models import Notification
from stores.models import OpeningHours, Store

from ..models import (
    Answer,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistSchedule,
    CorrectiveAction,
    RunEvent,
)
from ..scheduling import local_to_utc
from ..scoring import item_passes, score_run
from ..services.photos import PHOTO_ROOT, THUMB_SIDE
from ..services.runs import plan_runs
from .templates import SCHEDULES, seed_templates


def seed_checklists(*, chain, days: int, seed: int, today: datetime.date) -> dict:
    rng = random.Random(seed * 1_000_003 + 17)
    published_at = local_to_utc(
        today - datetime.timedelta(days=days + 30), datetime.time(9), datetime.UTC
    )
    templates, versions, sections, items = seed_templates(published_at)
    by_code = {t.code: t for t in templates}
    version_of = {v.template_id: v for v in versions}
    items_of = defaultdict(list)
    sections_of = defaultdict(list)
    for item in items:
        items_of[item.version_id].append(item)
    for section in sections:
        sections_of[section.version_id].append(section)

    schedules = []
    for code, (recurrence, weekdays, dom, due, grace, late) in SCHEDULES.items():
        schedules.append(
            ChecklistSchedule(
                template=by_code[code],
                recurrence=recurrence,
                weekdays=weekdays,
                day_of_month=dom,
                due_time=due,
                grace_minutes=grace,
                allow_late=late,
            )
        )
    schedules = ChecklistSchedule.objects.bulk_create(schedules)
    ChecklistSchedule.regions.through.objects.bulk_create(
        ChecklistSchedule.regions.through(checklistschedule_id=s.pk, region_id=r.pk)
        for s in schedules
        for r in chain.regions
    )
    region_ids = {r.pk for r in chain.regions}
    for schedule in schedules:
        schedule.target_store_ids, schedule.target_region_ids = set(), region_ids

    open_days = defaultdict(set)
    for store_id, weekday in OpeningHours.objects.filter(store__in=chain.stores).values_list(
        "store_id", "weekday"
    ):
        open_days[store_id].add(weekday)

    users = chain.users
    manager_of = {s.pk: users.get(f"manager-{s.code}") for s in chain.stores}
    regional_of = {r.pk: users.get(f"regional-{r.code}") for r in chain.regions}
    staff_user = users.get("staff")
    first_store = chain.stores[0]

    # 1. Runs: the same planning as the beat task, for every day of the history.
    runs = []
    for store in chain.stores:
        for offset in range(days - 1, -1, -1):
            date = today - datetime.timedelta(days=offset)
            runs += plan_runs(store, date, schedules, version_of, open_days[store.pk])
    plans = []
    for run in runs:
        if run.business_date < today:
            plans.append(_outcome(run, rng, manager_of, staff_user, first_store))
        else:
            plans.append(None)

    # 2. Visit audits: one per store every ten days or so, by the region's regional ops.
    audit_template = by_code["store-visit"]
    audit_version = version_of[audit_template.pk]
    audits = []
    for store in chain.stores:
        auditor = regional_of.get(store.region_id)
        if store.status != Store.Status.OPEN or auditor is None:
            continue
        for offset in range(rng.randint(2, 9), days, 10):
            date = today - datetime.timedelta(days=offset)
            started = local_to_utc(date, datetime.time(rng.randint(10, 16), 0), store.tz)
            submitted = started + datetime.timedelta(minutes=rng.randint(30, 80))
            acknowledged = offset > 2
            audits.append(
                ChecklistRun(
                    kind="audit",
                    version=audit_version,
                    store=store,
                    business_date=date,
                    status="acknowledged" if acknowledged else "submitted",
                    timeliness="on_time",
                    started_at=started,
                    started_by=auditor,
                    submitted_at=submitted,
                    first_submitted_at=submitted,
                    submitted_by=auditor,
                    acknowledged_at=submitted + datetime.timedelta(hours=20)
                    if acknowledged
                    else None,
                    acknowledged_by=manager_of.get(store.pk) if acknowledged else None,
                )
            )
            plans.append(("submitted", auditor, submitted))

    # 3. Answers, scores, events and corrective actions of the runs that were done,
    # scored before the runs are inserted (foreign keys resolve at bulk_create).
    answers, events, actions = [], [], []
    photos = _store_photos(chain.stores, rng, manager_of, published_at)
    for run, plan in zip(runs + audits, plans, strict=True):
        if plan is None:
            continue
        status, user, at = plan
        if status == "missed":
            events.append(RunEvent(run=run, kind="missed", at=run.day_ends_at))
            continue
        run_answers = {}
        for item in items_of[run.version_id]:
            answer = _answer(run, item, rng, user, at)
            if item.kind == "photo" and not answer.not_applicable:
                answer.photo = photos[run.store_id]
            answers.append(answer)
            run_answers[item.pk] = answer
        score = score_run(sections_of[run.version_id], items_of[run.version_id], run_answers)
        run.points_earned, run.points_possible = score.earned, score.possible
        run.score, run.failed_critical, run.passed = (
            score.percent,
            score.failed_critical,
            score.passed,
        )
        events.append(
            RunEvent(run=run, kind="started", user=user, at=at - datetime.timedelta(minutes=12))
        )
        events.append(RunEvent(run=run, kind="submitted", user=user, at=at))
        if run.acknowledged_at:
            events.append(
                RunEvent(
                    run=run, kind="acknowledged", user=run.acknowledged_by, at=run.acknowledged_at
                )
            )
        for item in score.failed_items:
            actions.append(_action(run, item, rng, manager_of.get(run.store_id), at, today))
    runs = ChecklistRun.objects.bulk_create(runs, batch_size=2000)
    audits = ChecklistRun.objects.bulk_create(audits, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    RunEvent.objects.bulk_create(events, batch_size=5000)
    actions = CorrectiveAction.objects.bulk_create(actions, batch_size=2000)

    # 4. Reminders of overdue actions, as the sweep would have sent them.
    notifications = []
    region_of = {s.pk: s.region_id for s in chain.stores}
    for action in actions:
        if action.status in ("open", "in_progress") and action.due_date < today:
            url = reverse("checklists:action_detail", kwargs={"pk": action.pk})
            for user in (action.assignee, regional_of.get(region_of[action.store_id])):
                if user is not None:
                    notifications.append(
                        Notification(
                            user=user,
                            title=f"Overdue: {action.title}",
                            body=f"Due {action.due_date.isoformat()}.",
                            url=url,
                            topic=f"action-overdue:{action.pk}:{today.isoformat()}",
                        )
                    )
    Notification.objects.bulk_create(notifications, batch_size=5000)
    return {
        "templates": len(templates),
        "runs": len(runs),
        "audits": len(audits),
        "answers": len(answers),
        "corrective_actions": len(actions),
    }


def _outcome(run, rng, manager_of, staff_user, first_store):
    """(status, who, when) for a past run: mostly on time, some late, some missed."""
    roll = rng.random()
    user = manager_of.get(run.store_id)
    if run.store_id == first_store.pk and staff_user is not None and rng.random() < 0.4:
        user = staff_user
    if roll < 0.08:
        run.status, run.timeliness = "missed", "missed"
        return ("missed", None, None)
    if roll < 0.16 and run.allow_late:
        at = run.deadline_at + datetime.timedelta(minutes=rng.randint(5, 180))
        at = min(at, run.day_ends_at - datetime.timedelta(minutes=1))
        run.timeliness = "late"
    elif roll < 0.16:
        run.status, run.timeliness = "missed", "missed"
        return ("missed", None, None)
    else:
        at = run.due_at - datetime.timedelta(minutes=rng.randint(1, 90))
        run.timeliness = "on_time"
    run.status = "submitted"
    run.started_at, run.started_by = at - datetime.timedelta(minutes=12), user
    run.submitted_at = run.first_submitted_at = at
    run.submitted_by = user
    return ("submitted", user, at)


def _store_photos(stores, rng, manager_of, at) -> dict[int, ChecklistPhoto]:
    """One real photo file per store (a drawn storefront with its code), stored like an
    upload (re-encoded JPEG and thumbnail under PHOTO_ROOT) and shown by the demo's
    photo answers."""
    photos = {}
    for store in stores:
        colour = tuple(rng.randint(60, 200) for _ in range(3))
        image = Image.new("RGB", (640, 480), colour)
        draw = ImageDraw.Draw(image)
        draw.rectangle((80, 140, 560, 420), outline="white", width=6)
        draw.text((100, 60), f"{store.code} storefront", fill="white")
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
        stem = f"{PHOTO_ROOT}/demo/{rng.getrandbits(128):032x}"
        data = {}
        for suffix, picture in ((".jpg", image), (".thumb.jpg", thumb)):
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=80)
            data[suffix] = out.getvalue()
        names = {}
        for suffix, content in data.items():
            # The same seed gives the same names: a re-seed replaces its files.
            default_storage.delete(f"{stem}{suffix}")
            names[suffix] = default_storage.save(f"{stem}{suffix}", ContentFile(content))
        photos[store.pk] = ChecklistPhoto(
            store=store,
            image=names[".jpg"],
            thumbnail=names[".thumb.jpg"],
            width=image.width,
            height=image.height,
            size=len(data[".jpg"]),
            uploaded_at=at,
            uploaded_by=manager_of.get(store.pk),
        )
    ChecklistPhoto.objects.bulk_create(photos.values())
    return photos


def _answer(run, item, rng, user, at) -> Answer:
    fields = {"choice": "", "number": None, "text": "", "not_applicable": False}
    kind = item.kind
    if kind == "yes_no":
        fields["choice"] = "no" if rng.random() < (0.03 if item.critical else 0.07) else "yes"
        if not item.critical and rng.random() < 0.03:
            fields["not_applicable"], fields["choice"] = True, ""
    elif kind == "number":
        low, high = item.min_value, item.max_value
        if rng.random() < 0.05:
            fields["number"] = high + Decimal(rng.randint(1, 4))
        else:
            span = int((high - low) * 10)
            fields["number"] = low + Decimal(rng.randint(0, span)) / 10
    elif kind == "single_choice":
        options = item.options
        fields["choice"] = (
            options[-1]["value"] if rng.random() < 0.06 else rng.choice(options[:-1])["value"]
        )
    elif kind == "signature":
        fields["text"] = user.get_full_name() or user.username if user else "—"
    elif kind == "text":
        fields["text"] = ""
        if rng.random() < 0.3:
            fields["text"] = rng.choice(["All fine.", "Checked with the team.", "一切正常。"])
    # photo items: the store's demo photo is attached by the caller.
    passed = item_passes(
        item,
        not_applicable=fields["not_applicable"],
        choice=fields["choice"],
        number=fields["number"],
    )
    return Answer(
        run=run,
        item=item,
        passed=passed,
        answered_by=user,
        answered_at=at - datetime.timedelta(minutes=rng.randint(1, 10)),
        **fields,
    )


def _action(run, item, rng, manager, at, today) -> CorrectiveAction:
    due = run.business_date + datetime.timedelta(days=1 if item.critical else 3)
    status, closed_at, closed_by, verified_at = "open", None, None, None
    age = (today - due).days
    if age > 0 and rng.random() < 0.75:
        status = "verified" if rng.random() < 0.5 else "done"
        closed_at = at + datetime.timedelta(hours=rng.randint(2, 40))
        closed_by = manager
        if status == "verified":
            verified_at = closed_at + datetime.timedelta(hours=rng.randint(4, 30))
    elif age <= 0 and rng.random() < 0.4:
        status = "in_progress"
    return CorrectiveAction(
        store_id=run.store_id,
        run=run,
        item=item,
        title=item.prompt,
        critical=item.critical,
        assignee=manager,
        due_date=due,
        status=status,
        note="Fixed and checked." if closed_at else "",
        created_at=at,
        closed_at=closed_at,
        closed_by=closed_by,
        verified_at=verified_at,
    )
