import pytest
from django.urls import reverse

from stores.models import Region, Store
from tests.conftest import seed_test_chain

STORES = reverse("stores-api:store-list")
REGIONS = reverse("stores-api:region-list")


def _codes(response):
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_done_when_sets_of_stores_per_role(demo, api_as):
    """The issue's "done when": manager 1, regional = first region, head office all 12."""
    manager, regional, head = (demo.user(u) for u in ("manager", "regional", "headoffice"))
    assert _codes(api_as(manager).get(STORES)) == {"SH001"}
    other = Store.objects.get(code="GZ002")
    detail = reverse("stores-api:store-detail", kwargs={"pk": other.pk})
    assert api_as(manager).get(detail).status_code == 404
    first_region = demo.regions[0]
    assert _codes(api_as(regional).get(STORES)) == {
        s.code for s in demo.stores_of_region(first_region)
    }
    assert len(_codes(api_as(head).get(STORES))) == 12


def test_store_detail_fields(demo, api_as):
    store = Store.objects.get(code="SH001")
    body = (
        api_as(demo.user("manager"))
        .get(reverse("stores-api:store-detail", kwargs={"pk": store.pk}))
        .json()
    )
    assert body["code"] == "SH001"
    assert body["name_zh"] == "上海静安店"
    assert body["region_code"] == "EC"
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["local_time"].endswith("+08:00")
    assert len(body["opening_hours"]) in (6, 7)
    assert isinstance(body["is_open_now"], bool)


def test_filters_and_search(demo, api_as):
    api = api_as(demo.user("headoffice"))
    sc = Region.objects.get(code="SC")
    assert _codes(api.get(STORES, {"region": sc.pk})) == {s.code for s in demo.stores_of_region(sc)}
    assert _codes(api.get(STORES, {"status": "temporarily_closed"})) == {"SH007"}
    assert _codes(api.get(STORES, {"search": "sh00"})) == {"SH001", "SH004", "SH007"}
    assert _codes(api.get(STORES, {"search": "新加坡"})) == {"SG003", "SG006", "SG009"}
    assert _codes(api.get(STORES, {"search": "tianhe"})) == {"GZ002"}
    ordered = api.get(STORES, {"ordering": "-code"}).json()["results"]
    assert [r["code"] for r in ordered] == sorted((r["code"] for r in ordered), reverse=True)
    assert _codes(api.get(REGIONS, {"search": "south"})) == {"SC", "SEA"}


def test_generating_the_schema_leaves_the_scoped_filters_working(demo, api_as, client):
    """Building the OpenAPI schema reads every FilterSet's filters without a request; it
    must not leave a request-less (empty) queryset behind for the scoped choices."""
    assert client.get(reverse("schema"), {"format": "json"}).status_code == 200
    api = api_as(demo.user("headoffice"))
    sc = Region.objects.get(code="SC")
    assert _codes(api.get(STORES, {"region": sc.pk})) == {s.code for s in demo.stores_of_region(sc)}


def test_bad_filters_are_400_with_a_message(demo, api_as):
    api = api_as(demo.user("headoffice"))
    response = api.get(STORES, {"status": "sleeping"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert api.get(STORES, {"region": "abc"}).status_code == 400


def test_out_of_scope_region_filter_looks_like_a_missing_one(demo, api_as):
    api = api_as(demo.user("manager"))
    sc = Region.objects.get(code="SC")
    out = api.get(STORES, {"region": sc.pk})
    missing = api.get(STORES, {"region": 10**9})
    # 404 like the region's own URL, and the same body: its existence does not leak.
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json() == {"detail": "No such region."}


def test_pagination(db, api_as):
    seed_test_chain(stores=30)
    from django.contrib.auth import get_user_model

    api = api_as(get_user_model().objects.get(username="headoffice"))
    page = api.get(STORES, {"page_size": 10, "page": 2}).json()
    assert page["count"] == 30 and len(page["results"]) == 10
    assert page["next"] and page["previous"]
    assert api.get(STORES, {"page": 99}).status_code == 404
    assert api.get(STORES, {"page": "last"}).status_code == 400
    assert api.get(STORES, {"page_size": "abc"}).status_code == 400
    detail = reverse("stores-api:store-list") + "1.5/"
    assert api.get(detail).status_code == 404 and api.get(detail).json()["detail"]
    assert len(api.get(STORES, {"page_size": 10_000}).json()["results"]) == 30


def test_token_auth_and_session_auth(demo, api_client, client):
    response = api_client.post(
        reverse("api-token"), {"username": "manager", "password": "opsdesk-demo"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert _codes(api_client.get(STORES)) == {"SH001"}
    bad = api_client.post(reverse("api-token"), {"username": "manager", "password": "wrong"})
    assert bad.status_code == 401 and bad["WWW-Authenticate"] == "Token"
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get(STORES).status_code == 401
    client.force_login(demo.user("regional"))
    assert len(_codes(client.get(STORES))) == 4


def test_the_api_refuses_writes(demo, api_as):
    api = api_as(demo.user("headoffice"))
    assert api.post(STORES, {"code": "X"}).status_code == 405
    store = Store.objects.get(code="SH001")
    detail = reverse("stores-api:store-detail", kwargs={"pk": store.pk})
    assert api.delete(detail).status_code == 405
    assert Store.objects.filter(code="SH001").exists()


@pytest.mark.parametrize("stores", [3, 40])
def test_list_query_counts_are_constant(stores, db, api_as, django_assert_num_queries):
    seed_test_chain(stores=stores)
    from django.contrib.auth import get_user_model

    api = api_as(get_user_model().objects.get(username="headoffice"))
    # token auth (1) + count (1) + page (1) + opening hours (1)
    with django_assert_num_queries(4):
        assert api.get(STORES).status_code == 200
    with django_assert_num_queries(3):  # token, count, page
        assert api.get(REGIONS).status_code == 200
