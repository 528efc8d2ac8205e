"""The embedded default (SQLite, what `make run` uses with nothing configured) holds under a
real store's use: 20 answers saved at once through the real server give 0 errors.

The server is `manage.py runserver` (threaded, as in `make run`) in a subprocess on a
fresh SQLite file with the demo chain; the saves are real HTTP requests from 20 threads.
Before the SQLite settings (WAL, a busy timeout, immediate transactions) a burst of five
gave "database is locked" 500s.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sqlite-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opsdesk.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp / 'opsdesk.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "OPSDESK_PRIVATE_MEDIA_ROOT": str(tmp / "media" / "private"),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--skus", "20", "--days", "3", "--seed", "7", "-v", "0"],
        env=env,
        check=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None:
                pytest.fail(f"runserver stopped: {server.stderr.read()[-2000:]}")
            time.sleep(0.5)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=20)


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": "opsdesk-demo", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    assert response.status_code == 200 and "sessionid" in session.cookies, response.text[:500]
    return session


def _open_run(base: str, env: dict) -> tuple[int, list[int]]:
    """An open checklist run of the manager's store with its items (read from the file)."""
    code = (
        "from stores.checklists.models import ChecklistRun, TemplateItem;"
        "from django.contrib.auth import get_user_model;"
        "from stores.models import Store;"
        "m = get_user_model().objects.get(username='manager');"
        "stores = Store.objects.visible_to(m);"
        "run = ChecklistRun.objects.filter(store__in=stores, status='open')"
        ".order_by('-due_at').first();"
        "items = TemplateItem.objects.filter(version_id=run.version_id, kind='yes_no')"
        ".values_list('pk', flat=True);"
        "print(run.pk, *items)"
    )
    out = (
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-v", "0", "-c", code],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.splitlines()[-1]
        .split()
    )
    return int(out[0]), [int(pk) for pk in out[1:]]


def test_twenty_answers_saved_at_once_give_no_error(sqlite_server):
    base, env = sqlite_server
    run_pk, items = _open_run(base, env)
    assert items, "the demo run has yes/no items"
    sessions = [_login(base, "manager") for _ in range(4)]
    results: list[int | str] = []
    barrier = threading.Barrier(20)

    def save(n: int) -> None:
        session = sessions[n % len(sessions)]
        item = items[n % len(items)]
        url = f"{base}/checklists/runs/{run_pk}/items/{item}/answer/"
        token = session.cookies.get("csrftoken")
        barrier.wait()
        try:
            response = session.post(
                url,
                data={"value": "yes", "csrfmiddlewaretoken": token},
                headers={"HX-Request": "true", "Referer": url, "X-CSRFToken": token},
                timeout=60,
            )
            results.append(response.status_code)
        except requests.RequestException as exc:  # a refused connection counts too
            results.append(repr(exc))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 20
    assert results == [200] * 20, results
