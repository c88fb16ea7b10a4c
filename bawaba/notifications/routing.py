"""Which provider gets the next try: weighted by the operator, scaled by health, skipping the broken.

Three things lower a provider's share:
- an operator pauses it (ProviderState.paused): it gets nothing;
- the periodic health check (health.py) finds errors or slow receipts: its health, and so its
  share, drops, and drifts back as it recovers;
- in this worker process, a failed try opens a short circuit breaker, so the next urgent message
  goes straight to another provider instead of waiting for the same timeout again.
A provider configured with weight 0 is a standby: used only when no weighted provider is left.
When every remaining provider is degraded, the healthiest one is still tried: a slow provider beats none.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass

from bawaba.notifications.models import ProviderState
from bawaba.notifications.providers.config import ProviderConfig, providers_for

STATE_CACHE_SECONDS = 2.0
BREAKER_BASE_SECONDS = 2.0
BREAKER_MAX_SECONDS = 60.0

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
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}

    def is_open(self, name: str) -> bool:
        with self._lock:
            return self._open_until.get(name, 0.0) > time.monotonic()

    def failed(self, name: str) -> None:
        with self._lock:
            failures = self._failures.get(name, 0) + 1
            self._failures[name] = failures
            wait = min(BREAKER_MAX_SECONDS, BREAKER_BASE_SECONDS * 2 ** (failures - 1))
            self._open_until[name] = time.monotonic() + wait

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
            self._open_until.pop(name, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._open_until.clear()


breaker = _Breaker()


def report_failure(name: str) -> None:
    breaker.failed(name)


def report_success(name: str) -> None:
    breaker.succeeded(name)


def effective_weight(config: ProviderConfig, state: _State | None) -> float:
    if state is not None and state.paused:
        return 0.0
    health = 1.0 if state is None else max(0.0, min(1.0, state.health))
    return config.weight * health


def choose(channel: str, exclude: Collection[str] = ()) -> ProviderConfig | None:
    """A provider for the next try, or None when every provider for the channel is excluded or paused."""
    states = provider_states()
    available = [
        config
        for config in providers_for(channel)
        if config.name not in exclude and not (states.get(config.name) and states[config.name].paused)
    ]
    if not available:
        return None
    ready = [
        (config, effective_weight(config, states.get(config.name)))
        for config in available
        if not breaker.is_open(config.name)
    ]
    weighted = [(config, weight) for config, weight in ready if weight > 0]
    if weighted:
        total = sum(weight for _config, weight in weighted)
        point = _rng.uniform(0, total)
        for config, weight in weighted:
            point -= weight
            if point <= 0:
                return config
        return weighted[-1][0]
    # Nothing healthy and closed: standbys first, then whatever has the most health left.
    fallback = [config for config, _weight in ready] or available
    return max(
        fallback, key=lambda c: (not breaker.is_open(c.name), states.get(c.name, _State(False, 1.0)).health, c.weight)
    )
