"""The OpenAPI contract: the schema is valid, and the running API keeps every promise in it.

Schemathesis runs every check (status codes, content types, response schemas, negative
and positive data, auth, methods, ...) against the live server, once with the token of
each demo role, in parallel. A failure is a bug in the app or its schema, never in here:
every status the API returns must be documented, every documented input accepted.

``OPSDESK_CONTRACT_MAX_EXAMPLES`` and ``OPSDESK_CONTRACT_SEED`` make a deeper or a
different run (``OPSDESK_CONTRACT_SEED=random`` draws a new seed each time).
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.urls import reverse
from schemathesis.core.result import Err
from schemathesis.core.warnings import SchemathesisWarning

from tests.conftest import ROLE_USERNAMES

pytestmark = pytest.mark.contract

MAX_EXAMPLES = int(os.environ.get("OPSDESK_CONTRACT_MAX_EXAMPLES", "15"))
SEED = os.environ.get("OPSDESK_CONTRACT_SEED", "20251122")
RUN_TIMEOUT = 540
# The operations held to the contract in every run: the platform's, the checklists', the
# inventory's, the sales', the KPIs', the exports' and the staff's (every /api/v1/ path
# there is);
# OPSDESK_CONTRACT_PATHS=all runs schemathesis over the whole API.
CONTRACT_PATHS = os.environ.get(
    "OPSDESK_CONTRACT_PATHS",
    r"^/api/v1/(auth/token|me|regions|stores|checklists|inventory|sales|customers|staff|kpis|exports)/",
)
# How hard each operation is tested (a schemathesis.toml per role, see _config). The
# platform and the checklists: every phase with every role, MAX_EXAMPLES fuzzed examples.
# The newer domains' operations (NEWER), by AREAS:
# - every role runs the examples, fuzzing and stateful phases on every operation, so that
#   each role's scope (404s) and 403s are checked everywhere;
# - the coverage phase (every edge value of every parameter and body field) is most of the
#   requests: over these 58 operations it takes ~7 minutes with one role alone, more than
#   the suite's budget allows in every run. It runs with OPSDESK_CONTRACT_COVERAGE=1 (a
#   deeper run, as before a release or after a change to a serializer or a filter), once
#   per operation, with one role that may take it (AREAS: an area's writes and its reads
#   each name theirs): which inputs are refused or accepted does not depend on the role,
#   and a role refused an action answers 403 before reading the input. Head office's run
#   of it over all of them was clean when these domains joined the contract;
# - fuzzing: writes get half of MAX_EXAMPLES, reads (filters and pagination, whose edge
#   values the coverage phase enumerates anyway) a fifth;
# - POST /exports/ runs the whole export in the request (Celery is eager in tests): a fifth
#   of MAX_EXAMPLES, and neither the coverage phase nor the positive_data_acceptance check
#   (EXPORT_START): its ``params`` are the filters of the dataset's list page, a free-form
#   map (name -> a value or a list of values) whose rules are each dataset's filter form
#   ("kpi_table" needs a period or both dates, a status is one of the list's, ...), which no
#   schema of the map can state. So schema-valid params can be refused (400, with the
#   filter's message), and the coverage phase's negative cases for the map demand a
#   property no schema can require of it ("Missing required property: <random name>") and
#   fail on the valid {}. Fuzzing still sends it negative data (wrong types, nested values,
#   NUL: refused, see negative_data_rejection) and positive data (no 5xx, documented
#   statuses and bodies), and tests/reports checks the refusals one by one.
NEWER = r"^/api/v1/(inventory|sales|customers|staff|kpis|exports)/"
NEWER_COVERAGE = os.environ.get("OPSDESK_CONTRACT_COVERAGE", "") in ("1", "true", "yes")
WRITES, READS = "POST|PUT|PATCH", "GET"
# (paths, role for the writes' coverage, role for the reads' coverage); None: no writes.
AREAS = [
    (r"^/api/v1/inventory/(categories|products|suppliers)/", "headoffice", "staff"),
    (
        r"^/api/v1/inventory/(purchase-orders|stock-counts|replenishment|stock-levels"
        r"|stock-movements)/",
        "manager",
        "staff",
    ),
    (r"^/api/v1/inventory/transfers/", "regional", "regional"),
    (r"^/api/v1/sales/(targets|store-targets|promotions|attainment)/", "headoffice", "admin"),
    (r"^/api/v1/sales/(receipts|daily|imports)/", "manager", "admin"),
    (r"^/api/v1/customers/(complaints|customers)/", "manager", "staff"),
    (r"^/api/v1/customers/sla-targets/", "headoffice", "regional"),
    (r"^/api/v1/kpis/", None, "regional"),
    (r"^/api/v1/exports/", None, "headoffice"),  # POST: EXPORT_START
    # Staff: schedulers write shifts, weeks and people; the person on a shift asks for a
    # swap (the demo's "manager" is a person of SH001 too); head office writes courses.
    (r"^/api/v1/staff/(shifts|schedules|employees)/", "manager", "regional"),
    (r"^/api/v1/staff/(swaps|training-assignments)/", "manager", "staff"),
    (r"^/api/v1/staff/training-courses/", "headoffice", "staff"),
]
EXPORT_START = {
    "include-name-regex": "^POST /api/v1/exports/$",
    "generation": {"max-examples": max(1, MAX_EXAMPLES // 5)},
    "phases": {"coverage": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"enabled": False}},
}
WRITE_EXAMPLES = max(1, MAX_EXAMPLES // 2)
READ_EXAMPLES = max(1, MAX_EXAMPLES // 5)


def _groups(username: str) -> list[dict]:
    """The [[operations]] of one role's run: disjoint, one per area and kind."""
    groups = [EXPORT_START]
    for paths, writer, reader in AREAS:
        for methods, role, examples in (
            (WRITES, writer, WRITE_EXAMPLES),
            (READS, reader, READ_EXAMPLES),
        ):
            if role is None:  # no writes there (or only EXPORT_START): an empty group warns
                continue
            # One filter: schemathesis ORs an entry's include-* filters. An operation's name
            # is "METHOD /path".
            name = f"^(?:{methods}) {paths.removeprefix('^')}"
            if re.match(name, "POST /api/v1/exports/"):
                name = f"(?!POST /api/v1/exports/$){name}"  # EXPORT_START's
            group = {
                "include-name-regex": name,
                "generation": {"max-examples": examples},
            }
            if role != username or not NEWER_COVERAGE:
                group["phases"] = {"coverage": {"enabled": False}}
            groups.append(group)
    return groups


