"""Urgent codes under load: 200 a second for 60 seconds through PostgreSQL, Redis and Celery workers.

    .venv/bin/python bench/notifications_delivery.py
    .venv/bin/python bench/notifications_delivery.py --rate 200 --seconds 60 --scenarios normal,refusing,stalling

Builds a throwaway PostgreSQL database (`bawaba_bench_notify` on 127.0.0.1:5432, or the server named by
BENCH_POSTGRES_URL), a private redis-server, two real HTTP SMS gateways (tests/peers/http_gateway.py,
each in its own process: "primary" with weight 80, "secondary" with 20), Celery workers as operators
run them (two on the urgent queue, each with a pool of 32 threads; one on periodic+receipts+normal with
beat), and producer processes that call `notifications.services.send(...)` for `verification_code`,
urgent, at the given rate.

Scenarios: `normal` (both gateways accept), `refusing` (the primary closes its port before the burst),
`stalling` (the primary takes connections and never answers).

For each scenario it prints: messages asked for and stored, p50/p90/p99/max from the send call to
acceptance by a gateway (Message.accept_latency_ms: from the moment send() stored the message to the
moment the worker recorded the gateway's acceptance), the share accepted within 1 s and within 10 s (GOV.UK
Notify's own measure is the share handed to a provider within 10 s), which gateway took how many,
and the count of lost messages (stored but never accepted) and duplicates (a message taken twice, by one
gateway or by both), which must both be 0.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.notifications.workers_harness import (  # noqa: E402
    CeleryWorker,
    RedisServer,
    wait_until,
    worker_environment,
)

DATABASE = "bawaba_bench_notify"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
SECRET_KEY = secrets.token_urlsafe(50)  # a throwaway database; nothing outlives the run
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))] if ordered else 0


class Gateway:
    """tests/peers/http_gateway.py in its own process, steered through its control port."""

    def __init__(self, name: str, log_dir: Path) -> None:
        self.name = name
        self.log = (log_dir / f"gateway-{name}.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "tests.peers.http_gateway",
                "--name",
                name,
                "--receipt-delay",
                "never",
                "--control-port",
                "0",
            ],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError(f"gateway {name} did not start: {ready}")
        self.port, self.control_port = int(ready[1]), int(ready[2])

    def control(self, path: str, payload: dict | None = None) -> dict:
        url = f"http://127.0.0.1:{self.control_port}{path}"
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if data else "GET")  # noqa: S310
        with OPENER.open(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def provider(self, weight: int) -> dict:
        from tests.peers.http_gateway import GATEWAY_OPTIONS

        return {
            "name": self.name,
            "kind": "http",
            "channels": ["sms"],
            "weight": weight,
            "options": {**GATEWAY_OPTIONS, "url": f"http://127.0.0.1:{self.port}/messages"},
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process and its reaped children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(value) for value in fields[11:15]) / ticks


def group_cpu_seconds(pgid: int) -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    total += process_cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def postgres_cpu_seconds() -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    total += process_cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def produce(rate: float, seconds: float, tag: str) -> None:
    """One producer process: send() at a steady pace, then print how many calls succeeded."""
    import django

    django.setup()
    from bawaba.notifications.services import send

    total = int(rate * seconds)
    stored = errors = 0
    slowest = 0.0
    start = time.monotonic() + 0.5
    for index in range(total):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        began = time.monotonic()
        try:
            send(
                "verification_code",
                to=f"+96477{index % 100_000_000:08d}",
                values={"code": f"{index % 1_000_000:06d}", "minutes": 5},
                priority="urgent",
                reference=f"bench:{tag}",
            )
            stored += 1
        except Exception as exc:  # noqa: BLE001  (counted and reported, the run goes on)
            errors += 1
            print(f"send failed: {exc!r}", file=sys.stderr)
        slowest = max(slowest, time.monotonic() - began)
    print(
        json.dumps(
            {
                "asked": total,
                "stored": stored,
                "errors": errors,
                "slowest_send_ms": round(slowest * 1000),
                "cpu_seconds": time.process_time(),
            }
        )
    )


def run_scenario(name: str, args: argparse.Namespace, workdir: Path, database_url: str) -> dict:
    from django.db import connection

    from bawaba.notifications.models import Attempt, DeliveryReceipt, Message

    Message.objects.all().delete()
    Attempt.objects.all().delete()
    DeliveryReceipt.objects.all().delete()
    connection.close()

    scenario_dir = workdir / name
    scenario_dir.mkdir()
    redis_server = RedisServer(scenario_dir / "redis")
    gateways = [Gateway("primary", scenario_dir), Gateway("secondary", scenario_dir)]
    workers: list[CeleryWorker] = []
    try:
        redis_server.start()
        providers = json.dumps([gateways[0].provider(80), gateways[1].provider(20)])
        environment = worker_environment(
            database_url=database_url,
            broker_url=redis_server.url,
            outbox_file=scenario_dir / "outbox.jsonl",
            providers_json=providers,
            var_dir=scenario_dir / "var",
            secret_key=SECRET_KEY,
        )
        workers = [
            *[
                CeleryWorker(
                    f"urgent{index}",
                    environment=environment,
                    log_dir=scenario_dir,
                    queues=["urgent"],
                    concurrency=args.concurrency,
                    extra_args=["--pool", args.pool],
                )
                for index in range(args.workers)
            ],
            CeleryWorker(
                "periodic",
                environment=environment,
                log_dir=scenario_dir,
                queues=["periodic", "receipts", "normal"],
                concurrency=1,
                extra_args=["-B", "-s", str(scenario_dir / "beat-schedule")],
            ),
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready(timeout=60)
        if name == "refusing":
            gateways[0].control("/mode", {"mode": "refuse"})
        elif name == "stalling":
            gateways[0].control("/mode", {"mode": "stall"})

        cpu_before = {"postgres": postgres_cpu_seconds()}
        producers = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, __file__, "--produce", str(args.rate / args.producers), str(args.seconds), name],
                cwd=BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.producers)
        ]
        results = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in producers]
        asked = sum(result["asked"] for result in results)
        stored = sum(result["stored"] for result in results)

        def settled() -> bool:
            return not Message.objects.filter(status__in=["created", "queued", "sending"]).exists()

        try:
            wait_until(settled, timeout=120, what="every message to be settled", every=1)
        except AssertionError:
            pass
        latencies = [
            value
            for value in Message.objects.filter(accept_latency_ms__isnull=False).values_list(
                "accept_latency_ms", flat=True
            )
        ]
        # When the slow ones (over a second) were sent: seconds since the burst began, and how many.
        first = Message.objects.order_by("created_at").values_list("created_at", flat=True).first()
        slow_by_second: dict[int, int] = {}
        for created in Message.objects.filter(accept_latency_ms__gt=1000).values_list("created_at", flat=True):
            second = int((created - first).total_seconds()) if first else 0
            slow_by_second[second] = slow_by_second.get(second, 0) + 1
        statuses: dict[str, int] = {}
        for status in Message.objects.values_list("status", flat=True):
            statuses[status] = statuses.get(status, 0) + 1
        by_provider: dict[str, int] = {}
        for provider in Message.objects.exclude(provider="").values_list("provider", flat=True):
            by_provider[provider] = by_provider.get(provider, 0) + 1
        records = [gateway.control("/records") for gateway in gateways]
        assert all(worker.process is not None for worker in workers)
        cpu = {
            "producers": sum(result["cpu_seconds"] for result in results),
            "workers": sum(group_cpu_seconds(worker.process.pid) for worker in workers if worker.process),
            "gateways": sum(process_cpu_seconds(gateway.process.pid) for gateway in gateways),
            "postgres": postgres_cpu_seconds() - cpu_before["postgres"],
        }
        cpu_ms_per_message = {name: round(seconds * 1000 / max(1, stored), 2) for name, seconds in cpu.items()}
        taken = [set(record.get("accepted_references", [])) for record in records]
        duplicates = sum(len(record["duplicates"]) for record in records) + len(taken[0] & taken[1])
        accepted_total = sum(record["by_outcome"].get("accepted", 0) for record in records)
        sent = statuses.get("sent", 0) + statuses.get("delivered", 0)
        return {
            "scenario": name,
            "asked": asked,
            "stored": stored,
            "slowest_send_ms": max(result["slowest_send_ms"] for result in results),
            "sent": sent,
            "statuses": statuses,
            "by_provider": by_provider,
            "p50_ms": percentile(latencies, 0.5),
            "p90_ms": percentile(latencies, 0.9),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies) if latencies else 0,
            "within_1s": sum(1 for value in latencies if value <= 1000) / max(1, stored),
            "within_10s": sum(1 for value in latencies if value <= 10_000) / max(1, stored),
            "gateway_accepted": accepted_total,
            "lost": stored - sent,
            "duplicates": duplicates,
            "cpu_ms_per_message": cpu_ms_per_message,
            "slow_by_second": dict(sorted(slow_by_second.items())),
        }
    finally:
        for worker in workers:
            worker.stop()
        for gateway in gateways:
            gateway.stop()
        redis_server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--producers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="urgent worker processes (celery worker commands)")
    parser.add_argument("--pool", default="threads", choices=["prefork", "threads"], help="their Celery pool")
    parser.add_argument("--concurrency", type=int, default=32, help="pool size of each urgent worker")
    parser.add_argument("--scenarios", default="normal,refusing,stalling")
    parser.add_argument("--keep", action="store_true", help="keep the logs of workers and gateways")
    args = parser.parse_args()

    database_url = f"{ADMIN_URL}/{DATABASE}"
    subprocess.run(["psql", ADMIN_URL + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}"], check=True)  # noqa: S603,S607
    subprocess.run(["psql", ADMIN_URL + "/postgres", "-q", "-c", f"CREATE DATABASE {DATABASE}"], check=True)  # noqa: S603,S607
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "BAWABA_ENV": "test",
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
        }
    )
    os.environ.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, check=True)  # noqa: S603
    import django

    django.setup()
    print(
        f"notifications delivery: {args.rate:.0f} urgent messages a second for {args.seconds:.0f} s, "
        f"{args.producers} producers, {args.workers} urgent worker(s) with a {args.pool} pool of {args.concurrency}, "
        f"{os.cpu_count()} cores"
    )
    directory = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    try:
        for name in args.scenarios.split(","):
            result = run_scenario(name, args, directory, database_url)
            print(json.dumps(result))
            print(
                f"{name:>9}: stored {result['stored']}/{result['asked']}, sent {result['sent']}; "
                f"send→accepted p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms, "
                f"max {result['max_ms']} ms; within 1 s {result['within_1s']:.1%}, "
                f"within 10 s {result['within_10s']:.1%}; "
                f"by gateway {result['by_provider']}; lost {result['lost']}, duplicated {result['duplicates']}; "
                f"slowest send() call {result['slowest_send_ms']} ms; CPU ms per message {result['cpu_ms_per_message']}"
            )
    finally:
        if args.keep:
            print(f"logs kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    connection_close()
    subprocess.run(["psql", ADMIN_URL + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}"], check=False)  # noqa: S603,S607


def connection_close() -> None:
    from django.db import connection

    connection.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--produce"]:
        produce(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    else:
        main()
