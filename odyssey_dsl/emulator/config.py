"""How an emulator behaves: accepted keys, the job clock, and the faults it injects.

Every random fault is drawn from `seed` and the request's position (the Nth request to an
endpoint, the Nth submitted job), never from a shared random stream, so the same seed gives
the same faults whatever order concurrent requests arrive in. `fault_plan`, `failing_jobs`
and `failing_streams` script exact faults for tests ("the first POST gets 429").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "rate_limit",  # 429 with a Retry-After header
    "server_error",  # 500 with a JSON detail
    "bad_gateway",  # 502, as a proxy in front of the API would answer
    "unavailable",  # 503 with a JSON detail and a Retry-After header
    "gateway_timeout",  # 504
    "slow",  # the answer comes late (`seconds`, else the config's `slow_seconds`)
    "drop",  # the connection is closed before the request is handled: no response at all
    "drop_after",  # the request IS handled (e.g. the job is created), then the connection closes
    "drop_midway",  # the response starts, then the connection closes part-way through the body
]
"""What a fault does to one request."""

FAULT_KINDS: tuple[FaultKind, ...] = (
    "rate_limit",
    "server_error",
    "bad_gateway",
    "unavailable",
    "gateway_timeout",
    "slow",
    "drop",
    "drop_after",
    "drop_midway",
)

ENDPOINTS: tuple[str, ...] = (
    "POST /auth/token",
    "POST /simulation-jobs",
    "GET /simulation-jobs",
    "GET /simulation-jobs/{job_id}",
    "DELETE /simulation-jobs/{job_id}",
    "GET /recordings/{stream_id}",
    "GET /stream-recordings",
    "GET /media/{stream_id}/{name}",
    "HEAD /media/{stream_id}/{name}",
)
"""The endpoint names a `PlannedFault` can target (or `"*"` for every endpoint)."""

MEDIA_ENDPOINTS: frozenset[str] = frozenset(e for e in ENDPOINTS if "/media/" in e)


@dataclass(frozen=True)
class PlannedFault:
    """A scripted fault: the `nth` request (from 1, per endpoint) to `endpoint` gets `kind`.

    `endpoint` is one of `ENDPOINTS` (method and route template, e.g.
    `"GET /simulation-jobs/{job_id}"`) or `"*"`, which counts every request to any endpoint.
    `seconds` is the delay of a `slow` fault, or the Retry-After of `rate_limit`/`unavailable`.
    `fraction` is how much of the body a `drop_midway` fault sends before closing.
    """

    endpoint: str
    nth: int
    kind: FaultKind
    seconds: float | None = None
    fraction: float = 0.5

    def __post_init__(self) -> None:
        if self.endpoint != "*" and self.endpoint not in ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {self.endpoint!r}: use one of {', '.join(ENDPOINTS)} or '*'"
            )
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}: use one of {', '.join(FAULT_KINDS)}"
            )
        if self.nth < 1:
            raise ValueError("nth counts requests from 1")
        if not 0.0 <= self.fraction < 1.0:
            raise ValueError("fraction must be at least 0 and below 1")


DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
"""64 MiB: room for a long script with a few embedded images (each at most 25 MiB as a file)."""
DEFAULT_MAX_FINISHED_JOBS = 10_000


@dataclass(frozen=True)
class EmulatorConfig:
    """Settings of an emulated Simulate API. The defaults give a fault-free server whose jobs
    take about five seconds (pending 1 s, dispatched 1 s, processing 3 s) at speed 1."""

    api_keys: frozenset[str] | None = field(default=None, repr=False)
    """Accepted API keys; None accepts any key that starts with `ody_`. (Keys stay out of reprs.)"""
    denied_api_keys: frozenset[str] = field(default=frozenset(), repr=False)
    """Keys that are recognised but refused with 403 (a revoked or suspended account)."""
    token_expires_in: float = 3600
    """Lifetime of a bearer token, in real seconds (not scaled by `speed`)."""

    speed: float = 1.0
    """Clock multiplier: at speed 10 a job's phases pass ten times faster."""
    pending_seconds: float = 1.0
    dispatched_seconds: float = 1.0
    processing_seconds: float = 3.0
    """Duration of each job phase, in emulated seconds."""

    fail_fraction: float = 0.0
    """Fraction of jobs that fail as a whole (error_message set, every stream failed)."""
    stream_fail_fraction: float = 0.0
    """Fraction of streams that fail on their own; a job with a failed stream fails."""
    rate_limit_fraction: float = 0.0
    """Fraction of API requests answered 429 with Retry-After."""
    retry_after_seconds: float = 1.0
    server_error_fraction: float = 0.0
    """Fraction of API requests answered 500, 502 or 503."""
    slow_fraction: float = 0.0
    """Fraction of API requests answered only after `slow_seconds`."""
    slow_seconds: float = 2.0
    drop_fraction: float = 0.0
    """Fraction of API requests whose connection is closed without any response."""
    seed: int = 0

    fault_plan: tuple[PlannedFault, ...] = ()
    """Exact faults for tests; applied before (and instead of) the random ones."""
    failing_jobs: frozenset[int] = frozenset()
    """Ordinals (1-based, in submission order) of jobs that fail as a whole."""
    failing_streams: frozenset[tuple[int, int]] = frozenset()
    """(job ordinal, stream index) pairs of streams that fail."""

    video_bytes: int = 256 * 1024
    """Size of each placeholder video file (big enough to interrupt a download part-way)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """A request body larger than this gets 413 without being read into memory."""
    max_finished_jobs: int = DEFAULT_MAX_FINISHED_JOBS
    """Finished jobs kept (with their recordings); beyond that the oldest are forgotten."""
    media_url_lifetime: float = 3600
    """How long a recording's presigned URLs stay valid, in real seconds."""

    def __post_init__(self) -> None:
        fractions = {
            "fail_fraction": self.fail_fraction,
            "stream_fail_fraction": self.stream_fail_fraction,
            "rate_limit_fraction": self.rate_limit_fraction,
            "server_error_fraction": self.server_error_fraction,
            "slow_fraction": self.slow_fraction,
            "drop_fraction": self.drop_fraction,
        }
        for name, value in fractions.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1 (got {value})")
        if self.speed <= 0:
            raise ValueError(f"speed must be positive (got {self.speed})")
        if self.token_expires_in <= 0:
            raise ValueError(f"token_expires_in must be positive (got {self.token_expires_in})")
        phases = (self.pending_seconds, self.dispatched_seconds, self.processing_seconds)
        if min(phases) < 0:
            raise ValueError("phase durations cannot be negative")
        if self.retry_after_seconds < 0 or self.slow_seconds < 0:
            raise ValueError("retry_after_seconds and slow_seconds cannot be negative")
        if self.video_bytes < 64:
            raise ValueError("video_bytes must be at least 64")
        if self.max_body_bytes < 1 or self.max_finished_jobs < 1:
            raise ValueError("max_body_bytes and max_finished_jobs must be at least 1")

    @property
    def job_seconds(self) -> float:
        """Real seconds from submission to a job's end (all phases, divided by `speed`)."""
        return (
            self.pending_seconds + self.dispatched_seconds + self.processing_seconds
        ) / self.speed

    def accepts_key_format(self, api_key: str) -> bool:
        """Whether `api_key` is a key this emulator knows (denied keys included)."""
        if api_key in self.denied_api_keys:
            return True
        if self.api_keys is None:
            return api_key.startswith("ody_") and len(api_key) > len("ody_")
        return api_key in self.api_keys
