"""The layers of docs/architecture.md hold: the import contracts of pyproject.toml
([tool.importlinter], also run by ``make test``) are kept, a wrong-way import breaks
them, and no module of the application is over 500 lines (migrations aside)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["opsdesk", "stores", "inventory", "sales", "customers", "staff"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 500


def _lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *only],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("opsdesk/platform/db.py", "import inventory.models", "layers"),
        ("sales/models.py", "import opsdesk.analytics.kpis.models", "layers"),
        ("stores/selectors.py", "import stores.checklists.models", "store-root"),
        ("opsdesk/platform/http.py", "import opsdesk.urls", "wiring-on-top"),
        ("inventory/selectors.py", "import staff.models", "domains-independent"),
        ("opsdesk/analytics/kpis/engine.py", "import sales.models", "analytics-through-selectors"),
        ("stores/checklists/scoring.py", "from . import selectors", "no-cycles"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tmp_path, module, line, contract):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")

    assert _lint_imports(tmp_path, contract).returncode != 0
    # Only that line breaks it: the same copy without it keeps the contract.
    target.write_text(target.read_text().replace(f"\n{line}  # noqa\n", ""))
    assert _lint_imports(tmp_path, contract).returncode == 0


def test_no_module_is_over_500_lines():
    too_long = {}
    for package in [*PACKAGES, "bench"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}
