"""The domain KPIs registered so far, computed by the engine over the demo chain.

Each KPI's numerator and denominator come from its domain selector (tested against
hand-computed values in that app's tests); here the facts must match them store by
store, and roll up as ratios of sums.
"""

from decimal import Decimal

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis, stores_for
from opsdesk.analytics.kpis.models import KpiFact
from stores.checklists import selectors as checklist_selectors
from stores.checklists.models import ChecklistRun

CHECKLIST_KPIS = {
    "checklist_compliance": checklist_selectors.kpi_checklist_compliance,
    "audit_score": checklist_selectors.kpi_audit_score,
    "corrective_actions_overdue": checklist_selectors.kpi_corrective_actions_overdue,
}


def test_checklist_kpis_are_registered():
    codes = {k.code for k in registry.all_kpis()}
    assert set(CHECKLIST_KPIS) <= codes
    compliance = registry.get("checklist_compliance")
    assert compliance.unit == "%" and compliance.higher_is_better
    assert not registry.get("corrective_actions_overdue").higher_is_better


def test_checklist_kpis_match_their_selectors(demo):
    day = (
        ChecklistRun.objects.filter(kind="audit")
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    ) or ChecklistRun.objects.order_by("-business_date").values_list("business_date", flat=True)[0]
    run = compute_kpis(business_date=day, codes=list(CHECKLIST_KPIS))
    assert run.status == "succeeded"
    trading = stores_for(day)
    for code, selector in CHECKLIST_KPIS.items():
        expected = {s: v for s, v in selector(business_date=day).items() if s in trading}
        facts = {
            f.store_id: (f.numerator, f.denominator)
            for f in KpiFact.objects.filter(code=code, business_date=day)
        }
        if code == "corrective_actions_overdue":
            # Every trading store has a value: none overdue is 0 of 1 store-day.
            expected = {s: expected.get(s, (0, 1)) for s in trading}
        assert facts == {s: (Decimal(n), Decimal(d)) for s, (n, d) in expected.items()}, code
    compliance = KpiFact.objects.filter(code="checklist_compliance", business_date=day)
    assert compliance.exists(), "the demo chain has checklist runs due that day"
    for fact in compliance:
        assert fact.value == (fact.numerator / fact.denominator * 100).quantize(Decimal("0.000001"))
