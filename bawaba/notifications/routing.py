"""Which provider gets the next try: weighted by the operator, scaled by health, skipping the broken.

Three things lower a provider's share:
- an operator pauses it (ProviderState.paused): it gets nothing;
- the periodic health check (health.py) finds errors or slow receipts: its health, and so its
  share, drops, and drifts back as it recovers;
- in this worker process, a failed try opens a short circuit breaker, so the next urgent message
  goes straight to another provider instead of waiting for the same timeout again.
A provider configured with weight 0 is a standby: used only when no weighted provider is left.
When every remaining provider is degraded, the healthiest one is still tried: a slow provider beats none.
Providers a caller asked to avoid (a resend after a code that never came) are chosen only when no other
provider is ready, not paused and its breaker not open: a standby is preferred to them, but they are
preferred to sending nothing.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.core.cache import cache

from bawaba.notifications.models import ProviderState
from bawaba.notifications.providers.config import ProviderConfig, providers_for

STATE_CACHE_SECONDS = 2.0
BREAKER_BASE_SECONDS = 2.0
BREAKER_MAX_SECONDS = 60.0
# How long the shared breaker remembers a provider's failures after its open time ends (half open).
BREAKER_MEMORY_SECONDS = 300
# How long one worker may spend probing a half-open provider before another may try.
PROBE_SECONDS = 10
SHARED_READ_EVERY = 0.5
# A provider holding one of this process's requests longer than this is passed over until it answers
# (less for a provider that usually answers fast; see _InFlight).
SUSPECT_AFTER_SECONDS = 1.0
SUSPECT_AT_LEAST_SECONDS = 0.25
CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

_rng = random.SystemRandom()


@dataclass(frozen=True)
class _State:
    paused: bool
    health: float


_states_lock = threading.Lock()
_states: dict[str, _State] = {}
_states_read_at = 0.0


def provider_states() -> dict[str, _State]:
    """Pauses and health, read from the database at most every couple of seconds per process."""
    global _states, _states_read_at
    with _states_lock:
        if time.monotonic() - _states_read_at > STATE_CACHE_SECONDS:
            _states = {row.name: _State(row.paused, row.health) for row in ProviderState.objects.all()}
            _states_read_at = time.monotonic()
        return _states


def forget_states() -> None:
    global _states_read_at
    with _states_lock:
        _states_read_at = 0.0


class _Breaker:
    """Per-provider circuit breaker, kept in this process and shared with every worker through the cache.

    One worker that sees a provider stall or refuse tells the others (through Redis in production), so
    they stop sending it urgent codes at once instead of each waiting out the same timeout. When the
    breaker's time is up, a single worker at a time may probe the provider; the rest keep away until
    the probe succeeds. The cache is a helper, never a requirement: if it fails, the local breaker works alone.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}
        self._shared_seen: dict[str, tuple[float, dict[str, float] | None]] = {}
        self._namespace = "1"

    def _key(self, name: str) -> str:
        return f"notifications:breaker:{self._namespace}:{name}"

    def _shared(self, name: str) -> dict[str, float] | None:
        """The shared record ({"failures", "until"} in wall-clock seconds), read at most twice a second."""
        now = time.monotonic()
        with self._lock:
            seen = self._shared_seen.get(name)
            if seen is not None and now - seen[0] < SHARED_READ_EVERY:
                return seen[1]
        try:
            record = cache.get(self._key(name))
        except Exception:
            record = None
        with self._lock:
            # Stamped after the read: a cache that took seconds to answer is not asked again at once.
            self._shared_seen[name] = (time.monotonic(), record)
        return record

    def state(self, name: str) -> str:
        """CLOSED, OPEN or HALF_OPEN (time is up, nobody has seen it work yet); reading has no side effect."""
        with self._lock:
            if self._open_until.get(name, 0.0) > time.monotonic():
                return OPEN
        record = self._shared(name)
        if not record:
            return CLOSED
        return OPEN if record["until"] > time.time() else HALF_OPEN

    def is_open(self, name: str) -> bool:
        return self.state(name) == OPEN

    def take_probe(self, name: str) -> bool:
        """The right to try a half-open provider, held by one worker at a time for PROBE_SECONDS."""
        try:
            return bool(cache.add(f"{self._key(name)}:probe", 1, timeout=PROBE_SECONDS))
        except Exception:
            return True

    def failed(self, name: str) -> None:
        with self._lock:
            failures = self._failures.get(name, 0) + 1
            self._failures[name] = failures
        record = self._shared(name) or {}
        failures = max(failures, int(record.get("failures", 0)) + 1)
        wait = min(BREAKER_MAX_SECONDS, BREAKER_BASE_SECONDS * 2 ** (failures - 1))
        record = {"failures": failures, "until": time.time() + wait}
        with self._lock:
            self._open_until[name] = time.monotonic() + wait
            self._shared_seen[name] = (time.monotonic(), record)
        try:
            cache.set(self._key(name), record, timeout=int(wait + BREAKER_MEMORY_SECONDS))
        except Exception:  # noqa: S110  (the local breaker still protects this worker)
            pass

    def succeeded(self, name: str) -> None:
        with self._lock:
            had_failures = self._failures.pop(name, None) is not None
            self._open_until.pop(name, None)
            seen = self._shared_seen.get(name)
            shared_failures = seen is not None and seen[1] is not None
            self._shared_seen.pop(name, None)
        if had_failures or shared_failures:
            try:
                cache.delete_many([self._key(name), f"{self._key(name)}:probe"])
            except Exception:  # noqa: S110
                pass

    def reset(self) -> None:
        """Forget everything, here and (by moving to a fresh namespace) in the shared cache; for tests."""
        with self._lock:
            self._failures.clear()
            self._open_until.clear()
            self._shared_seen.clear()
            self._namespace = uuid.uuid4().hex