# Every warning is shown (and fails the run, see the last assertion) but two that a role's
# limits cause, not a broken contract: an operation a role may not use answers it only
# 403, which is documented and checked (MISSING_AUTH; that each token works is checked
# here first); and a write naming records by id (an item, a corrective action) mostly
# meets ids that do not exist, whose 404 is checked too (MISSING_TEST_DATA).
WARNINGS = [
    w
    for w in SchemathesisWarning
    if w
    not in (
        SchemathesisWarning.MISSING_AUTH,
        SchemathesisWarning.MISSING_TEST_DATA,
        SchemathesisWarning.LOW_VALID_RATE,  # opt-in, not shown by default either
    )
]

OPERATIONS = {
    ("POST", "/api/v1/auth/token/"),
    ("GET", "/api/v1/me/"),
    ("GET", "/api/v1/regions/"),
    ("GET", "/api/v1/regions/{id}/"),
    ("GET", "/api/v1/stores/"),
    ("GET", "/api/v1/stores/{id}/"),
    ("GET", "/api/v1/checklists/runs/"),
    ("POST", "/api/v1/checklists/runs/{id}/answers/"),
    ("POST", "/api/v1/checklists/runs/{id}/submit/"),
    ("PATCH", "/api/v1/checklists/corrective-actions/{id}/"),
    ("POST", "/api/v1/checklists/schedules/"),
    ("POST", "/api/v1/checklists/template-versions/{id}/items/"),
}


@pytest.fixture
def document(client):
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()


