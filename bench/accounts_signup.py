"""Sign-ups per second over HTTP with PostgreSQL and Redis, and proof that none of them lost a row or a message.

    .venv/bin/python bench/accounts_signup.py
    .venv/bin/python bench/accounts_signup.py --seconds 30 --clients-per-worker 2

The harness of bench/accounts_signin.py (a throwaway `bawaba_bench_accounts` database, a private
redis-server, gunicorn sync workers in production mode on 127.0.0.1), with `-w 1` and then one worker
per core. Client threads POST /api/v1/accounts/signup (the mobile app's call) with a fresh number each
(+964 77x xxx xxxx), a name and a password, and expect 202 with a ticket. Each sign-up hashes the
password (Argon2id), checks it against the bundled list, creates the unverified account, its
verification, ticket and code, and stores the SMS as a notifications Message whose delivery task Celery
publishes to Redis. No Celery worker runs: the code messages queue up in Redis (the `urgent` list),
which keeps the figures about the web tier and the database.

Limits: one address may start 100 sign-ups an hour (a cache counter) and receive 200 codes a day
(BAWABA_CODES_PER_ADDRESS_PER_DAY). A real flood comes from many addresses; so does this one. The server
runs with BAWABA_TRUSTED_PROXIES=1, as behind one reverse proxy, and each request carries its own
X-Forwarded-For address (10.x.y.z: a header value only, no traffic goes anywhere but 127.0.0.1).

Prints, for each worker count: sign-ups per second, p50/p90/p99 latency, failures (must be 0) and CPU ms
per sign-up; then the stored User, PhoneVerification, VerificationTicket, VerificationCode and Message
rows and the tasks waiting in Redis, each of which must equal the number of sign-ups accepted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.accounts_signin import (  # noqa: E402
    DATABASE,
    PASSWORD,
    BenchSite,
    Outcome,
    latency_words,
    machine_words,
    request,
    run_load,
)

SIGNUP_PATH = "/api/v1/accounts/signup"
FIRST_NUMBER = 9647700000000  # +964 770 000 0000: sign-up i uses this plus i
URGENT_QUEUE = "urgent"


def forwarded_for(index: int) -> str:
    """A distinct client address per sign-up, as the reverse proxy would report it."""
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"


class SignUps:
    """The work of one client call, and how many were accepted in all (warm-up included)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.accepted = 0
        self.lock = threading.Lock()

    def work(self, offset: int) -> Callable[[int], Outcome]:
        def sign_up(index: int) -> Outcome:
            number = index + offset
            body = json.dumps(
                {"phone": f"+{FIRST_NUMBER + number}", "full_name": f"Bench person {number}", "password": PASSWORD}
            ).encode()
            began = time.perf_counter()
            try:
                answer = request(
                    self.port,
                    "POST",
                    SIGNUP_PATH,
                    body=body,
                    headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for(number)},
                )
            except OSError as error:
                return Outcome(failure=f"connection: {error!r}")
            finished = time.perf_counter()
            if answer.status != 202 or not json.loads(answer.body).get("ticket"):
                return Outcome(failure=f"HTTP {answer.status}: {answer.body[:200]!r}")
            with self.lock:
                self.accepted += 1
            return Outcome(latencies={"signup": (finished - began) * 1000})

        return sign_up


def stored_rows() -> dict[str, int]:
    from bawaba.accounts.models import PhoneVerification, User, VerificationCode, VerificationTicket
    from bawaba.notifications.models import Message

    return {
        "User": User.objects.count(),
        "PhoneVerification": PhoneVerification.objects.count(),
        "VerificationTicket": VerificationTicket.objects.count(),
        "VerificationCode": VerificationCode.objects.count(),
        "Message": Message.objects.filter(template__name="verification_code").count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured time per worker count")
    parser.add_argument("--clients-per-worker", type=int, default=2, help="client threads per gunicorn worker")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="gunicorn worker counts to run")
    parser.add_argument("--port", type=int, default=8473, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (gunicorn's logs)")
    parser.add_argument("--redis-port", type=int, default=8474)
    args = parser.parse_args()

    print(f"sign-up over HTTP: {machine_words()}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-signup-"))
    lost: dict[str, int] = {}
    try:
        with BenchSite(
            database=DATABASE,
            redis_port=args.redis_port,
            workdir=workdir,
            extra_environment={"BAWABA_TRUSTED_PROXIES": "1"},
        ) as site:
            assert site.redis.process is not None
            signups = SignUps(args.port)
            offsets = itertools.count(0, 1_000_000)
            for workers in sorted({int(value) for value in args.workers.split(",")}):
                clients = workers * args.clients_per_worker
                with site.gunicorn(workers=workers, port=args.port) as server:
                    result = run_load(
                        work=signups.work(next(offsets)),
                        clients=clients,
                        seconds=args.seconds,
                        warmup=clients * 2,
                        gunicorn_pid=server.pid,
                        redis_pid=site.redis.process.pid,
                        database=DATABASE,
                    )
                print(
                    json.dumps(
                        {
                            "workers": workers,
                            "clients": clients,
                            "signups": result.done,
                            "failures": result.failures,
                            "seconds": round(result.seconds, 1),
                            "signups_per_second": round(result.per_second, 1),
                            "cpu_ms_per_signup": result.cpu_ms_per_unit,
                            "failure_samples": result.failure_samples,
                        }
                    )
                )
                print(
                    f"-w {workers} ({clients} clients): {result.per_second:.1f} sign-ups/s "
                    f"({result.done} in {result.seconds:.0f} s); p50/p90/p99 {latency_words(result, 'signup')}; "
                    f"failures {result.failures}; CPU ms per sign-up {result.cpu_ms_per_unit}"
                )
            rows = stored_rows()
            waiting = site.redis.queue_length(URGENT_QUEUE)
            lost = {name: signups.accepted - count for name, count in rows.items() if count != signups.accepted}
            if waiting != signups.accepted:
                lost["tasks in Redis"] = signups.accepted - waiting
            print(json.dumps({"accepted": signups.accepted, "stored": rows, "queued_in_redis": waiting}))
            print(
                f"{signups.accepted} sign-ups accepted (warm-up included); stored {rows}; "
                f"{waiting} delivery tasks waiting in Redis; " + (f"MISMATCH {lost}" if lost else "nothing lost")
            )
    finally:
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
