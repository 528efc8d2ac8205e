"""The deployment files are accepted by their tools."""

import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent


def test_docker_compose_file_is_valid():
    require_service(bool(shutil.which("docker-compose")), "docker-compose")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "web", "worker", "beat"}


def test_dockerfile_runs_the_app_under_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert "gunicorn" in dockerfile
