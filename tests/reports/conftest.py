import io
import shutil

import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Export files of a test go to its own private directory."""
    settings.OPSDESK_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield settings.OPSDESK_PRIVATE_MEDIA_ROOT
    shutil.rmtree(tmp_path / "private", ignore_errors=True)


@pytest.fixture(scope="module")
def reports_chain(django_db_setup, django_db_blocker):
    """The demo chain seeded once per module: each test runs in a transaction that is
    rolled back, and the module empties the database after."""
    from django.core.management import call_command

    from tests.conftest import seed_test_chain

    with django_db_blocker.unblock():
        chain = seed_test_chain()
    yield chain
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    import csv

    assert content.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes, sheet=None) -> list[tuple]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]
