"""The monthly operations report: figures against hand-computed facts, XLSX and PDF."""

import base64
import datetime
import re
import zlib
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.reports import monthly
from opsdesk.analytics.reports.monthly import monthly_report, render_pdf, render_xlsx
from stores.access import OutOfScope
from stores.checklists.models import Answer
from tests.reports.conftest import xlsx_rows

MONTH = datetime.date(2026, 2, 1)
CODE = "checklist_compliance"  # higher is better, x 100
LOWER = "corrective_actions_overdue"  # lower is better


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


def _fact(store, date, code, numerator, denominator):
    n, d = Decimal(numerator), Decimal(denominator)
    return KpiFact(
        store=store,
        business_date=date,
        code=code,
        numerator=n,
        denominator=d,
        value=registry.get(code).value(n, d),
    )


@pytest.fixture
def region_facts(demo):
    """Region 0's stores a, b, c (, d): compliance this month 9/10, 6/10, 3/4 (store d
    none); last month 1/2 for each; the same month last year 2/8 for store a only.
    A store of another region has 0/100, which must not count."""
    KpiFact.objects.all().delete()
    region = demo.regions[0]
    stores = demo.stores_of_region(region)
    a, b, c = stores[:3]
    facts = [
        _fact(a, MONTH, CODE, 5, 5),
        _fact(a, MONTH + datetime.timedelta(days=10), CODE, 4, 5),
        _fact(b, MONTH + datetime.timedelta(days=27), CODE, 6, 10),
        _fact(c, MONTH + datetime.timedelta(days=3), CODE, 3, 4),
        _fact(a, datetime.date(2026, 1, 31), CODE, 1, 2),
        _fact(b, datetime.date(2026, 1, 1), CODE, 1, 2),
        _fact(c, datetime.date(2026, 1, 15), CODE, 1, 2),
        _fact(a, datetime.date(2025, 2, 14), CODE, 2, 8),
        _fact(a, datetime.date(2026, 3, 1), CODE, 0, 50),  # next month: outside
        _fact(a, MONTH, LOWER, 3, 1),
        _fact(b, MONTH, LOWER, 0, 1),
        _fact(c, MONTH, LOWER, 1, 1),
    ]
    other = demo.stores_of_region(demo.regions[1])[0]
    facts.append(_fact(other, MONTH, CODE, 0, 100))
    KpiFact.objects.bulk_create(facts)
    return region, (a, b, c)


def _line(report, code):
    return next(line for line in report.kpis if line.kpi.code == code)


def _ranking(report, code):
    return next(r for r in report.rankings if r.kpi.code == code)


def test_kpis_this_month_last_month_and_last_year_are_ratios_of_sums(demo, region_facts):
    region, _stores = region_facts
    report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
    line = _line(report, CODE)
    # (5 + 4 + 6 + 3) / (5 + 5 + 10 + 4) = 18 / 24 = 75 %
    assert (line.current.numerator, line.current.denominator) == (18, 24)
    assert line.current.value == Decimal("75.000000")
    assert line.previous.value == Decimal("50.000000")  # 3 / 6
    assert line.last_year.value == Decimal("25.000000")  # 2 / 8
    assert line.change_vs_previous == Decimal("25")
    assert line.change_vs_last_year == Decimal("50")
    # No complaint in the region that month: the section says so, with zeros.
    assert dict(report.complaints.figures)["Complaints received"] == 0
    assert report.complaints.rows == []


def test_best_and_worst_stores_follow_the_kpi_direction(demo, region_facts):
    region, (a, b, _c) = region_facts
    report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
    # Compliance: a 90 %, c 75 %, b 60 %: one of 3 shown each way (3 // 2).
    ranking = _ranking(report, CODE)
    assert [(s.code, v) for s, v in ranking.best] == [(a.code, Decimal("90.000000"))]
    assert [(s.code, v) for s, v in ranking.worst] == [(b.code, Decimal("60.000000"))]
    # Overdue actions (lower is better): b 0, c 1, a 3.
    ranking = _ranking(report, LOWER)
    assert [s.code for s, _v in ranking.best] == [b.code]
    assert [s.code for s, _v in ranking.worst] == [a.code]


