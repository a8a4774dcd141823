"""When to try a request again, and how long to wait first.

Pure decisions shared by the sync and async clients (only the sleeping differs):

- Calls that are safe to repeat (GET, DELETE, and fetching a token) are retried on connection
  errors and timeouts, on 429 (waiting as long as `Retry-After` asks) and on 502, 503 and 504,
  with capped exponential backoff and jitter, at most `max_retries` times.
- A job submission (`POST /simulation-jobs`) is not: repeating it after the request reached the
  server could create a second job, and the API has no idempotency key to prevent that. It is
  retried only when the request provably never left (the connection could not be opened), and
  on 429, which says the server refused the request without acting on it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})
"""Answers after which a call that is safe to repeat is tried again."""

NOT_SENT_ERRORS: tuple[type[httpx.HTTPError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
"""Failures that happen before any byte of the request reaches the server."""

TRANSIENT_ERRORS: tuple[type[httpx.HTTPError], ...] = (
    httpx.NetworkError,  # connect, read, write and close errors
    httpx.TimeoutException,
    httpx.RemoteProtocolError,  # e.g. the server closed the connection without answering
)
"""Failures worth a second try (a wrong URL scheme or a redirect loop is not)."""


_DOUBLINGS_TO_ANY_CAP = 1000
"""Past this many doublings every ceiling is the cap (2.0**1024 overflows a float)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How persistent the client is."""

    max_retries: int = 4
    """Retries after the first attempt (0 disables retrying)."""
    backoff_base: float = 0.5
    """Ceiling of the first backoff, in seconds; it doubles with each retry."""
    backoff_max: float = 30.0
    """No backoff is longer than this."""
    max_retry_after: float = 120.0
    """A 429 asking to wait longer than this is reported instead of waited out."""

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("backoff_base and backoff_max cannot be negative")


def backoff_ceiling(attempt: int, base: float, cap: float) -> float:
    """The longest wait before retry number `attempt + 1`: `base * 2**attempt`, at most `cap`.

    Non-decreasing in `attempt` and never above `cap`, however large `attempt` gets.
    """
    if attempt < 0:
        raise ValueError("attempt counts from 0")
    if base <= 0 or cap <= 0:
        return 0.0
    if attempt >= _DOUBLINGS_TO_ANY_CAP:  # 2.0**attempt would overflow
        return cap
    return min(cap, base * 2.0**attempt)


def backoff_delay(
    attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """The wait before retry number `attempt + 1`: the ceiling with "equal jitter".

    Between half the ceiling and the full ceiling, so that clients that failed together do not
    retry together, yet none retries immediately.
    """
    ceiling = backoff_ceiling(attempt, base, cap)
    return ceiling * (0.5 + 0.5 * rand())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a `Retry-After` header (delay-seconds or an HTTP date).

    A date in the past means 0; a value that is neither form means None (no advice).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def delay_after_response(
    policy: RetryPolicy,
    attempt: int,
    response: httpx.Response,
    *,
    repeatable: bool,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """How long to wait before repeating a call that got `response`, or None to stop.

    `attempt` counts the retries already made; `repeatable` is False for job submissions,
    which are repeated after a 429 only.
    """
    status = response.status_code
    if attempt >= policy.max_retries or status not in RETRYABLE_STATUSES:
        return None
    if not repeatable and status != 429:
        return None
    advised = parse_retry_after(response.headers.get("retry-after"))
    if advised is not None:
        return advised if advised <= policy.max_retry_after else None
    return backoff_delay(attempt, policy.backoff_base, policy.backoff_max, rand)


def delay_after_failure(
    policy: RetryPolicy,
    attempt: int,
    error: httpx.HTTPError,
    *,
    repeatable: bool,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """How long to wait before repeating a call that failed with `error`, or None to stop.

    A call that is not `repeatable` is repeated only if the request never left the client.
    """
    if attempt >= policy.max_retries:
        return None
    if repeatable:
        if not isinstance(error, TRANSIENT_ERRORS):
            return None
    elif not was_never_sent(error):
        return None
    return backoff_delay(attempt, policy.backoff_base, policy.backoff_max, rand)


def was_never_sent(error: httpx.HTTPError) -> bool:
    """True when `error` proves that no byte of the request reached the server."""
    return isinstance(error, NOT_SENT_ERRORS)
