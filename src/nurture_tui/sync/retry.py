"""Retries for throttled and failing servers: exponential backoff with jitter, honouring
Retry-After, and bounded in total time so a sync never hangs."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class Retryable(Exception):
    """Raised by a call that may succeed if tried again (429, 403 rate limit, 5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    budget: float = 120.0  # total seconds of waiting before giving up

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        if retry_after is not None:
            return float(min(retry_after, self.max_delay))
        exponential = self.base_delay * (2**attempt)
        return float(min(self.max_delay, exponential * (0.5 + rng.random())))  # full jitter


def with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``call``; on Retryable wait and try again within the policy, else re-raise."""
    rng = rng or random.Random()
    sleep = sleep or time.sleep
    waited = 0.0
    for attempt in range(policy.attempts):
        try:
            return call()
        except Retryable as exc:
            delay = policy.delay(attempt, exc.retry_after, rng)
            if attempt == policy.attempts - 1 or waited + delay > policy.budget:
                raise
            sleep(delay)
            waited += delay
    raise AssertionError("unreachable: the last attempt returns or raises")
