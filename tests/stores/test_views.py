import pytest
from django.urls import reverse

from stores.models import Region, Store
from tests.conftest import seed_test_chain

LIST = reverse("stores:store_list")


def _codes(response):
    assert response.status_code == 200
    return {store.code for store, _clock in response.context["rows"]}


def test_store_list_page_shows_the_scope(demo, client):
    client.force_login(demo.user("regional"))
    assert _codes(client.get(LIST)) == {s.code for s in demo.stores_of_region(demo.regions[0])}
    client.force_login(demo.user("manager"))
    response = client.get(LIST)
    assert _codes(response) == {"SH001"}
    assert "Shanghai Jing&#x27;an" in response.content.decode()


def test_store_list_page_filters_with_the_shared_filterset(demo, client):
    client.force_login(demo.user("headoffice"))
    sea = Region.objects.get(code="SEA")
    assert _codes(client.get(LIST, {"region": sea.pk})) == {"SG003", "SG006", "SG009", "KL012"}
    assert _codes(client.get(LIST, {"status": "planned"})) == {"KL012"}
    assert _codes(client.get(LIST, {"search": "Futian"})) == {"SZN011"}


def test_bad_filter_on_the_page_shows_the_message_and_no_rows(demo, client):
    client.force_login(demo.user("manager"))
    sc = Region.objects.get(code="SC")
    response = client.get(LIST, {"region": sc.pk})  # out of scope: like an unknown id
    assert _codes(response) == set()
    assert "Select a valid choice" in response.content.decode()


def test_store_detail_page(demo, client):
    store = Store.objects.get(code="SH001")
    client.force_login(demo.user("staff"))
    response = client.get(reverse("stores:store_detail", kwargs={"pk": store.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Asia/Shanghai" in body and "Opening hours" in body
    other = Store.objects.get(code="SG003")
    response = client.get(reverse("stores:store_detail", kwargs={"pk": other.pk}))
    assert response.status_code == 404
    assert "does not exist, or you do not have access" in response.content.decode()


def test_home_page_shows_status_address_time_and_hours(demo, client):
    client.force_login(demo.user("headoffice"))
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.context["store_count"] == 12
    for region in demo.regions:
        assert region.name in body
    assert "Temporarily closed" in body and "Planned" in body
    store = Store.objects.get(code="SH001")
    assert store.address in body.replace("&#x27;", "'")
    assert "Local time" in body and "Today" in body


def test_home_for_a_user_without_stores(db, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("newbie", password="x")
    client.force_login(user)
    assert "You have no stores assigned yet" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("stores", [3, 60])
def test_page_query_counts_are_constant(stores, db, client, django_assert_num_queries):
    seed_test_chain(stores=stores)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="headoffice"))
    # session, user, regions, stores, opening hours
    with django_assert_num_queries(5):
        assert client.get(reverse("home")).status_code == 200
    # session, user, count, stores, opening hours, the region filter's choices
    with django_assert_num_queries(6):
        assert client.get(LIST).status_code == 200


def test_htmx_filtering_returns_only_the_results(demo, client):
    client.force_login(demo.user("headoffice"))
    response = client.get(LIST, {"status": "planned"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert _codes(response) == {"KL012"}
    assert "<html" not in body and 'data-testid="store-table"' in body
    bad = client.get(LIST, {"status": "nope"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="filter-errors"' in bad and "Select a valid choice" in bad


def test_pages_show_each_store_its_own_local_time(demo, client, monkeypatch):
    import datetime

    # Monday 2026-03-02 03:00 UTC: 11:00 in Shanghai and Singapore.
    fixed = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr("stores.selectors.timezone.now", lambda: fixed)
    Store.objects.filter(code="SG003").update(time_zone="Asia/Bangkok")  # UTC+7: 10:00
    client.force_login(demo.user("headoffice"))
    home = client.get(reverse("home")).content.decode()
    assert 'datetime="2026-03-02T11:00:00+08:00">Mon 11:00<' in home
    assert 'datetime="2026-03-02T10:00:00+07:00">Mon 10:00<' in home
    rows = client.get(LIST).content.decode()
    assert ">11:00</time>" in rows and ">10:00</time>" in rows
    store = Store.objects.get(code="SG003")
    detail = client.get(reverse("stores:store_detail", kwargs={"pk": store.pk})).content.decode()
    assert "2026-03-02 10:00" in detail