def test_schema_is_a_valid_openapi_3_document(document):
    assert document["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()  # against the OpenAPI 3 meta-schema; raises with the reason
    operations = list(schema.get_all_operations())
    problems = [str(result.err()) for result in operations if isinstance(result, Err)]
    assert not problems
    found = {(op.ok().method.upper(), op.ok().path) for op in operations}
    assert found >= OPERATIONS


def test_every_newer_operation_is_in_one_contract_area(document):
    """Every operation of the newer domains has its fuzzing budget and its coverage role
    (AREAS): none is left to the defaults, none is skipped."""
    for path, methods in document["paths"].items():
        if not re.match(NEWER, path):
            continue
        for method in methods:
            if method.upper() not in ("GET", "POST", "PUT", "PATCH"):
                continue
            areas = [
                (paths, kinds)
                for paths, writer, reader in AREAS
                for kinds in (WRITES, READS)
                if re.match(paths, path) and re.fullmatch(kinds, method.upper())
            ]
            assert len(areas) == 1, (method, path, areas)


def test_every_operation_documents_its_error_statuses(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            statuses = set(operation["responses"])
            assert {"404", "405", "406"} <= statuses, (method, path)
            if operation.get("security") != [{}]:
                assert {"401", "403"} <= statuses, (method, path)
            queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if queries or "requestBody" in operation:
                assert "400" in statuses, (method, path)


def test_spectacular_validates_the_schema_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", f"--file={tmp_path / 's.yaml'}")
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.")


def _config(path: Path, username: str) -> Path:
    """schemathesis.toml: the default number of examples, then the areas' own."""
    lines = ["[generation]", f"max-examples = {MAX_EXAMPLES}"]
    for group in _groups(username):
        lines += ["", "[[operations]]", *_toml_keys(group)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml_keys(table: dict, prefix: str = "") -> list[str]:
    """Dotted TOML keys; JSON's strings, booleans and numbers are TOML's too."""
    lines = []
    for key, value in table.items():
        if isinstance(value, dict):
            lines += _toml_keys(value, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key} = {json.dumps(value)}")
    return lines


def _schemathesis(schema: Path, base_url: str, token: str, workdir: Path) -> subprocess.Popen:
    workdir.mkdir()
    username = workdir.name
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(_config(workdir / "schemathesis.toml", username)),
        "run",
        str(schema),
        "--url",
        base_url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Token {token}",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        "--output-truncate",
        "false",
        "--warnings",
        ",".join(WARNINGS),
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    if CONTRACT_PATHS != "all":
        command += ["--include-path-regex", CONTRACT_PATHS]
    return subprocess.Popen(
        command,
        cwd=workdir,  # no config file or report is picked up from, or left in, the checkout
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _output(run: subprocess.Popen, deadline: float) -> str:
    """The run's output; one still running at the deadline is stopped, its output kept."""
    try:
        return run.communicate(timeout=max(1, deadline - time.monotonic()))[0]
    except subprocess.TimeoutExpired:
        run.kill()
        return run.communicate()[0] + f"\n(stopped after {RUN_TIMEOUT} s)"


def _server_errors(records) -> str:
    """The live server's logged 5xx, each with its traceback: schemathesis sees only the
    error page, the cause is here."""
    errors = [r for r in records if r.name == "django.request" and r.levelno >= logging.ERROR]
    return "\n\n".join(
        f"{r.getMessage()}\n{logging.Formatter().formatException(r.exc_info)}"
        if r.exc_info
        else r.getMessage()
        for r in errors
    )


def test_the_live_api_keeps_its_schema_for_every_role(
    live_server, transactional_db, demo, client, tmp_path, caplog
):
    from rest_framework.authtoken.models import Token

    # The schema is generated once and handed to the five runs as a file: five runs each
    # generating the whole API's schema at once (one at a time, see SchemaView) would wait
    # longer than schemathesis' 10 s. Its requests all go to the live server.
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200, response.content
    schema = tmp_path / "schema.json"
    schema.write_bytes(response.content)
    runs = {}
    try:
        for username in ROLE_USERNAMES:
            token, _ = Token.objects.get_or_create(user=demo.user(username))
            me = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {token.key}")
            assert me.status_code == 200, (username, me.content)
            runs[username] = _schemathesis(schema, live_server.url, token.key, tmp_path / username)
        deadline = time.monotonic() + RUN_TIMEOUT
        outputs = {name: _output(run, deadline) for name, run in runs.items()}
    finally:
        for run in runs.values():
            if run.poll() is None:
                run.kill()
                run.wait()

    failed = {name: outputs[name] for name, run in runs.items() if run.returncode != 0}
    report = "\n\n".join(f"===== as {name} =====\n{output}" for name, output in failed.items())
    if failed and (errors := _server_errors(caplog.records)):  # first: outputs are long
        report = f"===== the server's errors =====\n{errors}\n\n{report}"
    assert not failed, f"schemathesis found problems as {sorted(failed)}:\n{report}"
    for name, output in outputs.items():
        assert "No issues found" in output, f"as {name}:\n{output}"
