"""Shared set-up for the search benchmarks: a throwaway database per engine, in a child process each.

Django reads its database settings once per process, so each benchmark re-runs itself once per engine:
SQLite always (in a temporary directory), PostgreSQL too when DATABASE_URL is set. The PostgreSQL
database named in DATABASE_URL is dropped if it exists, created, and dropped again at the end.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHILD_FLAG = "BAWABA_BENCH_ENGINE"


def _postgres(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(statement)


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"DATABASE_URL must name a plain database to create and drop, not {name!r}")
    return name


def run_per_engine(script: str, arguments: list[str]) -> None:
    """Run `script` once on SQLite and, when DATABASE_URL is set, once on PostgreSQL."""
    postgres_url = os.environ.get("DATABASE_URL", "")
    engines = ["sqlite"] + (["postgresql"] if postgres_url else [])
    failed = False
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="bawaba-bench-") as var_dir:
            env = os.environ | {CHILD_FLAG: engine, "BAWABA_VAR_DIR": var_dir, "BAWABA_ENV": "test", "DEBUG": "0"}
            if engine == "sqlite":
                env.pop("DATABASE_URL", None)
            else:
                name = _database_name(postgres_url)
                _postgres(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                _postgres(postgres_url, f'CREATE DATABASE "{name}"')
            try:
                result = subprocess.run([sys.executable, script, *arguments], env=env, cwd=ROOT, check=False)  # noqa: S603
                failed = failed or result.returncode != 0
            finally:
                if engine == "postgresql":
                    _postgres(postgres_url, f'DROP DATABASE IF EXISTS "{_database_name(postgres_url)}" WITH (FORCE)')
    if failed:
        raise SystemExit(1)


def child_engine() -> str | None:
    return os.environ.get(CHILD_FLAG)


def setup_django() -> None:
    """Configure Django on the benchmark database and create its tables."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def main(script: str, work: Callable[[], None]) -> None:
    """Entry point of a benchmark: parent process fans out per engine, child process does the work."""
    if child_engine():
        setup_django()
        work()
    else:
        run_per_engine(script, sys.argv[1:])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


if __name__ == "__main__":
    print("Helpers for bench/search_latency.py and bench/search_quality.py; nothing to measure here.")
