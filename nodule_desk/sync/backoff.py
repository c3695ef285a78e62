"""When to try a queued item again: exponential backoff with full jitter.

Delay before attempt n + 1 = uniform(0, min(cap, base * 2^(n - 1))) ("full jitter", which spreads
many branches' retries after the parent center comes back instead of having them all at once).
The schedule lives in the outbox row (attempts, next_attempt_at), so it survives restarts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffSchedule:
    base_s: float = 30.0
    cap_s: float = 3600.0
    lease_s: float = 600.0
    """How long a claimed item stays 'sending' before another worker may take it."""

    def delay_s(self, attempts: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))
        return (rng or random).uniform(0.0, ceiling)