breaker = _Breaker()


class _InFlight:
    """Requests this process has open with each provider, to notice a stall before any timeout ends.

    A provider holding a request much longer than it usually takes to answer is skipped by this
    process's next choices; otherwise every thread would pick the stalled provider for the whole
    attempt timeout, before the first failure opens the breaker. "Much longer" is eight times its
    usual answer time (a moving average of this process's accepted tries), between a quarter of a
    second and one second, so a provider that is slow but steady is not starved; a quarter of a
    second for a provider that has not answered this process yet.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, dict[int, float]] = {}
        self._usual: dict[str, float] = {}
        self._tokens = itertools.count()

    def started(self, name: str) -> int:
        token = next(self._tokens)
        with self._lock:
            self._open.setdefault(name, {})[token] = time.monotonic()
        return token

    def ended(self, name: str, token: int, *, answered: bool = False) -> None:
        with self._lock:
            began = self._open.get(name, {}).pop(token, None)
            if answered and began is not None:
                took = time.monotonic() - began
                usual = self._usual.get(name)
                self._usual[name] = took if usual is None else usual * 0.9 + took * 0.1

    def patience(self, name: str) -> float:
        with self._lock:
            usual = self._usual.get(name)
        if usual is None:
            return SUSPECT_AT_LEAST_SECONDS  # not heard from yet in this process: no benefit of the doubt
        return min(SUSPECT_AFTER_SECONDS, max(SUSPECT_AT_LEAST_SECONDS, 8 * usual))

    def stalled(self, name: str) -> bool:
        with self._lock:
            started = self._open.get(name)
            oldest = min(started.values()) if started else None
        return oldest is not None and time.monotonic() - oldest > self.patience(name)

    def reset(self) -> None:
        with self._lock:
            self._open.clear()
            self._usual.clear()


in_flight = _InFlight()


def report_failure(name: str) -> None:
    breaker.failed(name)


def report_success(name: str) -> None:
    breaker.succeeded(name)


def effective_weight(config: ProviderConfig, state: _State | None) -> float:
    if state is not None and state.paused:
        return 0.0
    health = 1.0 if state is None else max(0.0, min(1.0, state.health))
    return config.weight * health


def _draw(candidates: list[tuple[ProviderConfig, float]]) -> ProviderConfig:
    total = sum(weight for _config, weight in candidates)
    point = _rng.uniform(0, total)
    for config, weight in candidates:
        point -= weight
        if point <= 0:
            return config
    return candidates[-1][0]


def choose(channel: str, exclude: Collection[str] = (), avoid: Collection[str] = ()) -> ProviderConfig | None:
    """A provider for the next try, or None when every provider for the channel is excluded or paused.

    Providers in `avoid` are left for last: chosen only when no other one is ready.
    """
    if avoid:
        config = _choose(channel, {*exclude, *avoid}, ready_only=True)
        if config is not None:
            return config
    return _choose(channel, exclude)


def _choose(channel: str, exclude: Collection[str], *, ready_only: bool = False) -> ProviderConfig | None:
    states = provider_states()
    available = [
        config
        for config in providers_for(channel)
        if config.name not in exclude and not (states.get(config.name) and states[config.name].paused)
    ]
    if not available:
        return None
    breaker_state = {
        config.name: OPEN if in_flight.stalled(config.name) else breaker.state(config.name) for config in available
    }
    ready = [config for config in available if breaker_state[config.name] != OPEN]
    weighted = [(config, effective_weight(config, states.get(config.name))) for config in ready]
    weighted = [(config, weight) for config, weight in weighted if weight > 0]
    while weighted:
        config = _draw(weighted)
        # A half-open provider is tried by one worker at a time; if another holds the probe, draw again.
        if breaker_state[config.name] != HALF_OPEN or breaker.take_probe(config.name):
            return config
        weighted = [(other, weight) for other, weight in weighted if other.name != config.name]
    # Nothing healthy and closed: standbys first, then whatever has the most health left.
    fallback = ready if ready_only else ready or available
    if not fallback:
        return None
    return max(
        fallback,
        key=lambda c: (breaker_state[c.name] != OPEN, states.get(c.name, _State(False, 1.0)).health, c.weight),
    )
