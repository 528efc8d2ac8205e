"""Settings, the health check, the Celery wiring and the demo chain."""

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from opsdesk.celery import app as celery_app
from stores.models import Region, Store
from tests.conftest import seed_test_chain

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="opsdesk.settings.production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_passes_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="opsdesk.settings.production",
        SECRET_KEY="k8Qv-3nR_prod-like-secret-key-with-enough-entropy-x9Lm2PzT7wYc",
        ALLOWED_HOSTS="opsdesk.example.com",
        DATABASE_URL="sqlite:////tmp/opsdesk-deploy-check.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_healthz_ok(db, client):
    body = client.get(reverse("healthz")).json()
    assert body == {"status": "ok", "database": "ok", "broker": "in-process"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_503_when_the_broker_is_down(db, client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_503_when_the_database_is_down(db, client, monkeypatch):
    from django.db import OperationalError

    class GoneDatabase:
        def cursor(self):
            raise OperationalError("database is gone")

    monkeypatch.setattr("opsdesk.health.connection", GoneDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_healthz_with_redis(db, client, redis_url):
    with override_settings(REDIS_URL=redis_url):
        assert client.get(reverse("healthz")).json()["broker"] == "ok"


def test_celery_configuration():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    celery_app.loader.import_default_modules()
    for entry in conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_tasks_run_in_process_without_a_broker(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from opsdesk.tasks import clear_expired_sessions

    session = SessionStore()
    session.create()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    assert clear_expired_sessions.delay().get() == 1
    assert clear_expired_sessions.delay().get() == 0


def _snapshot():
    from django.contrib.auth import get_user_model

    return (
        list(Region.objects.order_by("code").values_list("code", "name", "name_zh")),
        list(
            Store.objects.order_by("code").values_list(
                "code",
                "name",
                "name_zh",
                "region__code",
                "address",
                "time_zone",
                "status",
                "opening_date",
            )
        ),
        list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "role", "first_name", "last_name")
        ),
    )


def test_seed_demo_default_chain(demo):
    regions, stores, users = _snapshot()
    assert len(regions) == 3 and len(stores) == 12
    names = {u[0] for u in users}
    assert {"headoffice", "regional", "manager", "staff", "admin"} <= names
    assert {f"manager-{code}" for code, *_ in stores} <= names
    assert all(s[2] for s in stores), "every store has a Chinese name"
    assert len({s[5] for s in stores}) >= 3, "the chain spans several time zones"
    manager = demo.user("manager")
    assert manager.check_password(settings.OPSDESK_DEMO_PASSWORD)


def test_seed_demo_is_deterministic(transactional_db):
    call_command("seed_demo", force=True, verbosity=0, seed=7, today=datetime.date(2026, 6, 1))
    first = _snapshot()
    call_command(
        "seed_demo", force=True, verbosity=0, seed=7, today=datetime.date(2026, 6, 1), reset=True
    )
    assert _snapshot() == first


def test_seed_demo_scales(db):
    seed_test_chain(stores=200)
    assert Store.objects.count() == 200
    assert Region.objects.count() == 8
    assert Store.objects.values("code").distinct().count() == 200


def test_seed_demo_guards(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", force=True, stores=0)
    call_command("seed_demo", force=True, verbosity=0)
    with pytest.raises(CommandError, match="already has data"):
        call_command("seed_demo", force=True)
    out = StringIO()
    call_command("seed_demo", force=True, if_empty=True, stdout=out)
    assert "not loaded" in out.getvalue()
    assert Store.objects.count() == 12


def test_compile_translations_refuses_untranslated(tmp_path, settings):
    import polib

    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Stores", msgstr="门店"))
    po.append(polib.POEntry(msgid="Home", msgstr=""))
    target = tmp_path / "zz" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po.save(str(target / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match="1 untranslated or fuzzy"):
        call_command("compile_translations")
    po[1].msgstr = "首页"
    po.save(str(target / "django.po"))
    call_command("compile_translations", stdout=StringIO())
    assert (target / "django.mo").exists()


def test_the_real_catalogue_is_complete():
    call_command("compile_translations", stdout=StringIO())


def test_swagger_ui_loads_every_asset_from_our_static_files(client):
    import re

    html = client.get(reverse("swagger-ui")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [s for s in sources if s.endswith((".js", ".css", ".png", ".ico"))]
    assert assets, html[:500]
    assert all(s.startswith("/static/") for s in assets), assets
    assert "cdn" not in html.lower()