def test_checklist_failures_are_the_region_month_failed_answers(demo):
    region = demo.regions[0]
    answers = Answer.objects.filter(passed=False, run__store__region=region).select_related(
        "run", "item__version__template"
    )
    month = answers.order_by("-run__business_date").first().run.business_date.replace(day=1)
    end = monthly.month_end(month)
    expected = Counter()
    stores = {}
    for answer in answers:
        if month <= answer.run.business_date <= end:
            key = (answer.item.version.template.code, answer.item.prompt)
            expected[key] += 1
            stores.setdefault(key, set()).add(answer.run.store_id)
    assert expected, "the demo chain has failed answers in the region"
    report = monthly_report(user=demo.user("headoffice"), region=region, month=month)
    got = {(i.template, i.prompt): (i.failures, i.stores) for i in report.failed_items}
    assert {k: v[0] for k, v in got.items()} == {k: expected[k] for k in got}
    assert len(got) == min(len(expected), monthly.FAILED_ITEMS)
    # The most failed: nothing left out failed more often than what is shown.
    assert all(
        count <= min(v[0] for v in got.values()) for k, count in expected.items() if k not in got
    )
    assert all(got[k][1] == len(stores[k]) for k in got)
    failures = [i.failures for i in report.failed_items]
    assert failures == sorted(failures, reverse=True)


def test_regional_ops_read_their_region_only_and_store_roles_not_at_all(demo, region_facts):
    region, _stores = region_facts
    report = monthly_report(user=demo.user("regional"), region=region, month=MONTH)
    assert _line(report, CODE).current.value == Decimal("75.000000")
    with pytest.raises(OutOfScope):
        monthly_report(user=demo.user("regional"), region=demo.regions[1], month=MONTH)
    for username in ("manager", "staff"):
        with pytest.raises(PermissionDenied):
            monthly_report(user=demo.user(username), region=region, month=MONTH)


def test_xlsx_holds_the_sections(demo, region_facts):
    region, (a, b, _c) = region_facts
    report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
    content = render_xlsx(report)
    summary = xlsx_rows(content, "Summary")
    assert region.name in summary[0][0] and "2026-02" in summary[0][0]
    header_at = next(i for i, row in enumerate(summary) if row[0] == "KPI")
    kpi_rows = {row[0]: row for row in summary[header_at + 1 :]}
    compliance = kpi_rows[str(registry.get(CODE).name)]
    assert compliance[2:7] == (75, 50, 25, 25, 50)  # now, before, change, last year, change
    assert compliance[7:9] == (18, 24)
    ranks = xlsx_rows(content, "Best and worst")
    assert ranks[0] == ("KPI", "Rank", "Position", "Store", "Name", "Value")
    assert (str(registry.get(CODE).name), "Best", 1, a.code, a.name, 90) in ranks
    assert (str(registry.get(CODE).name), "Worst", 1, b.code, b.name, 60) in ranks
    import io

    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(content)).sheetnames
    assert sheets == ["Summary", "Best and worst", "Checklist failures", "Complaints"]


