"""The demo catalogue: categories, products, suppliers."""

from __future__ import annotations

from decimal import Decimal

from ..models import (
    Category,
    Product,
    ProductSupplier,
    Supplier,
)

D = Decimal

ZERO = D("0")

# (code, English, Chinese, unit, cost range, [(English, Chinese), ...])
CATEGORIES = [
    (
        "produce",
        "Produce",
        "生鲜蔬果",
        "kg",
        (3, 20),
        [
            ("Apples", "苹果"),
            ("Bananas", "香蕉"),
            ("Oranges", "橙子"),
            ("Tomatoes", "西红柿"),
            ("Cucumbers", "黄瓜"),
            ("Bok choy", "小白菜"),
            ("Potatoes", "土豆"),
            ("Carrots", "胡萝卜"),
            ("Pears", "梨"),
            ("Grapes", "葡萄"),
            ("Mushrooms", "蘑菇"),
            ("Onions", "洋葱"),
        ],
    ),
    (
        "dairy",
        "Dairy",
        "乳制品",
        "each",
        (4, 30),
        [
            ("Fresh milk", "鲜牛奶"),
            ("Yogurt", "酸奶"),
            ("Cheese slices", "芝士片"),
            ("Butter", "黄油"),
            ("Soy milk", "豆浆"),
            ("Cream", "淡奶油"),
            ("Eggs", "鸡蛋"),
        ],
    ),
    (
        "bakery",
        "Bakery",
        "烘焙",
        "each",
        (3, 25),
        [
            ("White bread", "白面包"),
            ("Whole wheat bread", "全麦面包"),
            ("Croissant", "牛角包"),
            ("Steamed buns", "馒头"),
            ("Egg tart", "蛋挞"),
            ("Sponge cake", "海绵蛋糕"),
        ],
    ),
    (
        "beverages",
        "Beverages",
        "饮料",
        "each",
        (2, 40),
        [
            ("Green tea", "绿茶"),
            ("Oolong tea", "乌龙茶"),
            ("Cola", "可乐"),
            ("Mineral water", "矿泉水"),
            ("Orange juice", "橙汁"),
            ("Coffee", "咖啡"),
            ("Coconut water", "椰子水"),
            ("Lemon soda", "柠檬汽水"),
        ],
    ),
    (
        "household",
        "Household",
        "家居日用",
        "each",
        (5, 60),
        [
            ("Dish soap", "洗洁精"),
            ("Laundry detergent", "洗衣液"),
            ("Paper towels", "厨房纸"),
            ("Toilet paper", "卫生纸"),
            ("Trash bags", "垃圾袋"),
            ("Sponges", "海绵擦"),
        ],
    ),
    (
        "personal_care",
        "Personal care",
        "个人护理",
        "each",
        (6, 80),
        [
            ("Shampoo", "洗发水"),
            ("Toothpaste", "牙膏"),
            ("Body wash", "沐浴露"),
            ("Hand cream", "护手霜"),
            ("Toothbrush", "牙刷"),
            ("Facial tissue", "面巾纸"),
        ],
    ),
    (
        "snacks",
        "Snacks",
        "零食",
        "each",
        (3, 30),
        [
            ("Potato chips", "薯片"),
            ("Rice crackers", "米饼"),
            ("Sunflower seeds", "瓜子"),
            ("Chocolate bar", "巧克力"),
            ("Dried mango", "芒果干"),
            ("Peanuts", "花生"),
        ],
    ),
    (
        "frozen",
        "Frozen",
        "冷冻食品",
        "each",
        (8, 50),
        [
            ("Dumplings", "水饺"),
            ("Ice cream", "冰淇淋"),
            ("Frozen shrimp", "冻虾仁"),
            ("Glutinous rice balls", "汤圆"),
            ("Frozen peas", "冷冻豌豆"),
        ],
    ),
]

VARIANTS = [
    ("", ""),
    ("Organic ", "有机"),
    ("Premium ", "精选"),
    ("Family size ", "家庭装"),
    ("Value ", "实惠装"),
    ("Imported ", "进口"),
    ("Mini ", "迷你"),
]

