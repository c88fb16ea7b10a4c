"""Password checks per second per core with the portal's hasher, beside the alternatives it was chosen over.

    .venv/bin/python bench/accounts_password_hashing.py
    .venv/bin/python bench/accounts_password_hashing.py --seconds 10

A password check is most of the cost of a sign-in, and the cost an attacker's guesses impose on us. For
each hasher it hashes one password, then checks it in a loop for `--seconds` in one process (one core),
and again in one process per core at once (all cores). Prints checks per second, milliseconds per check
and the peak memory the hasher needs per check (Argon2's memory cost; PBKDF2 needs almost none).
Keycloak's published sizing is 15 password-based logins per second per vCPU (its default hasher is
PBKDF2-SHA512 at 210,000 iterations): compare the figures with that in docs/performance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

HASHERS = [
    ("Bawaba Argon2id (19 MiB, t=2, p=1)", "bawaba.accounts.hashers.BawabaArgon2Hasher"),
    ("Django Argon2id default (100 MiB, t=2, p=8)", "django.contrib.auth.hashers.Argon2PasswordHasher"),
    ("Django PBKDF2-SHA256 (1,000,000 iterations)", "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
]
PASSWORD = "rain over Basra 1987"  # noqa: S105 - a throwaway password to time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("BAWABA_ENV", "test")
    import django

    django.setup()


def _checks(hasher_path: str, seconds: float) -> tuple[int, float]:
    _setup()
    from django.utils.module_loading import import_string

    hasher = import_string(hasher_path)()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if not hasher.verify(PASSWORD, encoded):
            raise SystemExit("the hasher rejected its own hash")
        count += 1
    return count, time.perf_counter() - started


def _worker(arguments: tuple[str, float]) -> tuple[int, float]:
    return _checks(*arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"{cores} cores; each measurement runs {options.seconds:g} s")
    print(f"{'hasher':<46} {'1 core: checks/s':>17} {'ms/check':>9} {f'{cores} cores: checks/s':>20}")
    for label, path in HASHERS:
        count, elapsed = _checks(path, options.seconds)
        with multiprocessing.get_context("spawn").Pool(cores) as pool:
            results = pool.map(_worker, [(path, options.seconds)] * cores)
        together = sum(count / elapsed for count, elapsed in results)
        per_second = count / elapsed
        print(f"{label:<46} {per_second:>17.1f} {1000 / per_second:>9.1f} {together:>20.1f}")


if __name__ == "__main__":
    main()
