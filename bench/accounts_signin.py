"""Sign-ins per second per core, end to end over HTTP: gunicorn, PostgreSQL, Redis and the real hasher.

    .venv/bin/python bench/accounts_signin.py
    .venv/bin/python bench/accounts_signin.py --seconds 30 --accounts 800 --clients-per-worker 2

Builds a throwaway PostgreSQL database (`bawaba_bench_accounts` on 127.0.0.1:5432, or the server named by
BENCH_POSTGRES_URL), a private redis-server (cache and sessions, as in production), creates `--accounts`
citizens with verified numbers and their own Argon2id hashes, and serves the portal with gunicorn (sync
workers, BAWABA_ENV=production with DEBUG off and collected static files; plain HTTP on 127.0.0.1, so
SECURE_SSL_REDIRECT=0). Then, once with `-w 1` (one core) and once with one worker per core, client
threads sign in as a phone would: GET /ar/account/sign-in/ (the CSRF cookie and token), then POST the
number (written 0780 ...) and password, expecting the redirect to the account page and a session cookie.
Each login uses the next account, so no account signs in twice while there are more accounts than logins.

Prints, for each worker count: logins per second, latency of the sign-in POST and of the whole login
(GET + POST) at p50/p90/p99, failures (must be 0), and CPU milliseconds per login of gunicorn, PostgreSQL
(the backends serving the bench database), Redis and this client, from which "logins per core-second"
= 1000 / (server CPU ms per login): on shared vCPUs that are busy with other work, the CPU time per login
stays meaningful when the logins per second do not.

Throttling does not distort the figures: only failed sign-ins are counted and slowed down
(bawaba/accounts/signin/throttling.py); every login here succeeds, from distinct accounts.

bench/accounts_signup.py reuses the harness below (BenchSite, run_load).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.notifications.workers_harness import RedisServer, wait_until  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bawaba_bench_accounts"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "rain over Basra 1987"  # noqa: S105 - the bench accounts' throwaway password
SIGN_IN_PATH = "/ar/account/sign-in/"
ACCOUNT_PATH = "/ar/account/"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The first account's number; account i has this plus i (+964 780 000 0000 upwards).
FIRST_NUMBER = 9647800000000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))] if ordered else 0.0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process and its reaped children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid: int) -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.getpgid(int(entry.name)) == pgid:
                    total += process_cpu_seconds(int(entry.name))
    return total


def postgres_cpu_seconds(database: str) -> float:
    """CPU time of the PostgreSQL backends connected to `database` ("postgres: user database host ..." in
    their command line), so other clients of the same server are not counted; its shared background
    processes (WAL writer, checkpointer) are left out too."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry.name}/comm").read_text().strip() != "postgres":
                    continue
                words = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
                if database in words:
                    total += process_cpu_seconds(int(entry.name))
    return total


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


