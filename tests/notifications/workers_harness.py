"""Real peers for the worker tests: a private redis-server and Celery worker processes.

Each server runs in its own process group, so the test can kill it (and, for a worker, its prefork
children) by its own id, as a crash or an operator would, and nothing is left running afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

import redis
from celery import Celery
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ALL_QUEUES = ("urgent", "normal", "receipts", "periodic")
# Variables from the developer's or CI's shell that must not leak into a worker: each worker gets
# exactly the database, broker, outbox and providers of the test that started it.
INHERITED_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "BAWABA_NOTIFY_PROVIDERS",
    "BAWABA_NOTIFY_PROVIDERS_FILE",
    "BAWABA_OUTBOX_FILE",
    "BAWABA_VAR_DIR",
)


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.05) -> None:
    """Poll until `condition()` is true; raise TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the whole group is already gone
    process.wait(timeout=10)


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 that keeps nothing on disk, so a restart starts empty."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(command, start_new_session=True)  # noqa: S603 - fixed argv, no shell
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.process.returncode}; see {self.directory}")
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: Redis still accepts connections (the kernel does) but never answers, like a partition."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: what a crashed or rebooted Redis looks like to its clients (nothing is saved)."""
        if self.process is not None:
            _kill_group(self.process)
            self.process = None

    def queue_length(self, *queues: str) -> int:
        client = self.client()
        return sum(int(client.llen(queue)) for queue in queues)


class CeleryWorker:
    """`celery -A config worker` as operators run it, with its own log file to watch."""

    def __init__(
        self,
        name: str,
        *,
        environment: Mapping[str, str],
        log_dir: Path,
        queues: Sequence[str] = ALL_QUEUES,
        concurrency: int = 2,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.extra_args = tuple(extra_args)  # e.g. ("-B",) for an embedded beat
        self.environment = dict(environment)
        self.log_file = log_dir / f"{name}.log"
        self.queues = tuple(queues)
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            ",".join(self.queues),
            "--pool",
            "prefork",
            "-c",
            str(self.concurrency),
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{self.name}@%h",
            "--loglevel",
            "INFO",
            *self.extra_args,
        ]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                command,
                cwd=BASE_DIR,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file.exists() else ""

    def connections(self) -> int:
        """How many times this worker has (re)connected to the broker, by its own log."""
        return self.log().count("Connected to redis://")

    def is_ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"Worker {self.name} is not running; its log:\n{self.log()[-3000:]}")
        return f"{self.name}@" in self.log() and " ready." in self.log()

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(self.is_ready, timeout=timeout, what=f"worker {self.name} to be ready", every=0.1)

    def wait_for_reconnection(self, connections_before: int, timeout: float) -> bool:
        """True once the worker has connected to the broker again; False if it exited instead."""
        wait_until(
            lambda: self.connections() > connections_before or self.has_exited(),
            timeout=timeout,
            what=f"worker {self.name} to reconnect to the broker",
            every=0.2,
        )
        return not self.has_exited()

    def has_exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def restart(self) -> None:
        """What a supervisor (systemd's Restart=always, a container's restart policy) does for a dead worker."""
        self.kill()
        self.start()
        self.wait_ready()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children at once, as when a machine dies."""
        if self.process is not None:
            _kill_group(self.process)
            self.process = None

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (tasks in hand are finished), then make sure nothing of the group is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        _kill_group(self.process)
        self.process = None


def worker_environment(
    *, database_url: str, broker_url: str, outbox_file: Path, providers_json: str, var_dir: Path, secret_key: str
) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in INHERITED_SETTINGS}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "BAWABA_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "BAWABA_OUTBOX_FILE": str(outbox_file),
            "BAWABA_NOTIFY_PROVIDERS": providers_json,
            "BAWABA_VAR_DIR": str(var_dir),
            "SECRET_KEY": secret_key,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def forget_producers(app: Celery) -> None:
    """Close and drop the app's pooled broker connections, as Celery itself does after a fork.

    `app.close()` would also unregister the project's app, so this does the pool part only.
    """
    amqp = app.__dict__.get("amqp")  # only if the app has built it already
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None


def worker_database_url() -> str:
    """The database pytest-django created, which the worker processes must use too."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"
