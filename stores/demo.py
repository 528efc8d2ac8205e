"""The stores part of the demo chain: regions, stores, opening hours, people and access.

Deterministic: the same ``seed`` and sizes give the same chain. Called by
``manage.py seed_demo``; other apps add their own ``demo.py`` seeding the same way.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from opsdesk.platform.roles import Role

from .models import OpeningHours, Region, RegionAssignment, Store, StoreAssignment

# (code, English name, Chinese name, cities); a city is
# (code, English, Chinese, time zone, [(district, 区), ...]).
REGIONS = [
    (
        "EC",
        "East China",
        "华东区",
        [
            (
                "SH",
                "Shanghai",
                "上海",
                "Asia/Shanghai",
                [
                    ("Jing'an", "静安"),
                    ("Xuhui", "徐汇"),
                    ("Pudong", "浦东"),
                    ("Minhang", "闵行"),
                    ("Yangpu", "杨浦"),
                ],
            ),
            (
                "HZ",
                "Hangzhou",
                "杭州",
                "Asia/Shanghai",
                [("West Lake", "西湖"), ("Binjiang", "滨江"), ("Gongshu", "拱墅")],
            ),
            (
                "SZ",
                "Suzhou",
                "苏州",
                "Asia/Shanghai",
                [("Gusu", "姑苏"), ("Industrial Park", "园区")],
            ),
            ("NJ", "Nanjing", "南京", "Asia/Shanghai", [("Xinjiekou", "新街口"), ("Hexi", "河西")]),
        ],
    ),
    (
        "SC",
        "South China",
        "华南区",
        [
            (
                "GZ",
                "Guangzhou",
                "广州",
                "Asia/Shanghai",
                [("Tianhe", "天河"), ("Yuexiu", "越秀"), ("Haizhu", "海珠")],
            ),
            ("SZN", "Shenzhen", "深圳", "Asia/Shanghai", [("Futian", "福田"), ("Nanshan", "南山")]),
            (
                "HK",
                "Hong Kong",
                "香港",
                "Asia/Hong_Kong",
                [("Causeway Bay", "铜锣湾"), ("Mong Kok", "旺角")],
            ),
            ("MO", "Macau", "澳门", "Asia/Macau", [("Taipa", "氹仔")]),
        ],
    ),
    (
        "SEA",
        "Southeast Asia",
        "东南亚区",
        [
            (
                "SG",
                "Singapore",
                "新加坡",
                "Asia/Singapore",
                [("Orchard", "乌节路"), ("Tampines", "淡滨尼"), ("Jurong East", "裕廊东")],
            ),
            ("KL", "Kuala Lumpur", "吉隆坡", "Asia/Kuala_Lumpur", [("Bukit Bintang", "武吉免登")]),
            ("BKK", "Bangkok", "曼谷", "Asia/Bangkok", [("Siam", "暹罗"), ("Sukhumvit", "素坤逸")]),
        ],
    ),
    (
        "NC",
        "North China",
        "华北区",
        [
            (
                "BJ",
                "Beijing",
                "北京",
                "Asia/Shanghai",
                [
                    ("Chaoyang", "朝阳"),
                    ("Haidian", "海淀"),
                    ("Dongcheng", "东城"),
                    ("Xicheng", "西城"),
                ],
            ),
            ("TJ", "Tianjin", "天津", "Asia/Shanghai", [("Heping", "和平"), ("Nankai", "南开")]),
        ],
    ),
    (
        "CC",
        "Central China",
        "华中区",
        [
            ("WH", "Wuhan", "武汉", "Asia/Shanghai", [("Jianghan", "江汉"), ("Wuchang", "武昌")]),
            ("CS", "Changsha", "长沙", "Asia/Shanghai", [("Furong", "芙蓉"), ("Yuelu", "岳麓")]),
        ],
    ),
    (
        "SW",
        "Southwest China",
        "西南区",
        [
            ("CD", "Chengdu", "成都", "Asia/Shanghai", [("Jinjiang", "锦江"), ("Wuhou", "武侯")]),
            (
                "CQ",
                "Chongqing",
                "重庆",
                "Asia/Shanghai",
                [("Yuzhong", "渝中"), ("Jiangbei", "江北")],
            ),
        ],
    ),
    (
        "NE",
        "Northeast China",
        "东北区",
        [
            ("SY", "Shenyang", "沈阳", "Asia/Shanghai", [("Heping", "和平"), ("Shenhe", "沈河")]),
            ("DL", "Dalian", "大连", "Asia/Shanghai", [("Zhongshan", "中山")]),
        ],
    ),
    (
        "NW",
        "Northwest China",
        "西北区",
        [
            ("XA", "Xi'an", "西安", "Asia/Shanghai", [("Beilin", "碑林"), ("Yanta", "雁塔")]),
        ],
    ),
]
STREETS = [
    ("Zhongshan Road", "中山路"),
    ("Renmin Road", "人民路"),
    ("Jiefang Road", "解放路"),
    ("Jianguo Road", "建国路"),
    ("Nanjing Road", "南京路"),
    ("Heping Avenue", "和平大道"),
]
STAFF_FIRST_NAMES = ["Wei", "Fang", "Li", "Min", "Jun", "Ying", "Hao", "Lei", "Mei", "Tao"]
STAFF_LAST_NAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"]


@dataclass
class DemoChain:
    """What the stores seeding made, for the other apps' seeding to build on."""

    regions: list[Region] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)


