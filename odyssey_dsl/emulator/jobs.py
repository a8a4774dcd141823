"""Emulated jobs: the streams a submission produces and the status a job has at a given time.

A job's status is computed from its submission time and the clock settings, so no background
task moves jobs along: pending for `pending_seconds`, then dispatched, then processing, then
completed (or failed), each phase divided by `speed`. Cancelling freezes it at `cancelled`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from odyssey_dsl.emit.models import ScriptEntry, SimulationRequest
from odyssey_dsl.emulator.config import EmulatorConfig

FRAMES_PER_SECOND = 30
MIN_STREAM_SECONDS = 1.0
"""A stream that starts and ends at once still records a second of video."""
CANCELLABLE = frozenset({"pending", "dispatched"})
ACTIVE = frozenset({"pending", "dispatched", "processing"})
FINISHED = frozenset({"completed", "failed", "cancelled"})
STATUSES = ("pending", "dispatched", "processing", "completed", "failed", "cancelled")
REGION = "emulator-local"
_ROUNDING_SLACK = 1e-9
"""Emulated seconds: float rounding must not keep a job a hair short of its next phase."""


@dataclass(frozen=True)
class EmulatedStream:
    """One stream of a job: a `start` … `end` span of one script."""

    stream_id: str
    script_index: int
    duration_seconds: float
    events: tuple[dict[str, Any], ...]
    error_message: str | None = None

    @property
    def frame_count(self) -> int:
        return round(self.duration_seconds * FRAMES_PER_SECOND)

    @property
    def failed(self) -> bool:
        return self.error_message is not None


@dataclass
class EmulatedJob:
    """A submitted job. Everything but `cancelled_at` is fixed at submission."""

    job_id: str
    owner: str
    ordinal: int
    created_at: float
    portrait: bool
    streams: tuple[EmulatedStream, ...]
    error_message: str | None
    """The message the job fails with, or None when it will complete."""
    script_url: str | None = None
    bypass_prompt_expansion: bool = False
    cancelled_at: float | None = field(default=None)


@dataclass(frozen=True)
class JobPhase:
    """What a job looks like at one moment (times are Unix seconds)."""

    status: str
    dispatched_at: float | None
    started_at: float | None
    completed_at: float | None


def phase_at(job: EmulatedJob, now: float, config: EmulatorConfig) -> JobPhase:
    """The status and timestamps of `job` at real time `now`."""
    until = now if job.cancelled_at is None else min(now, job.cancelled_at)
    elapsed = max(0.0, until - job.created_at) * config.speed + _ROUNDING_SLACK
    dispatch = config.pending_seconds
    start = dispatch + config.dispatched_seconds
    finish = start + config.processing_seconds

    def real(emulated: float) -> float:
        return job.created_at + emulated / config.speed

    dispatched_at = real(dispatch) if elapsed >= dispatch else None
    started_at = real(start) if elapsed >= start else None
    if job.cancelled_at is not None:
        return JobPhase("cancelled", dispatched_at, None, job.cancelled_at)
    if elapsed >= finish:
        status = "failed" if job.error_message is not None else "completed"
        return JobPhase(status, dispatched_at, started_at, real(finish))
    if started_at is not None:
        return JobPhase("processing", dispatched_at, started_at, None)
    if dispatched_at is not None:
        return JobPhase("dispatched", dispatched_at, None, None)
    return JobPhase("pending", None, None, None)


def split_streams(script: list[ScriptEntry]) -> list[tuple[float, tuple[dict[str, Any], ...]]]:
    """The streams of one script: each `start` up to its `end` (or the next `start`).

    Returns (duration in seconds, the stream's events with timestamps relative to its start).
    """
    streams: list[tuple[float, tuple[dict[str, Any], ...]]] = []
    current: list[ScriptEntry] = []

    def close() -> None:
        if current:
            first = current[0].timestamp_ms
            duration = (current[-1].timestamp_ms - first) / 1000
            events = tuple(_event(entry, first) for entry in current)
            streams.append((max(duration, MIN_STREAM_SECONDS), events))
            current.clear()

    for entry in sorted(script, key=lambda e: e.timestamp_ms):
        if entry.start is not None:
            close()
            current.append(entry)
        elif current:
            current.append(entry)
            if entry.end is not None:
                close()
    close()
    return streams


def _event(entry: ScriptEntry, origin_ms: int) -> dict[str, Any]:
    at = entry.timestamp_ms - origin_ms
    if entry.start is not None:
        return {
            "timestamp_ms": at,
            "type": "start",
            "prompt": entry.start.prompt,
            "has_image": entry.start.image is not None,
        }
    if entry.interact is not None:
        return {"timestamp_ms": at, "type": "interact", "prompt": entry.interact.prompt}
    return {"timestamp_ms": at, "type": "end"}


def plan_streams(
    request: SimulationRequest, stream_failures: list[bool], job_failed: bool
) -> tuple[EmulatedStream, ...]:
    """The streams `request` produces; `stream_failures[i]` says whether the i-th one fails.

    `stream_failures` may be shorter than the number of streams (missing ones succeed). When
    the whole job fails, every stream fails.
    """
    scripts: list[list[ScriptEntry]]
    if request.scripts is not None:
        scripts = request.scripts
    elif request.script is not None:
        scripts = [request.script]
    else:
        scripts = []
    spans: list[tuple[int, float, tuple[dict[str, Any], ...]]] = [
        (index, duration, events)
        for index, script in enumerate(scripts)
        for duration, events in split_streams(script)
    ]
    if request.script_url is not None:
        hosted = ({"timestamp_ms": 0, "type": "start", "prompt": request.script_url},)
        spans = [(0, 10.0, hosted)]
    streams = []
    for position, (index, duration, events) in enumerate(spans):
        fails = job_failed or (position < len(stream_failures) and stream_failures[position])
        message = (
            f"Emulated failure: stream {position + 1} of script {index} could not be rendered"
            if fails
            else None
        )
        streams.append(EmulatedStream(str(uuid.uuid4()), index, duration, events, message))
    return tuple(streams)
