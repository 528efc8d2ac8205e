"""The customers part of the demo chain: the SLA policy, members, and ``days`` of
complaints and feedback (a few per store per week): most answered and resolved in time,
some late and escalated to regional ops, some reopened, a few still open.

Deterministic for a seed and ``today`` (the open ones are placed relative to the moment of
seeding when ``today`` is today); bulk inserts only. Called by ``manage.py seed_demo``
after the sales.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from opsdesk.platform.notifications.models import Notification
from stores.models import Store

from .models import Category, Channel, Complaint, ComplaintEvent, Customer, Kind, SlaTarget
from .rules import DEFAULT_TARGETS

# Per store and day: the chance of each of three possible complaints or feedback.
DAILY_CHANCE = 0.15
OVERRIDES = {("high", "product_quality"): (120, 24 * 60), ("critical", "safety"): (30, 12 * 60)}
KINDS = [(Kind.COMPLAINT, 75), (Kind.COMPLIMENT, 15), (Kind.SUGGESTION, 10)]
SEVERITIES = [("low", 30), ("medium", 45), ("high", 20), ("critical", 5)]
CHANNELS = [
    (Channel.IN_STORE, 45),
    (Channel.PHONE, 15),
    (Channel.EMAIL, 10),
    (Channel.SOCIAL, 10),
    (Channel.WEB, 10),
    (Channel.APP, 10),
]
CATEGORIES = [
    (Category.PRODUCT_QUALITY, 25),
    (Category.SERVICE, 20),
    (Category.STOCK_AVAILABILITY, 15),
    (Category.CHECKOUT, 12),
    (Category.PRICING, 10),
    (Category.CLEANLINESS, 8),
    (Category.RETURNS, 7),
    (Category.SAFETY, 3),
]
TEXTS = {
    Category.PRODUCT_QUALITY: [
        "The yoghurt bought yesterday was already sour before its date.",
        "昨天买的面包里有异物，希望门店给个说法。",
        "The bag of rice had a tear and insects inside.",
    ],
    Category.SERVICE: [
        "The cashier was rude when I asked for a receipt.",
        "店员态度冷淡，问了两次都没人理。",
        "Nobody at the service desk for twenty minutes.",
    ],
    Category.STOCK_AVAILABILITY: [
        "The advertised milk powder has been out of stock all week.",
        "促销的洗衣液货架一直是空的。",
    ],
    Category.CHECKOUT: [
        "Only one till open at 6 pm, queue of fifteen people.",
        "自助收银机扫不了会员码，排队太久。",
    ],
    Category.PRICING: [
        "Charged the full price although the shelf label showed the promotion.",
        "价签和结账价格不一致，多收了钱。",
    ],
    Category.CLEANLINESS: [
        "The floor near the fresh counter was wet and dirty.",
        "洗手间很脏，没有纸巾。",
    ],
    Category.RETURNS: [
        "Refused a refund for an unopened item with its receipt.",
        "退货流程太复杂，要求我打电话给总部。",
    ],
    Category.SAFETY: [
        "A broken glass bottle was left in aisle 4 for an hour.",
        "货架上的箱子快掉下来了，差点砸到孩子。",
    ],
}
FEEDBACK_TEXTS = {
    Kind.COMPLIMENT: [
        "The staff helped me carry the water to my car. Thank you!",
        "生鲜区的店员很热情，推荐的水果很好吃。",
        "Very clean store and quick checkout this morning.",
    ],
    Kind.SUGGESTION: [
        "Please stock more oat milk on weekends.",
        "希望能增加一个自助打包台。",
        "Could the store open at 7 on weekdays?",
    ],
}
RESPONSES = [
    "Called the customer, apologised and offered to replace the item.",
    "已致电顾客道歉，并邀请其到店换货。",
    "Replied by email with our apologies; checking with the team.",
]
RESOLUTIONS = [
    "Replaced the product and gave a voucher; shelf checked for the same batch.",
    "已全额退款，并对员工进行了服务培训。",
    "Price label corrected and the difference refunded.",
    "Explained the policy; the customer accepted an exchange.",
]
FIRST_NAMES = ["Xiaoming", "Lina", "Jie", "Yan", "Qiang", "Hui", "Ping", "Xin", "Yu", "Na"]
LAST_NAMES = ["Sun", "Zhou", "Xu", "Ma", "Hu", "Guo", "He", "Lin", "Luo", "Gao"]


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def seed_customers(*, chain, days: int, seed: int, today: datetime.date) -> dict:
    rng = random.Random(seed * 1_000_003 + 29)
    now = timezone.now()
    if today < timezone.localdate():
        now = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=datetime.UTC)
    targets = {(severity, ""): value for severity, value in DEFAULT_TARGETS.items()}
    targets.update(OVERRIDES)
    SlaTarget.objects.bulk_create(
        SlaTarget(severity=s, category=c, first_response_minutes=f, resolution_minutes=r)
        for (s, c), (f, r) in targets.items()
    )
    members = Customer.objects.bulk_create(
        Customer(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            phone=f"+86139{rng.randint(10_000_000, 99_999_999)}",
            email=f"member{i:05d}@example.com" if rng.random() < 0.5 else "",
            member_number=f"M{100000 + i}",
        )
        for i in range(max(20, len(chain.stores) * 6))
    )
    users = chain.users
    regional = {r.pk: [users.get(f"regional-{r.code}")] for r in chain.regions}
    if chain.regions and users.get("regional"):
        regional[chain.regions[0].pk].append(users["regional"])
    trading = [s for s in chain.stores if s.status != Store.Status.PLANNED]
    plans = []
    for store in trading:
        handler = users.get(f"manager-{store.code}")
        if store.pk == chain.stores[0].pk and users.get("manager"):
            handler = users["manager"]
        for offset in range(days, -1, -1):
            date = today - datetime.timedelta(days=offset)
            if store.opening_date and date < store.opening_date:
                continue
            for _slot in range(3):
                if rng.random() >= DAILY_CHANCE:
                    continue
                local = datetime.datetime.combine(
                    date, datetime.time(rng.randint(9, 20), rng.randint(0, 59)), tzinfo=store.tz
                )
                if local > now - _minutes(10):
                    continue
                plans.append(_plan(rng, store, handler, local, targets, members))
        # A few open ones at the time of seeding: one new, one past its first response.
        if store in trading[:4] or rng.random() < 0.3:
            plan = _plan(
                rng,
                store,
                handler,
                now - _minutes(rng.randint(60, 240)),
                targets,
                members,
                kind=Kind.COMPLAINT,
                severity="medium",
                fate="open",
            )
            plan["customer"] = plan["customer"] or rng.choice(members)
            plans.append(plan)
            plans.append(
                _plan(
                    rng,
                    store,
                    handler,
                    now - _minutes(rng.randint(26 * 60, 40 * 60)),
                    targets,
                    members,
                    kind=Kind.COMPLAINT,
                    severity="high",
                    category=Category.PRODUCT_QUALITY,
                    fate="open_escalated",
                )
            )
    Customer.objects.bulk_create(
        p["customer"] for p in plans if p["customer"] is not None and p["customer"].pk is None
    )
    complaints = Complaint.objects.bulk_create([_complaint(rng, p, now) for p in plans])
    events, notifications = [], []
    for complaint, plan in zip(complaints, plans, strict=True):
        events += _events(rng, complaint, plan, now)
        if complaint.escalated_at and complaint.escalated_at > now - datetime.timedelta(days=3):
            url = reverse("customers:complaint_detail", kwargs={"pk": complaint.pk})
            for user in regional.get(plan["store"].region_id, []):
                if user is not None:
                    notifications.append(
                        Notification(
                            user=user,
                            title=f"Complaint {complaint.number} at {plan['store'].code} "
                            "breached its SLA",
                            body=complaint.description[:300],
                            url=url,
                            topic=f"complaint-escalated:{complaint.pk}",
                        )
                    )
    ComplaintEvent.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications)
    return {
        "complaints": len(complaints),
        "events": len(events),
        "members": len(members),
        "escalated": sum(1 for c in complaints if c.escalated_at),
    }


def _plan(rng, store, handler, received, targets, members, **fixed) -> dict:
    kind = fixed.get("kind") or _pick(rng, KINDS)
    category = fixed.get("category") or _pick(rng, CATEGORIES)
    severity = fixed.get("severity") or _pick(rng, SEVERITIES)
    if kind != Kind.COMPLAINT:
        severity = "low"
    customer = None
    roll = rng.random()
    if roll < 0.3:
        customer = rng.choice(members)
    elif roll < 0.45:
        customer = Customer(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            phone=f"+86137{rng.randint(10_000_000, 99_999_999)}",
        )
    fate = fixed.get("fate")
    if fate is None:
        fate = _pick(
            rng,
            [("on_time", 82), ("late_response", 8), ("late_resolution", 6), ("reopened", 4)],
        )
    first, resolution = targets.get((severity, category)) or targets[(severity, "")]
    return {
        "store": store,
        "handler": handler,
        "received": received.astimezone(datetime.UTC),
        "kind": kind,
        "category": category,
        "severity": severity,
        "customer": customer,
        "fate": fate,
        "first": first,
        "resolution": resolution,
        "channel": _pick(rng, CHANNELS),
    }


def _complaint(rng, plan, now) -> Complaint:
    received = plan["received"]
    kind = plan["kind"]
    is_complaint = kind == Kind.COMPLAINT
    first_due = received + _minutes(plan["first"]) if is_complaint else None
    resolution_due = received + _minutes(plan["resolution"]) if is_complaint else None
    fate = plan["fate"]
    span_first = plan["first"] if is_complaint else 24 * 60
    span_resolution = plan["resolution"] if is_complaint else 72 * 60
    responded = received + _minutes(span_first * rng.uniform(0.1, 0.7))
    resolved = received + _minutes(span_resolution * rng.uniform(0.3, 0.85))
    if fate == "late_response":
        responded = received + _minutes(span_first * rng.uniform(1.2, 2.5))
        resolved = max(resolved, responded + _minutes(60))
    elif fate == "late_resolution":
        resolved = received + _minutes(span_resolution * rng.uniform(1.1, 1.6))
    elif fate == "open":
        responded = resolved = None
    elif fate == "open_escalated":
        responded = received + _minutes(span_first * rng.uniform(1.2, 1.8))
        resolved = None
    complaint = Complaint(
        store=plan["store"],
        kind=kind,
        channel=plan["channel"],
        category=plan["category"],
        severity=plan["severity"],
        description=rng.choice(TEXTS[plan["category"]] if is_complaint else FEEDBACK_TEXTS[kind]),
        received_at=received,
        receipt_reference=f"R{rng.randint(100000, 999999)}" if rng.random() < 0.4 else "",
        customer=plan["customer"],
        assignee=plan["handler"],
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        created_by=plan["handler"],
        status=Complaint.Status.NEW,
    )
    if responded is not None and responded <= now:
        complaint.first_responded_at = responded
        complaint.status = Complaint.Status.IN_PROGRESS
    if not is_complaint:
        # Feedback: thanked (or answered), then closed; no clocks.
        if complaint.first_responded_at is not None:
            closed = complaint.first_responded_at + datetime.timedelta(hours=rng.randint(1, 24))
            if closed <= now:
                complaint.status, complaint.closed_at = Complaint.Status.CLOSED, closed
        return complaint
    if resolved is not None and resolved <= now:
        complaint.first_resolved_at = complaint.resolved_at = resolved
        complaint.status = Complaint.Status.RESOLVED
        complaint.first_responded_at = complaint.first_responded_at or resolved
        complaint.resolution_note = rng.choice(RESOLUTIONS)
        if plan["category"] in (Category.PRODUCT_QUALITY, Category.RETURNS) and rng.random() < 0.5:
            complaint.compensation = Decimal(rng.randint(10, 200))
        closed = resolved + datetime.timedelta(hours=rng.randint(12, 48))
        if fate == "reopened":
            complaint.reopen_count = 1
            reopened = resolved + datetime.timedelta(hours=rng.randint(6, 30))
            again = reopened + datetime.timedelta(hours=rng.randint(2, 24))
            plan["reopened"] = reopened
            complaint.resolved_at = None
            complaint.status = Complaint.Status.IN_PROGRESS
            if reopened > now:
                complaint.resolved_at = resolved
                complaint.status = Complaint.Status.RESOLVED
                complaint.reopen_count = 0
                plan.pop("reopened")
            elif again <= now:
                complaint.resolved_at = again
                complaint.status = Complaint.Status.RESOLVED
                closed = again + datetime.timedelta(hours=rng.randint(12, 48))
        if complaint.status == Complaint.Status.RESOLVED and closed <= now:
            complaint.status = Complaint.Status.CLOSED
            complaint.closed_at = closed
    # The sweep (every 5 minutes) escalates an open complaint past a due time.
    for due, met in (
        (first_due, complaint.first_responded_at),
        (resolution_due, complaint.first_resolved_at),
    ):
        swept = due + _minutes(rng.randint(1, 5))
        if swept <= now and (met is None or met > swept):
            complaint.escalated_at = swept
            break
    return complaint


def _events(rng, complaint, plan, now) -> list[ComplaintEvent]:
    handler = plan["handler"]
    events = [
        ComplaintEvent(
            complaint=complaint,
            kind=ComplaintEvent.Kind.LOGGED,
            user=handler,
            at=complaint.received_at + _minutes(rng.randint(1, 10)),
            to_status="new",
        )
    ]

    def add(kind, at, text="", from_status="", to_status="", user=handler):
        if at is not None and at <= now:
            events.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind=kind,
                    user=user,
                    at=at,
                    text=text,
                    from_status=from_status,
                    to_status=to_status,
                )
            )

    K = ComplaintEvent.Kind
    if complaint.escalated_at:
        add(K.ESCALATED, complaint.escalated_at, "", user=None)
    if complaint.first_responded_at and complaint.first_responded_at != complaint.first_resolved_at:
        add(K.RESPONSE, complaint.first_responded_at, rng.choice(RESPONSES), "new", "in_progress")
    if complaint.first_resolved_at:
        add(
            K.RESOLVED,
            complaint.first_resolved_at,
            complaint.resolution_note,
            "in_progress",
            "resolved",
        )
    if plan.get("reopened"):
        add(
            K.REOPENED,
            plan["reopened"],
            "The customer called again: not fixed.",
            "resolved",
            "in_progress",
        )
        if complaint.resolved_at and complaint.resolved_at != complaint.first_resolved_at:
            add(
                K.RESOLVED,
                complaint.resolved_at,
                complaint.resolution_note,
                "in_progress",
                "resolved",
            )
    if complaint.closed_at:
        add(K.CLOSED, complaint.closed_at, "", "", "closed")
    events.sort(key=lambda e: e.at)
    return events