def _region_count(stores: int) -> int:
    return min(len(REGIONS), max(3, math.ceil(stores / 20)))


def seed_stores(*, stores: int, seed: int, password: str, today: datetime.date) -> DemoChain:
    rng = random.Random(seed)
    chain = DemoChain()
    n_regions = min(_region_count(stores), stores) or 1
    chain.regions = Region.objects.bulk_create(
        Region(code=code, name=name, name_zh=name_zh)
        for code, name, name_zh, _c in REGIONS[:n_regions]
    )
    # Round-robin the stores over the regions, walking each region's cities and districts.
    slots = {r: _store_slots(REGIONS[r][3]) for r in range(n_regions)}
    new_stores = []
    for i in range(stores):
        r = i % n_regions
        city_code, city, city_zh, tz, district, district_zh, n = next(slots[r])
        suffix = "" if n == 0 else f" {n + 1}"
        street, street_zh = rng.choice(STREETS)
        number = rng.randint(1, 999)
        status = Store.Status.OPEN
        if i == 6:
            status = Store.Status.TEMPORARILY_CLOSED
        elif stores > 10 and i == stores - 1:
            status = Store.Status.PLANNED
        opened = today - datetime.timedelta(days=rng.randint(400, 4000))
        if status == Store.Status.PLANNED:
            opened = today + datetime.timedelta(days=rng.randint(20, 90))
        new_stores.append(
            Store(
                code=f"{city_code}{i + 1:03d}",
                name=f"{city} {district}{suffix}",
                name_zh=f"{city_zh}{district_zh}{suffix.strip()}店",
                region=chain.regions[r],
                address=(
                    f"{number} {street}, {district}, {city} / "
                    f"{city_zh}{district_zh}{street_zh}{number}号"
                ),
                time_zone=tz,
                status=status,
                opening_date=opened,
            )
        )
    chain.stores = Store.objects.bulk_create(new_stores)
    OpeningHours.objects.bulk_create(_opening_hours(chain.stores, rng))
    chain.users = _seed_people(chain, rng, password)
    return chain


def _store_slots(cities):
    """Endless (city, district, repeat) slots for one region, in a fixed order."""
    n = 0
    while True:
        for city_code, city, city_zh, tz, districts in cities:
            for district, district_zh in districts:
                yield city_code, city, city_zh, tz, district, district_zh, n
        n += 1


def _opening_hours(stores: list[Store], rng: random.Random) -> list[OpeningHours]:
    rows = []
    for store in stores:
        opens = datetime.time(rng.choice([7, 8, 9]), rng.choice([0, 30]))
        closes = datetime.time(rng.choice([21, 22, 23]), 0)
        sunday_closed = rng.random() < 0.1
        for weekday in range(7):
            if weekday == 6 and sunday_closed:
                continue
            day_opens, day_closes = opens, closes
            if weekday >= 5:
                day_opens = datetime.time(min(opens.hour + 1, 10), opens.minute)
            rows.append(
                OpeningHours(store=store, weekday=weekday, opens=day_opens, closes=day_closes)
            )
    return rows


def _seed_people(chain: DemoChain, rng: random.Random, password: str) -> dict[str, object]:
    User = get_user_model()
    hashed = make_password(password)

    def person(username: str, role: str, **extra) -> object:
        first = rng.choice(STAFF_FIRST_NAMES)
        last = rng.choice(STAFF_LAST_NAMES)
        return User(
            username=username,
            password=hashed,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.opsdesk.example",
            **extra,
        )

    first_store = chain.stores[0]
    people = [
        person("admin", Role.ADMIN, is_staff=True, is_superuser=True),
        person("headoffice", Role.HEAD_OFFICE, is_staff=True),
        person("regional", Role.REGIONAL_OPS),
        person("manager", Role.STORE_MANAGER),
        person("staff", Role.STORE_STAFF),
    ]
    people += [person(f"regional-{region.code}", Role.REGIONAL_OPS) for region in chain.regions]
    people += [person(f"manager-{store.code}", Role.STORE_MANAGER) for store in chain.stores]
    users = {user.username: user for user in User.objects.bulk_create(people)}

    RegionAssignment.objects.bulk_create(
        [RegionAssignment(user=users["regional"], region=chain.regions[0])]
        + [
            RegionAssignment(user=users[f"regional-{region.code}"], region=region)
            for region in chain.regions
        ]
    )
    StoreAssignment.objects.bulk_create(
        [
            StoreAssignment(user=users["manager"], store=first_store),
            StoreAssignment(user=users["staff"], store=first_store),
        ]
        + [
            StoreAssignment(user=users[f"manager-{store.code}"], store=store)
            for store in chain.stores
        ]
    )
    return users
