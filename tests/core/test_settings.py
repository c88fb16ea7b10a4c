"""Production refuses to start unless it is configured safely; dev generates its own secret under var/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAFE_KEY = "k" * 50


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "BAWABA_ENV", "DATABASE_URL", "REDIS_URL"}
    }
    environment |= {"BAWABA_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(  # noqa: S603 — fixed argv, our own manage.py
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"DEBUG": "1", "SECRET_KEY": SAFE_KEY, "ALLOWED_HOSTS": "bawaba.example"}, "DEBUG is on"),
        ({"ALLOWED_HOSTS": "bawaba.example"}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "change-me", "ALLOWED_HOSTS": "bawaba.example"}, "SECRET_KEY is missing, a default"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 40, "ALLOWED_HOSTS": "bawaba.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": SAFE_KEY}, "ALLOWED_HOSTS is missing"),
        ({"SECRET_KEY": SAFE_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS is missing or a wildcard"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, env, problem):
    result = run_check(tmp_path, BAWABA_ENV="production", **env)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert problem in result.stderr


def test_production_starts_when_configured(tmp_path):
    result = run_check(tmp_path, BAWABA_ENV="production", SECRET_KEY=SAFE_KEY, ALLOWED_HOSTS="bawaba.example")
    assert result.returncode == 0, result.stderr


def test_unknown_environment_is_refused(tmp_path):
    result = run_check(tmp_path, BAWABA_ENV="staging")
    assert result.returncode != 0
    assert "BAWABA_ENV must be dev, test or production" in result.stderr


def test_dev_generates_and_keeps_a_secret_key(tmp_path):
    assert run_check(tmp_path, BAWABA_ENV="dev").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_check(tmp_path, BAWABA_ENV="dev").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
