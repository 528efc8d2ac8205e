"""Red/amber/green: the one RAG function, band validation, who may set them, the page."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.models import KpiThreshold
from opsdesk.analytics.kpis.thresholds import Band, rag, threshold_clear, threshold_set

D = Decimal


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (D("95"), "green"),
        (D("90"), "green"),
        (D("89.99"), "amber"),
        (D("80"), "amber"),
        (D("79.9"), "red"),
        (D("-1"), "red"),
    ],
)
def test_higher_is_better(value, state):
    assert rag(value, Band(green=D(90), amber=D(80)), True) == state


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (D("0"), "green"),
        (D("24"), "green"),
        (D("24.01"), "amber"),
        (D("48"), "amber"),
        (D("48.5"), "red"),
    ],
)
def test_lower_is_better(value, state):
    assert rag(value, Band(green=D(24), amber=D(48)), False) == state


def test_no_value_or_no_band_has_no_colour():
    assert rag(None, Band(green=D(1), amber=D(0)), True) is None
    assert rag(D(5), None, True) is None


def test_equal_bands_leave_no_amber_zone():
    band = Band(green=D(10), amber=D(10))
    assert rag(D(10), band, True) == "green" and rag(D("9.9"), band, True) == "red"
    assert rag(D(10), band, False) == "green" and rag(D("10.1"), band, False) == "red"


@pytest.fixture
def people(demo):
    return demo.users


def test_set_validates_the_order_of_the_bands(people):
    boss = people["headoffice"]
    # checklist_compliance: higher is better; corrective_actions_overdue: lower is better.
    with pytest.raises(ValidationError) as error:
        threshold_set(user=boss, code="checklist_compliance", green=D(80), amber=D(90))
    assert "amber" in error.value.message_dict
    with pytest.raises(ValidationError):
        threshold_set(user=boss, code="corrective_actions_overdue", green=D(3), amber=D(1))
    with pytest.raises(ValidationError) as error:
        threshold_set(user=boss, code="nope", green=D(1), amber=D(0))
    assert "code" in error.value.message_dict
    assert not KpiThreshold.objects.exists()
    saved = threshold_set(user=boss, code="checklist_compliance", green=D(90), amber=D(80))
    assert (saved.green, saved.amber, saved.updated_by) == (D(90), D(80), boss)
    threshold_set(user=boss, code="checklist_compliance", green=D(95), amber=D(85))
    assert KpiThreshold.objects.get(code="checklist_compliance").green == D(95)
    threshold_clear(user=boss, code="checklist_compliance")
    assert not KpiThreshold.objects.exists()


@pytest.mark.parametrize("username", ["regional", "manager", "staff"])
def test_only_head_office_sets_bands(people, username):
    with pytest.raises(PermissionDenied):
        threshold_set(user=people[username], code="audit_score", green=D(90), amber=D(80))
    assert not KpiThreshold.objects.exists()


@pytest.mark.parametrize("username", ["regional", "manager", "staff"])
def test_page_is_head_office_only(client, people, username):
    url = reverse("kpis:thresholds")
    assert client.get(url).status_code == 302
    client.force_login(people[username])
    assert client.get(url).status_code == 403
    assert (
        client.post(
            url, {"code": "audit_score", "audit_score-green": "9", "audit_score-amber": "8"}
        ).status_code
        == 403
    )
    assert not KpiThreshold.objects.exists()


def test_page_lists_every_registered_kpi(client, people):
    client.force_login(people["headoffice"])
    response = client.get(reverse("kpis:thresholds"))
    assert response.status_code == 200
    html = response.content.decode()
    for kpi in registry.all_kpis():
        assert f'data-testid="threshold-form-{kpi.code}"' in html


def test_page_saves_and_refuses(client, people):
    client.force_login(people["headoffice"])
    url = reverse("kpis:thresholds")
    good = {"code": "audit_score", "audit_score-green": "90", "audit_score-amber": "75.5"}
    response = client.post(url, good)
    assert response.status_code == 302
    threshold = KpiThreshold.objects.get(code="audit_score")
    assert (threshold.green, threshold.amber) == (D(90), D("75.5"))

    bad_order = {"code": "audit_score", "audit_score-green": "70", "audit_score-amber": "80"}
    response = client.post(url, bad_order)
    assert response.status_code == 400
    assert "amber must not be above green" in response.content.decode()
    assert KpiThreshold.objects.get(code="audit_score").green == D(90)  # unchanged

    for data in (
        {"code": "audit_score", "audit_score-green": "abc", "audit_score-amber": "1"},
        {"code": "audit_score", "audit_score-green": "", "audit_score-amber": ""},
        {"code": "no_such_kpi", "no_such_kpi-green": "1", "no_such_kpi-amber": "0"},
        {},
    ):
        assert client.post(url, data).status_code == 400
    assert KpiThreshold.objects.count() == 1

    lower = {
        "code": "corrective_actions_overdue",
        "corrective_actions_overdue-green": "3",
        "corrective_actions_overdue-amber": "1",
    }
    response = client.post(url, lower)
    assert response.status_code == 400
    assert "amber must not be below green" in response.content.decode()

    response = client.post(url, {"code": "audit_score", "clear": "1"})
    assert response.status_code == 302 and not KpiThreshold.objects.exists()