BRANDS = [
    ("Golden Field", "金田"),
    ("Blue Sky", "蓝天"),
    ("Happy Farm", "快乐农场"),
    ("Jade River", "玉河"),
    ("Sunrise", "日出"),
    ("Lotus", "莲花"),
    ("Pine Hill", "松山"),
]

SUPPLIERS = [
    ("FRESHCO", "FreshCo Produce", 1),
    ("DAIRYLAND", "Dairyland Foods", 2),
    ("GOLDENBAKE", "Golden Bakery Supply", 1),
    ("DRINKS", "Pacific Beverages", 3),
    ("HOMEPLUS", "HomePlus Distribution", 5),
    ("CAREWELL", "Carewell Trading", 4),
    ("SNACKHUB", "Snack Hub", 3),
    ("COLDCHAIN", "ColdChain Logistics", 2),
]

CONTACTS = ["Chen", "Lim", "Wong", "Zhang"]


def _ean13(number: int) -> str:
    digits = f"690{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _catalogue(rng, skus):
    categories = Category.objects.bulk_create(
        Category(code=code, name=name, name_zh=zh) for code, name, zh, *_rest in CATEGORIES
    )
    by_code = {c.code: c for c in categories}
    rows = []
    for i in range(skus):
        code, _name, _zh, unit, (low, high), items = CATEGORIES[i % len(CATEGORIES)]
        item, item_zh = items[(i // len(CATEGORIES)) % len(items)]
        round_ = i // (len(CATEGORIES) * len(items))
        variant, variant_zh = VARIANTS[round_ % len(VARIANTS)]
        brand, brand_zh = BRANDS[(round_ // len(VARIANTS)) % len(BRANDS)]
        suffix = f" {round_ // (len(VARIANTS) * len(BRANDS)) + 1}" if round_ >= 49 else ""
        cost = D(rng.uniform(low, high)).quantize(D("0.01"))
        rows.append(
            Product(
                sku=f"P{i + 1:05d}",
                barcode=_ean13(i + 1),
                name=f"{brand} {variant}{item}{suffix}".replace("  ", " "),
                name_zh=f"{brand_zh}{variant_zh}{item_zh}{suffix.strip()}",
                category=by_code[code],
                unit=unit if unit == "kg" and rng.random() < 0.8 else "each",
                cost=cost,
                retail_price=(cost * D(rng.uniform(1.3, 1.9))).quantize(D("0.1")),
                active=rng.random() > 0.02,
            )
        )
    products = Product.objects.bulk_create(rows)
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            code=code,
            name=name,
            lead_time_days=lead,
            min_order_value=D(rng.choice([0, 100, 200, 500])),
            contact_name=f"{rng.choice(CONTACTS)} {rng.choice(['Wei', 'Mei', 'Jun'])}",
            contact_email=f"orders@{code.lower()}.example",
            contact_phone=f"+86 21 {rng.randint(5000_0000, 6999_9999)}",
        )
        for code, name, lead in SUPPLIERS
    )
    terms = []
    for i, product in enumerate(products):
        preferred = suppliers[i % len(CATEGORIES) % len(suppliers)]
        terms.append(
            ProductSupplier(
                product=product,
                supplier=preferred,
                supplier_sku=f"{preferred.code[:3]}-{i + 1:05d}",
                unit_cost=(product.cost * D(rng.uniform(0.92, 1.02))).quantize(D("0.0001")),
                pack_size=rng.choice([1, 1, 6, 12]) if product.unit == "each" else 1,
                preferred=True,
            )
        )
        if i % 5 == 0:
            alt = suppliers[(i + 3) % len(suppliers)]
            if alt != preferred:
                terms.append(
                    ProductSupplier(
                        product=product,
                        supplier=alt,
                        supplier_sku=f"{alt.code[:3]}-{i + 1:05d}",
                        unit_cost=(product.cost * D(rng.uniform(0.98, 1.1))).quantize(D("0.0001")),
                        pack_size=1,
                    )
                )
    terms = ProductSupplier.objects.bulk_create(terms)
    return categories, products, suppliers, [t for t in terms if t.preferred]
