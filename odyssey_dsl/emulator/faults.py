"""Which fault, if any, a request gets: from the fault plan first, else drawn from the seed.

A draw depends only on the seed and the request's ordinal for its endpoint, so a run is
reproducible whatever order concurrent requests arrive in. Media downloads only get planned
faults: the random ones imitate the API server, not the storage behind presigned URLs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from odyssey_dsl.emulator.config import MEDIA_ENDPOINTS, EmulatorConfig, FaultKind


def chance(seed: int, fraction: float, *draw: object) -> bool:
    """True for about `fraction` of all `draw` keys, always the same answer for the same key."""
    if fraction <= 0.0:
        return False
    if fraction >= 1.0:
        return True
    return _uniform(seed, *draw) < fraction


def _uniform(seed: int, *draw: object) -> float:
    # Seeding with a string hashes it with SHA-512: stable across runs and PYTHONHASHSEED.
    return random.Random(":".join(map(str, (seed, *draw)))).random()


@dataclass(frozen=True)
class Fault:
    """A fault chosen for one request."""

    kind: FaultKind
    seconds: float = 0.0
    """Delay of `slow`, Retry-After of `rate_limit` and `unavailable`."""
    fraction: float = 0.5
    """Share of the body `drop_midway` sends before closing the connection."""


def choose_fault(config: EmulatorConfig, endpoint: str, nth: int, nth_overall: int) -> Fault | None:
    """The fault for the `nth` request to `endpoint` (`nth_overall` counts every endpoint)."""
    for planned in config.fault_plan:
        matches = (planned.endpoint == endpoint and planned.nth == nth) or (
            planned.endpoint == "*" and planned.nth == nth_overall
        )
        if matches:
            default = config.slow_seconds if planned.kind == "slow" else config.retry_after_seconds
            seconds = planned.seconds if planned.seconds is not None else default
            return Fault(planned.kind, seconds, planned.fraction)
    if endpoint in MEDIA_ENDPOINTS:
        return None
    seed = config.seed
    if chance(seed, config.drop_fraction, "drop", endpoint, nth):
        return Fault("drop")
    if chance(seed, config.server_error_fraction, "server_error", endpoint, nth):
        kinds: tuple[FaultKind, ...] = ("server_error", "bad_gateway", "unavailable")
        kind = kinds[int(_uniform(seed, "server_error_kind", endpoint, nth) * len(kinds))]
        return Fault(kind, config.retry_after_seconds)
    if chance(seed, config.rate_limit_fraction, "rate_limit", endpoint, nth):
        return Fault("rate_limit", config.retry_after_seconds)
    if chance(seed, config.slow_fraction, "slow", endpoint, nth):
        return Fault("slow", config.slow_seconds)
    return None


def format_retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds as HTTP wants, decimals only below one second
    (so tests need not wait), never negative."""
    seconds = max(0.0, seconds)
    if seconds >= 1 or seconds == 0:
        return str(round(seconds))
    return f"{seconds:g}"