def _pdf_text(content: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (no PDF library needed)."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = match.group(1).strip()
        try:
            if data.endswith(b"~>"):  # reportlab: ASCII85, then Flate
                data = base64.a85decode(data[:-2])
            parts.append(zlib.decompress(data))
        except (ValueError, zlib.error):
            continue
    return b"\n".join(parts)


def test_pdf_is_a_pdf_with_the_region_name(demo, region_facts):
    region, _stores = region_facts
    report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
    content = render_pdf(report)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert region.name.encode() in text
    assert b"2026-02" in text


def test_chinese_report(demo, region_facts):
    from django.utils import translation

    region, _stores = region_facts
    with translation.override("zh-hans"):
        report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
        assert report.region_name() == (region.name_zh or region.name)
        pdf = render_pdf(report)
        workbook = render_xlsx(report)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    summary = xlsx_rows(workbook)
    assert (region.name_zh or region.name) in summary[0][0]
    kpi_names = {row[0] for row in summary}
    assert registry.get(CODE).name_zh in kpi_names


def _complaint(store, received, kind="complaint", **extra):
    from customers.models import Complaint

    clocks = {}
    if kind == "complaint":
        clocks = {
            "first_response_due_at": received + datetime.timedelta(hours=4),
            "resolution_due_at": received + datetime.timedelta(hours=48),
        }
    return Complaint.objects.create(
        store=store,
        kind=kind,
        channel="phone",
        category=extra.pop("category", "service"),
        description="x",
        received_at=received,
        **clocks,
        **extra,
    )


def test_the_complaints_section_in_xlsx_and_pdf(demo):
    """From customers.selectors.complaint_report: the region's stores' complaints of the
    month (store-local dates) against the month before, per store worst first."""
    region = demo.regions[0]
    a, b = sorted(demo.stores_of_region(region), key=lambda s: s.code)[:2]
    other = demo.stores_of_region(demo.regions[1])[0]
    utc = datetime.UTC
    feb = datetime.datetime(2026, 2, 10, 2, tzinfo=utc)
    h = datetime.timedelta(hours=1)
    # a: 3 complaints in February; the first came 01:00 on 1 Feb in Shanghai (still 31 Jan
    # in UTC). One answered late (and escalated), two resolved, with compensation.
    _complaint(
        a,
        datetime.datetime(2026, 1, 31, 17, tzinfo=utc),
        first_responded_at=datetime.datetime(2026, 1, 31, 19, tzinfo=utc),
        first_resolved_at=datetime.datetime(2026, 2, 1, 5, tzinfo=utc),
        compensation=Decimal("10.00"),
        status="closed",
        category="pricing",
    )
    _complaint(
        a,
        feb,
        first_responded_at=feb + 6 * h,
        first_resolved_at=feb + 10 * h,
        escalated_at=feb + 4 * h,
        compensation=Decimal("5.50"),
        status="resolved",
        category="pricing",
    )
    _complaint(a, feb, first_responded_at=feb + h, status="in_progress")
    _complaint(a, feb, kind="compliment")
    # b: 1 in February, 2 in January; another region's store is not in the report.
    _complaint(b, feb, first_responded_at=feb + 3 * h)
    _complaint(b, datetime.datetime(2026, 1, 20, 2, tzinfo=utc))
    _complaint(b, datetime.datetime(2026, 1, 21, 2, tzinfo=utc))
    _complaint(other, feb)
    report = monthly_report(user=demo.user("headoffice"), region=region, month=MONTH)
    figures = dict(report.complaints.figures)
    assert figures["Complaints received"] == 4
    assert figures["Complaints last month"] == 2
    assert figures["Change against last month"] == "+2"
    assert figures["Compliments and suggestions"] == 1
    # Breached: a's late answer, and the two never resolved (due in February).
    assert figures["Of these, breached an SLA"] == "3 (75.0 %)"
    assert figures["Escalated to regional ops"] == 1
    # First responses: 2 h, 6 h, 1 h, 3 h -> 3.0 h; resolutions: 12 h and 10 h -> 11.0 h.
    assert figures["Of these, mean hours to first response"] == Decimal("3.0")
    assert figures["Of these, mean hours to resolution"] == Decimal("11.0")
    assert figures["Compensation"] == Decimal("15.50")
    # Still open: a's answered one and b's (the compliment is feedback, not counted).
    assert figures["Of these, still open"] == 2
    assert figures["Worst stores"] == f"{a.code} (3), {b.code} (1)"
    rows = report.complaints.rows
    assert [r[:6] for r in rows] == [
        [a.code, a.name, 3, 0, 2, 1],
        [b.code, b.name, 1, 2, 1, 0],
    ]
    assert rows[0][9] == "Pricing" and rows[0][10] == 1
    sheet = xlsx_rows(render_xlsx(report), "Complaints")
    assert sheet[0][:2] == ("Complaints received", 4)
    assert (a.code, a.name, 3, 0, 2, 1) == sheet[sheet.index(tuple(report.complaints.header)) + 1][
        :6
    ]
    pdf = _pdf_text(render_pdf(report))
    assert b"Complaints" in pdf and b"Worst stores" in pdf and a.code.encode() in pdf
    # Regional ops of the region read the same; no customer's data is in it.
    regional = monthly_report(user=demo.user("regional"), region=region, month=MONTH)
    assert regional.complaints == report.complaints
    assert not any("Customer" in str(h) for h in report.complaints.header)


def test_months():
    assert monthly.parse_month("2026-02") == MONTH
    for bad in ("2026-2", "2026-13", "26-02", "abc", ""):
        assert monthly.parse_month(bad) is None
    assert monthly.previous_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)
    assert monthly.due_month(datetime.date(2026, 3, 5)) == MONTH
    assert monthly.same_month_last_year(MONTH) == datetime.date(2025, 2, 1)
    assert timezone.now()  # the report is generated "now"
