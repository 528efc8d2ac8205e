"""The schema view under a threaded server: concurrent requests all get the same document."""

from concurrent.futures import ThreadPoolExecutor

from django.test import Client
from django.urls import reverse


def test_schema_generation_is_safe_under_concurrent_requests(db):
    def fetch(_):
        response = Client().get(reverse("schema"), {"format": "json"})
        return response.status_code, response.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(12)))
    assert {status for status, _body in results} == {200}
    assert len({body for _status, body in results}) == 1