def request(
    port: int, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    """One request on a new connection, as a phone makes them (gunicorn's sync workers close it anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


class BenchSite:
    """A throwaway database, a private Redis and the environment every process of the bench shares."""

    def __init__(self, *, database: str, redis_port: int, workdir: Path, extra_environment: dict[str, str]) -> None:
        self.database = database
        self.database_url = f"{ADMIN_URL}/{database}"
        self.workdir = workdir
        self.redis = RedisServer(workdir / "redis")
        self.redis.port = redis_port
        self.environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("BAWABA_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "BAWABA_ENV": "production",
            "BAWABA_VAR_DIR": str(workdir / "var"),
            "BAWABA_OUTBOX_FILE": str(workdir / "outbox.jsonl"),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "BAWABA_LOG_LEVEL": "WARNING",
            **extra_environment,
        }

    def __enter__(self) -> BenchSite:
        self._psql(f"DROP DATABASE IF EXISTS {self.database}")
        self._psql(f"CREATE DATABASE {self.database}")
        self.redis.start()
        for command in (
            ["migrate", "-v", "0", "--skip-checks"],
            ["collectstatic", "--noinput", "-v", "0", "--skip-checks"],
        ):
            subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
                [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=self.environment, check=True
            )
        os.environ.update(self.environment)
        import django

        django.setup()
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connections

        connections.close_all()
        self.redis.kill()
        self._psql(f"DROP DATABASE IF EXISTS {self.database}", check=False)

    def _psql(self, statement: str, *, check: bool = True) -> None:
        subprocess.run(["psql", f"{ADMIN_URL}/postgres", "-q", "-c", statement], check=check)  # noqa: S603,S607

    @contextlib.contextmanager
    def gunicorn(self, *, workers: int, port: int) -> Iterator[subprocess.Popen[bytes]]:
        """gunicorn with `workers` sync workers on 127.0.0.1:`port`, in its own process group."""
        log = (self.workdir / f"gunicorn-{workers}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn and fixed arguments
            [GUNICORN, "config.wsgi", "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--backlog", "512"],
            cwd=BASE_DIR,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:

            def answers() -> bool:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see {log.name}")
                try:
                    return request(port, "GET", "/healthz").status == 200
                except OSError:
                    return False

            wait_until(answers, timeout=60, what=f"gunicorn on port {port}", every=0.2)
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


@dataclass
class Outcome:
    """One unit of work done by a client thread: its latencies in ms (named), or why it failed."""

    latencies: dict[str, float] = field(default_factory=dict)
    failure: str = ""


@dataclass
class LoadResult:
    done: int
    failures: int
    seconds: float
    latencies: dict[str, list[float]]
    failure_samples: list[str]
    cpu_ms_per_unit: dict[str, float]

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def run_load(
    *,
    work: Callable[[int], Outcome],
    clients: int,
    seconds: float,
    warmup: int,
    gunicorn_pid: int,
    redis_pid: int,
    database: str,
) -> LoadResult:
    """`clients` threads call `work(index)` with ever-increasing indexes for `seconds` (after `warmup` calls,
    not counted), and what it cost each process group in CPU time."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    failures: list[str] = []
    done = 0

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda _: work(next(counter)), range(warmup)))

    cpu_before = {
        "gunicorn": group_cpu_seconds(gunicorn_pid),
        "postgres": postgres_cpu_seconds(database),
        "redis": process_cpu_seconds(redis_pid),
        "client": time.process_time(),
    }
    started = time.monotonic()
    deadline = started + seconds

    def client() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            outcome = work(next(counter))
            with lock:
                if outcome.failure:
                    failures.append(outcome.failure)
                else:
                    done += 1
                    for name, value in outcome.latencies.items():
                        latencies.setdefault(name, []).append(value)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = {
        "gunicorn": group_cpu_seconds(gunicorn_pid) - cpu_before["gunicorn"],
        "postgres": postgres_cpu_seconds(database) - cpu_before["postgres"],
        "redis": process_cpu_seconds(redis_pid) - cpu_before["redis"],
        "client": time.process_time() - cpu_before["client"],
    }
    units = max(1, done + len(failures))
    return LoadResult(
        done=done,
        failures=len(failures),
        seconds=elapsed,
        latencies=latencies,
        failure_samples=failures[:5],
        cpu_ms_per_unit={name: round(value * 1000 / units, 1) for name, value in cpu.items()},
    )


def latency_words(result: LoadResult, name: str) -> str:
    values = result.latencies.get(name, [])
    return " / ".join(f"{percentile(values, fraction):.0f}" for fraction in (0.5, 0.9, 0.99)) + " ms"


def machine_words() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores (shared vCPUs), load average before the run {load}"


# --- sign-in ------------------------------------------------------------------------------------------------


def local_number(index: int) -> str:
    """Account `index`'s number as people write it: 0780 000 0001."""
    national = str(FIRST_NUMBER + index)[3:]
    return f"0{national[:3]} {national[3:6]} {national[6:]}"


