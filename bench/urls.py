"""The app's URLs plus the floor of the dashboard benchmark: a minimal Django view that
runs one query, served by the same server, middleware and database."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from opsdesk.urls import urlpatterns as app_urlpatterns


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM stores_store")
        (count,) = cursor.fetchone()
    return HttpResponse(f"{count}\n", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *app_urlpatterns]
