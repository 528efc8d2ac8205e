"""The demo's checklist templates and schedules."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ..models import (
    ChecklistTemplate,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)


def yn(prompt, prompt_zh, instructions="", instructions_zh="", points=1, critical=False):
    return {
        "kind": "yes_no",
        "prompt": prompt,
        "prompt_zh": prompt_zh,
        "instructions": instructions,
        "instructions_zh": instructions_zh,
        "points": points,
        "critical": critical,
    }


def temp(prompt, prompt_zh, low, high, instructions, instructions_zh, critical=True):
    return {
        "kind": "number",
        "prompt": prompt,
        "prompt_zh": prompt_zh,
        "instructions": instructions,
        "instructions_zh": instructions_zh,
        "points": 2,
        "critical": critical,
        "min_value": Decimal(low),
        "max_value": Decimal(high),
        "unit": "°C",
    }


def photo(prompt, prompt_zh, instructions="", instructions_zh="", required=True):
    return {
        "kind": "photo",
        "prompt": prompt,
        "prompt_zh": prompt_zh,
        "instructions": instructions,
        "instructions_zh": instructions_zh,
        "points": 0,
        "required": required,
    }


CLEANLINESS = [
    {"value": "clean", "label": "Clean", "label_zh": "干净", "fails": False},
    {"value": "acceptable", "label": "Acceptable", "label_zh": "尚可", "fails": False},
    {"value": "dirty", "label": "Dirty", "label_zh": "脏乱", "fails": True},
]

# code, English name, Chinese name, kind, [(section, 分区, [items])]
TEMPLATES = [
    (
        "opening",
        "Opening checklist",
        "开店检查表",
        "checklist",
        [
            (
                "Security",
                "安全",
                [
                    yn(
                        "Alarm disarmed and doors checked",
                        "已解除警报并检查门锁",
                        "Check every door, including the back door.",
                        "检查所有门，包括后门。",
                        critical=True,
                    ),
                    yn("Fire exits clear", "消防通道畅通", points=2, critical=True),
                ],
            ),
            (
                "Sales floor",
                "卖场",
                [
                    yn("Lights and music on", "灯光和音乐已打开"),
                    {
                        "kind": "single_choice",
                        "prompt": "Floor cleanliness",
                        "prompt_zh": "地面清洁情况",
                        "instructions": "Walk the whole floor before you answer.",
                        "instructions_zh": "走完整个卖场后再回答。",
                        "points": 2,
                        "options": CLEANLINESS,
                    },
                    yn("Tills open with float counted", "收银机已开启并清点备用金"),
                    photo(
                        "Photo of the storefront",
                        "门店外观照片",
                        "From across the entrance, with the doors open.",
                        "在入口对面拍摄，门需打开。",
                    ),
                ],
            ),
        ],
    ),
    (
        "closing",
        "Closing checklist",
        "闭店检查表",
        "checklist",
        [
            (
                "Close down",
                "闭店",
                [
                    yn("Tills counted and safe locked", "收银已清点，保险柜已上锁", critical=True),
                    yn("Rubbish taken out", "垃圾已清理"),
                    yn("Lights and equipment off", "灯光和设备已关闭"),
                    yn(
                        "Alarm set and doors locked",
                        "已设置警报并锁门",
                        points=2,
                        critical=True,
                    ),
                    {
                        "kind": "signature",
                        "prompt": "Closing manager signature",
                        "prompt_zh": "闭店负责人签名",
                        "points": 0,
                    },
                ],
            ),
        ],
    ),
    (
        "food-safety",
        "Food safety",
        "食品安全",
        "checklist",
        [
            (
                "Temperatures",
                "温度",
                [
                    temp(
                        "Fridge 1 temperature",
                        "冷藏柜1温度",
                        "0",
                        "5",
                        "Read the probe thermometer, not the door display.",
                        "请读取探针温度计，而非柜门显示屏。",
                    ),
                    temp(
                        "Fridge 2 temperature",
                        "冷藏柜2温度",
                        "0",
                        "5",
                        "Read the probe thermometer, not the door display.",
                        "请读取探针温度计，而非柜门显示屏。",
                    ),
                    temp(
                        "Freezer temperature",
                        "冷冻柜温度",
                        "-25",
                        "-18",
                        "Close the door for a minute before reading.",
                        "读数前请关门一分钟。",
                    ),
                ],
            ),
            (
                "Hygiene",
                "卫生",
                [
                    yn("No expired products on shelf", "货架上无过期商品", points=2, critical=True),
                    yn("Hand-wash station stocked", "洗手台用品齐全"),
                    {
                        "kind": "text",
                        "prompt": "Products removed (if any)",
                        "prompt_zh": "已下架商品（如有）",
                        "points": 0,
                        "required": False,
                    },
                ],
            ),
        ],
    ),
    (
        "cash-office",
        "Cash office",
        "现金室",
        "checklist",
        [
            (
                "Cash",
                "现金",
                [
                    yn("Safe balanced against the log", "保险柜金额与记录相符", 2, critical=True),
                    yn("Banking bag sealed and logged", "银行存款袋已封口并登记"),
                    {
                        "kind": "number",
                        "prompt": "Cash variance",
                        "prompt_zh": "现金差异",
                        "instructions": "Counted minus expected, in the chain currency.",
                        "instructions_zh": "实点减应有金额，以连锁货币计。",
                        "points": 2,
                        "min_value": Decimal("-20"),
                        "max_value": Decimal("20"),
                    },
                ],
            ),
        ],
    ),
    (
        "visual-merch",
        "Visual merchandising",
        "视觉陈列",
        "checklist",
        [
            (
                "Displays",
                "陈列",
                [
                    yn("Window display matches the planogram", "橱窗陈列符合陈列图"),
                    yn("Promotion signs correct and priced", "促销标识正确并已标价"),
                    yn("Shelves faced up", "货架已整理"),
                    photo("Photo of the main display", "主陈列照片", required=False),
                ],
            ),
        ],
    ),
    (
        "health-safety",
        "Health and safety",
        "健康与安全",
        "checklist",
        [
            (
                "Equipment",
                "设备",
                [
                    yn("Fire extinguishers in date", "灭火器在有效期内", 2, critical=True),
                    yn("First-aid kit complete", "急救箱物品齐全"),
                    yn("No trip hazards in the stockroom", "仓库无绊倒隐患"),
                    yn("Ladders inspected", "梯子已检查"),
                ],
            ),
        ],
    ),
    (
        "store-visit",
        "Store visit audit",
        "门店巡店审核",
        "audit",
        [
            (
                "Customer experience",
                "顾客体验",
                [
                    yn("Customers greeted within 30 seconds", "30秒内问候顾客", 2),
                    {
                        "kind": "single_choice",
                        "prompt": "Store cleanliness",
                        "prompt_zh": "门店整洁度",
                        "points": 3,
                        "options": CLEANLINESS,
                    },
                    yn("Queue under 5 minutes", "排队时间少于5分钟"),
                ],
            ),
            (
                "Compliance",
                "合规",
                [
                    yn("Food safety log complete", "食品安全记录完整", 2, critical=True),
                    yn("Staff in uniform with badges", "员工着制服并佩戴工牌"),
                    {
                        "kind": "text",
                        "prompt": "Comments for the store manager",
                        "prompt_zh": "给店长的意见",
                        "points": 0,
                        "required": False,
                    },
                ],
            ),
        ],
    ),
]

# template code -> (recurrence, weekdays, day of month, due time, grace minutes, late ok)
SCHEDULES = {
    "opening": ("daily", [], None, datetime.time(10, 0), 30, True),
    "food-safety": ("daily", [], None, datetime.time(12, 0), 60, True),
    "cash-office": ("weekdays", [0, 1, 2, 3, 4], None, datetime.time(10, 30), 30, False),
    "closing": ("daily", [], None, datetime.time(23, 30), 15, False),
    "visual-merch": ("weekly", [0], None, datetime.time(11, 0), 60, True),
    "health-safety": ("monthly", [], 1, datetime.time(14, 0), 120, True),
}


def seed_templates(now: datetime.datetime):
    """The demo templates, each with version 1 published (bulk inserts)."""
    templates = ChecklistTemplate.objects.bulk_create(
        ChecklistTemplate(code=code, name=name, name_zh=name_zh, kind=kind)
        for code, name, name_zh, kind, _sections in TEMPLATES
    )
    versions = TemplateVersion.objects.bulk_create(
        TemplateVersion(template=t, number=1, status="published", published_at=now)
        for t in templates
    )
    sections, section_items = [], []
    for version, (*_head, section_defs) in zip(versions, TEMPLATES, strict=True):
        for order, (title, title_zh, items) in enumerate(section_defs, start=1):
            sections.append(
                TemplateSection(version=version, title=title, title_zh=title_zh, order=order)
            )
            section_items.append(items)
    sections = TemplateSection.objects.bulk_create(sections)
    items = []
    for section, item_defs in zip(sections, section_items, strict=True):
        for order, spec in enumerate(item_defs, start=1):
            items.append(
                TemplateItem(section=section, version=section.version, order=order, **spec)
            )
    items = TemplateItem.objects.bulk_create(items)
    return templates, versions, sections, items