def accounts_create(count: int) -> None:
    """`count` verified citizens, each with their own salt, hashed with the portal's hasher on every core."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from bawaba.accounts.models import User

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # argon2-cffi releases the GIL while it hashes
        hashes = list(pool.map(lambda _: make_password(PASSWORD), range(count)))
    now = timezone.now()
    users = []
    for index, encoded in enumerate(hashes):
        user = User(
            full_name=f"Bench citizen {index}",
            phone=f"+{FIRST_NUMBER + index}",
            phone_verified_at=now,
            password=encoded,
            preferred_language="ar",
        )
        user.username = f"c-{user.public_id.hex}"
        users.append(user)
    User.objects.bulk_create(users, batch_size=500)


def sign_in(port: int, accounts: int) -> Callable[[int], Outcome]:
    def work(index: int) -> Outcome:
        began = time.perf_counter()
        try:
            page = request(port, "GET", SIGN_IN_PATH)
            token = CSRF_TOKEN.search(page.body.decode())
            cookie = page.cookies().get("csrftoken")
            if page.status != 200 or token is None or not cookie:
                return Outcome(failure=f"sign-in page: HTTP {page.status}, token {bool(token)}, cookie {bool(cookie)}")
            posted = time.perf_counter()
            answer = request(
                port,
                "POST",
                SIGN_IN_PATH,
                body=urlencode(
                    {
                        "csrfmiddlewaretoken": token.group(1),
                        "phone": local_number(index % accounts),
                        "password": PASSWORD,
                        "next": "",
                    }
                ).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
            )
        except OSError as error:
            return Outcome(failure=f"connection: {error!r}")
        finished = time.perf_counter()
        if answer.status != 302 or answer.headers.get("Location") != ACCOUNT_PATH:
            return Outcome(failure=f"sign-in: HTTP {answer.status} to {answer.headers.get('Location')}")
        if "sessionid" not in answer.cookies():
            return Outcome(failure="sign-in: no session cookie")
        return Outcome(latencies={"post": (finished - posted) * 1000, "login": (finished - began) * 1000})

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured time per worker count")
    parser.add_argument("--accounts", type=int, default=600)
    parser.add_argument("--clients-per-worker", type=int, default=2, help="client threads per gunicorn worker")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="gunicorn worker counts to run")
    parser.add_argument("--port", type=int, default=8471, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (gunicorn's logs)")
    parser.add_argument("--redis-port", type=int, default=8472)
    args = parser.parse_args()

    print(f"sign-in over HTTP: {machine_words()}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    try:
        with BenchSite(database=DATABASE, redis_port=args.redis_port, workdir=workdir, extra_environment={}) as site:
            began = time.monotonic()
            accounts_create(args.accounts)
            print(f"{args.accounts} accounts created in {time.monotonic() - began:.1f} s")
            assert site.redis.process is not None
            for workers in sorted({int(value) for value in args.workers.split(",")}):
                clients = workers * args.clients_per_worker
                with site.gunicorn(workers=workers, port=args.port) as server:
                    result = run_load(
                        work=sign_in(args.port, args.accounts),
                        clients=clients,
                        seconds=args.seconds,
                        warmup=clients * 2,
                        gunicorn_pid=server.pid,
                        redis_pid=site.redis.process.pid,
                        database=DATABASE,
                    )
                server_ms = sum(value for name, value in result.cpu_ms_per_unit.items() if name != "client")
                print(
                    json.dumps(
                        {
                            "workers": workers,
                            "clients": clients,
                            "logins": result.done,
                            "failures": result.failures,
                            "seconds": round(result.seconds, 1),
                            "logins_per_second": round(result.per_second, 1),
                            "cpu_ms_per_login": result.cpu_ms_per_unit,
                            "failure_samples": result.failure_samples,
                        }
                    )
                )
                print(
                    f"-w {workers} ({clients} clients): {result.per_second:.1f} logins/s "
                    f"({result.done} in {result.seconds:.0f} s); POST p50/p90/p99 {latency_words(result, 'post')}, "
                    f"page+POST {latency_words(result, 'login')}; failures {result.failures}; "
                    f"CPU ms per login {result.cpu_ms_per_unit} → {1000 / max(server_ms, 0.1):.1f} logins "
                    f"per core-second"
                )
    finally:
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
