"""The export path: formats, escaping, scope, filters, query counts, the 400 page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import StockLevel
from opsdesk.analytics.reports import datasets, exports
from opsdesk.analytics.reports.datasets import ExportError
from opsdesk.analytics.reports.models import ExportJob
from stores.models import Store
from tests.reports.conftest import body, csv_rows, xlsx_rows

EXPORT = "reports:export"


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


def _export(user, dataset, fmt="csv", **params):
    out = io.BytesIO()
    rows = exports.export(dataset, fmt, user, params, out)
    return rows, out.getvalue()


# --- Formats and escaping ---------------------------------------------------------------


@pytest.mark.parametrize("danger", ["=1+2", "+SUM(A1)", "-3+4", "@cmd", "\tTAB", "\rCR"])
def test_formula_like_text_is_escaped_in_csv_and_xlsx(demo, danger):
    head = demo.user("headoffice")
    store = Store.objects.get(code="SH001")
    Store.objects.filter(pk=store.pk).update(name=danger, address="plain")
    _n, content = _export(head, "stores", "csv", search="SH001")
    header, row = csv_rows(content)
    assert row[header.index("Name")] == "'" + danger
    assert row[header.index("Address")] == "plain"
    _n, content = _export(head, "stores", "xlsx", search="SH001")
    header, row = xlsx_rows(content)
    # XML reads a carriage return back as a line feed; the quote is what matters.
    assert row[header.index("Name")] == "'" + danger.replace("\r", "\n")


def test_numbers_stay_numbers_and_negative_numbers_are_not_escaped(demo):
    head = demo.user("headoffice")
    level = StockLevel.objects.filter(store__code="SH001").order_by("pk").first()
    StockLevel.objects.filter(pk=level.pk).update(on_hand=Decimal("-5"), avg_cost=Decimal("2.5"))
    params = {"store": str(level.store_id), "search": level.product.sku}

    _n, content = _export(head, "stock_levels", "xlsx", **params)
    header, row = xlsx_rows(content)
    on_hand = row[header.index("On hand")]
    assert isinstance(on_hand, int | float) and on_hand == -5
    assert row[header.index("Average cost")] == 2.5
    assert row[header.index("Value")] == -12.5

    _n, content = _export(head, "stock_levels", "csv", **params)
    header, row = csv_rows(content)
    assert Decimal(row[header.index("On hand")]) == Decimal("-5")  # no quote prefix
    assert Decimal(row[header.index("Value")]) == Decimal("-12.5")


def test_csv_has_a_bom_and_chinese_text_round_trips(demo):
    head = demo.user("headoffice")
    Store.objects.filter(code="SH001").update(name_zh="上海一号店")
    _n, content = _export(head, "stores", "csv", search="SH001")
    assert content.startswith(b"\xef\xbb\xbf")
    header, row = csv_rows(content)
    assert row[header.index("Name (Chinese)")] == "上海一号店"


def test_dates_and_times_have_a_stable_format(demo):
    head = demo.user("headoffice")
    Store.objects.filter(code="SH001").update(opening_date=datetime.date(2020, 1, 31))
    _n, content = _export(head, "stores", "csv", search="SH001")
    header, row = csv_rows(content)
    assert row[header.index("Opening date")] == "2020-01-31"
    _n, content = _export(head, "stores", "xlsx", search="SH001")
    header, row = xlsx_rows(content)
    assert row[header.index("Opening date")] == datetime.datetime(2020, 1, 31)
    _n, content = _export(head, "checklist_runs", "csv")
    header, first = csv_rows(content)[:2]
    due = first[header.index("Due")]
    assert datetime.datetime.strptime(due, "%Y-%m-%d %H:%M:%S")


# --- Scope and filters: an export holds what the list page shows ---------------------


PAGES = [
    # dataset, page route, key columns in the export, key of a page row
    ("stores", "stores:store_list", ["Code"], lambda row: (row[0].code,)),
    (
        "stock_levels",
        "inventory:stocklevel_list",
        ["Store", "SKU"],
        lambda o: (o.store.code, o.product.sku),
    ),
    ("purchase_orders", "inventory:purchaseorder_list", ["Order"], lambda o: (o.number,)),
    ("transfers", "inventory:transfer_list", ["Transfer"], lambda o: (o.number,)),
    ("stock_counts", "inventory:stockcount_list", ["Count"], lambda o: (o.number,)),
    ("corrective_actions", "checklists:action_list", ["Id"], lambda o: (str(o.pk),)),
    ("complaints", "customers:complaint_list", ["Complaint"], lambda o: (o.number,)),
]


def _page_keys(client, route, key, query=""):
    keys = []
    url = reverse(route) + "?" + query
    page = 1
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200
        context = response.context
        items = context["rows"] if "rows" in context else context["object_list"]
        keys += [key(item) for item in items]
        if not context.get("page_obj") or not context["page_obj"].has_next():
            return keys
        page += 1


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff"])
@pytest.mark.parametrize(("dataset", "route", "columns", "key"), PAGES)
def test_an_export_holds_exactly_the_list_page_rows(
    demo, client_as, username, dataset, route, columns, key
):
    user = demo.user(username)
    client = client_as(user)
    page = _page_keys(client, route, key)
    response = client.get(reverse(EXPORT), {"dataset": dataset, "format": "csv"})
    assert response.status_code == 200
    header, *rows = csv_rows(body(response))
    index = [header.index(c) for c in columns]
    exported = [tuple(row[i] for i in index) for row in rows]
    assert exported == page


def test_a_store_manager_exports_only_their_store(demo):
    _n, content = _export(demo.user("manager"), "stock_levels", "csv")
    header, *rows = csv_rows(content)
    assert rows and {r[header.index("Store")] for r in rows} == {"SH001"}
    _n, content = _export(demo.user("manager"), "daily_sales", "csv")
    header, *rows = csv_rows(content)
    assert rows and {r[header.index("Store")] for r in rows} == {"SH001"}


def test_regional_ops_export_only_their_region(demo):
    regional = demo.user("regional")
    own = {s.code for s in demo.stores_of_region(demo.regions[0])}
    for dataset in ("stores", "daily_sales", "receipts", "checklist_runs", "store_targets"):
        _n, content = _export(regional, dataset, "csv")
        header, *rows = csv_rows(content)
        column = "Code" if dataset == "stores" else "Store"
        assert rows, dataset
        assert {r[header.index(column)] for r in rows} <= own, dataset


@pytest.mark.parametrize(
    ("dataset", "route"),
    [
        ("receipts", "sales-api:receipt-list"),
        ("daily_sales", "sales-api:dailysales-list"),
        ("checklist_runs", "checklists-api:run-list"),
        ("stock_movements", "inventory-api:stockmovement-list"),
        ("store_targets", "sales-api:storetarget-list"),
        ("promotions", "sales-api:promotion-list"),
    ],
)
@pytest.mark.parametrize("username", ["headoffice", "regional", "manager"])
def test_datasets_without_a_page_match_their_api_list(demo, api_as, username, dataset, route):
    user = demo.user(username)
    expected = api_as(user).get(reverse(route)).json()["count"]
    rows, _content = _export(user, dataset, "csv")
    assert rows == expected


def test_the_page_filters_are_applied(demo, client_as):
    head = demo.user("headoffice")
    store = Store.objects.get(code="SH001")
    client = client_as(head)
    response = client.get(
        reverse(EXPORT), {"dataset": "stock_levels", "format": "csv", "store": store.pk}
    )
    header, *rows = csv_rows(body(response))
    expected = StockLevel.objects.filter(store=store).count()
    assert len(rows) == expected
    assert {r[header.index("Store")] for r in rows} == {"SH001"}


def test_the_list_page_links_to_its_export_with_its_filters(demo, client_as):
    store = Store.objects.get(code="SH001")
    response = client_as(demo.user("headoffice")).get(
        reverse("inventory:stocklevel_list"), {"store": store.pk, "page": 1}
    )
    html = response.content.decode()
    export = reverse(EXPORT)
    for fmt in ("csv", "xlsx"):
        assert f'href="{export}?store={store.pk}&amp;dataset=stock_levels&amp;format={fmt}"' in html
    # An htmx filter request re-renders the results with the links of the new filters.
    response = client_as(demo.user("headoffice")).get(
        reverse("inventory:stocklevel_list"), {"low_stock": "true"}, HTTP_HX_REQUEST="true"
    )
    assert "low_stock=true&amp;dataset=stock_levels&amp;format=csv" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dataset": "nope", "format": "csv"}, "There is no export named"),
        ({"dataset": "stores", "format": "pdf"}, "Unknown format"),
        ({"dataset": "stores", "format": "csv", "status": "sleeping"}, "Status"),
        ({"dataset": "stock_levels", "format": "csv", "store": "999999"}, "Store"),
        ({"dataset": "kpi_table", "format": "xlsx", "period": "month"}, "month"),
    ],
)
def test_a_bad_request_gets_a_400_page_and_creates_nothing(demo, client_as, query, message):
    response = client_as(demo.user("headoffice")).get(reverse(EXPORT), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_out_of_scope_filter_is_refused_like_an_unknown_one(demo, client_as):
    other = Store.objects.exclude(region=demo.regions[0]).first()
    response = client_as(demo.user("regional")).get(
        reverse(EXPORT), {"dataset": "stock_levels", "format": "csv", "store": other.pk}
    )
    assert response.status_code == 400


def test_xlsx_download_has_a_file_name_and_the_rows(demo, client_as):
    response = client_as(demo.user("headoffice")).get(
        reverse(EXPORT), {"dataset": "stores", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert 'filename="stores-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    _header, *rows = xlsx_rows(body(response))
    assert len(rows) == Store.objects.count()


def test_csv_download_streams(demo, client_as):
    response = client_as(demo.user("headoffice")).get(
        reverse(EXPORT), {"dataset": "stores", "format": "csv"}
    )
    assert response.streaming
    assert 'filename="stores-' in response["Content-Disposition"]


# --- Constant query count --------------------------------------------------------------


def _first_level():
    level = StockLevel.objects.order_by("pk").first()
    return {"store": str(level.store_id), "search": level.product.sku}


def _sh001():
    return str(Store.objects.get(code="SH001").pk)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("dataset", "one", "many"),
    [
        ("stock_levels", _first_level, lambda: {**_first_level(), "search": ""}),
        ("stores", lambda: {"search": "SH001"}, lambda: {"search": ""}),
        ("receipts", lambda: {"receipt_number": "no-such"}, lambda: {"receipt_number": ""}),
        (
            "checklist_runs",
            lambda: {"store": _sh001(), "template": "no-such"},
            lambda: {"store": _sh001(), "template": ""},
        ),
        ("purchase_orders", lambda: {"status": "cancelled"}, lambda: {"status": ""}),
        (
            "daily_sales",
            lambda: {"store": _sh001(), "date_from": "2100-01-01"},
            lambda: {"store": _sh001(), "date_from": ""},
        ),
    ],
)
def test_the_number_of_queries_does_not_depend_on_the_rows(demo, dataset, one, many, fmt):
    head = demo.user("headoffice")

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            rows, _content = _export(head, dataset, fmt, **params)
        return rows, len(captured)

    few_rows, few = queries(one())
    many_rows, many_queries = queries(many())
    assert few_rows <= 1 < many_rows
    assert few == many_queries


def test_attainment_queries_do_not_depend_on_the_stores(demo):
    head = demo.user("headoffice")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows, _content = _export(head, "attainment", "csv")
        return rows, len(captured)

    many_rows, many = queries()
    Store.objects.exclude(code="SH001").update(status=Store.Status.PLANNED)
    one_row, one = queries()
    assert one_row == 1 < many_rows
    assert one == many


# --- The registry ----------------------------------------------------------------------


def test_every_list_page_has_a_dataset():
    names = set(datasets.REGISTRY)
    assert {
        "stores",
        "stock_levels",
        "stock_movements",
        "purchase_orders",
        "transfers",
        "stock_counts",
        "daily_sales",
        "receipts",
        "store_targets",
        "promotions",
        "attainment",
        "checklist_runs",
        "corrective_actions",
        "complaints",
        "kpi_table",
        "shifts",
        "training_assignments",
    } <= names
    for dataset in datasets.all_datasets():
        assert dataset.headers and all(dataset.headers)


def test_a_user_without_a_role_exports_nothing(demo):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody-export", password="x")
    rows, _content = _export(nobody, "stores", "csv")
    assert rows == 0
    with pytest.raises(ExportError):
        exports.export("stores", "docx", nobody, {}, io.BytesIO())


# --- The two CSV paths -----------------------------------------------------------------


QUERYSET_DATASETS = [
    "stores",
    "stock_levels",
    "stock_movements",
    "purchase_orders",
    "transfers",
    "stock_counts",
    "daily_sales",
    "receipts",
    "store_targets",
    "promotions",
    "checklist_runs",
    "corrective_actions",
    "complaints",
    "shifts",
    "training_assignments",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("dataset", QUERYSET_DATASETS)
def test_sql_formatted_csv_equals_the_python_path(demo, monkeypatch, dataset, language):
    """PostgreSQL formats the CSV cells: COPY writes files, a cursor feeds csv.writer for
    streamed pages; the Python converters (other databases) must write the same bytes."""
    from django.utils import translation

    head = demo.user("headoffice")
    Store.objects.filter(code="SH001").update(
        name="=cmd|' /C calc'!A0", address='-1+2, "quoted"\nsecond line', name_zh=""
    )
    with translation.override(language):
        prepared = exports.prepare(dataset, "csv", head, {})
        assert prepared.can_copy and prepared.csv_rows() is not None
        copied, written = _export(head, dataset, "csv")
        streamed = b"".join(exports.csv_chunks(exports.prepare(dataset, "csv", head, {})))
        monkeypatch.setattr(exports, "SQL_CSV", False)
        python_rows, python = _export(head, dataset, "csv")
    assert copied == python_rows == len(csv_rows(written)) - 1 > 0
    assert written == streamed == python


def test_the_export_command_writes_a_users_export(demo, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "levels.csv"
    store = Store.objects.get(code="SH001")
    call_command(
        "export_dataset", "stock_levels", user="manager", out=str(out), param=[f"store={store.pk}"]
    )
    _header, *rows = csv_rows(out.read_bytes())
    assert rows and {r[0] for r in rows} == {"SH001"}
    with pytest.raises(CommandError, match="Store"):
        call_command("export_dataset", "stock_levels", user="manager", param=["store=999999"])
    with pytest.raises(CommandError, match="key=value"):
        call_command("export_dataset", "stores", user="manager", param=["oops"])


@pytest.mark.parametrize("sql", [True, False])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_is_reported_while_writing(demo, monkeypatch, fmt, sql):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(exports, "SQL_CSV", sql)
    seen = []
    out = io.BytesIO()
    rows = exports.export("stores", fmt, demo.user("headoffice"), {}, out, progress=seen.append)
    assert rows == Store.objects.count()
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert seen[-1] <= rows + 1


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns"])
def test_the_sql_cells_of_awkward_values_equal_the_python_path(demo, monkeypatch, zone):
    """Escapes on every dangerous first character, empty text, a status that is not one
    of the choices, times just before a second (cut, never rounded) in several zones,
    negative numbers: COPY, the streamed page and the Python path write the same bytes."""
    import zoneinfo

    from django.utils import timezone

    from inventory.models import MovementKind, StockMovement

    head = demo.user("headoffice")
    model = StockMovement.objects.order_by("pk").first()
    # (Not a carriage return inside a value: COPY quotes the field, csv.writer does not.)
    texts = ["=1+2", "+A1", "-3", "@x", "\tt", "", 'a "quoted", value\nsecond']
    when = datetime.datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    StockMovement.objects.bulk_create(
        StockMovement(
            store_id=model.store_id,
            product_id=model.product_id,
            kind=MovementKind.SALE,
            quantity=Decimal("-0.500"),
            unit_cost=model.unit_cost,
            on_hand_after=model.on_hand_after,
            avg_cost_after=model.avg_cost_after,
            reference=text,
            reason=text[::-1],
            created_at=when,
            business_date=model.business_date,
        )
        for text in texts
    )
    Store.objects.filter(code="SH001").update(status="=odd", address="")
    Store.objects.filter(code="SH004").update(status="")
    with timezone.override(zone):
        results = {}
        for dataset in ("stock_movements", "stores"):
            copied, written = _export(head, dataset, "csv")
            prepared = exports.prepare(dataset, "csv", head, {})
            streamed = b"".join(exports.csv_chunks(prepared))
            with monkeypatch.context() as patch:
                patch.setattr(exports, "SQL_CSV", False)
                python_rows, python = _export(head, dataset, "csv")
            assert written == streamed == python and copied == python_rows
            results[dataset] = csv_rows(written)
    header, *rows = results["stock_movements"]
    mine = {row[header.index("Reference")]: row for row in rows if row[header.index("By")] == ""}
    assert {"'=1+2", "'+A1", "'-3", "'@x", "'\tt", ""} <= set(mine)
    row = mine["'=1+2"]
    local = when.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")
    assert row[header.index("Created at")] == local and local.endswith(":59")
    assert row[header.index("Quantity")] == "-0.500" and row[header.index("Reason")] == "2+1="
    header, *rows = results["stores"]
    status = {row[header.index("Code")]: row[header.index("Status")] for row in rows}
    assert status["SH001"] == "'=odd" and status["SH004"] == ""
