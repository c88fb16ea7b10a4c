"""A token bucket for the operator's submit_sm rate (tps), shared by every thread of the process."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """`rate` tokens a second, up to one second's worth saved; waiters are served in turn."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self, deadline: float) -> bool:
        """Wait for a token, unless it would come after `deadline`; False then, and nothing is taken."""
        if self.rate <= 0:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            wait = max(0.0, (1 - self._tokens) / self.rate)
            if now + wait > deadline:
                return False
            self._tokens -= 1  # may go below zero: a reservation that later takers wait behind
        if wait:
            time.sleep(wait)
        return True
