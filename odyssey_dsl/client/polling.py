"""Waiting for a job: how often to poll, and what a final status means.

Polling starts at the caller's interval and slows down (×1.5 per unchanged poll, up to 4× the
interval, or 60 s for short intervals, whichever is smaller, but never below the interval
itself) so that a long job does not hammer the server; a status change brings it back to the
interval. Shared by the sync and async clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from odyssey_dsl.client.errors import (
    JobCancelledError,
    JobFailedError,
    NetworkError,
    OdysseyError,
    RateLimitedError,
    ServerError,
)
from odyssey_dsl.client.server_text import printable
from odyssey_dsl.client.wire import JobStatus

POLL_GROWTH = 1.5
POLL_MAX_FACTOR = 4.0
POLL_MAX_SECONDS = 60.0
MAX_FAILED_POLLS = 3
"""Consecutive polls (each already retried) that may fail before `wait()` gives up."""


def poll_ceiling(poll_interval: float) -> float:
    """The longest pause between two polls."""
    return max(poll_interval, min(poll_interval * POLL_MAX_FACTOR, POLL_MAX_SECONDS))


@dataclass
class PollSchedule:
    """The pauses between polls: back off while nothing changes, reset on a change."""

    poll_interval: float
    _next: float = field(init=False)
    _last_status: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if not self.poll_interval > 0:
            raise ValueError("poll_interval must be a positive number of seconds")
        self._next = self.poll_interval

    def after_poll(self, status: str | None) -> float:
        """The pause after a poll that saw `status` (None: the poll failed)."""
        if status is not None and status != self._last_status:
            self._last_status = status
            self._next = self.poll_interval
        pause = self._next
        growth = POLL_GROWTH if status is not None else 2.0
        self._next = min(self._next * growth, poll_ceiling(self.poll_interval))
        return pause


def settle(status: JobStatus) -> JobStatus:
    """`status` if the job completed; JobFailedError / JobCancelledError if it did not.

    Call only with a terminal status.
    """
    if status.status == "completed":
        return status
    if status.status == "cancelled":
        raise JobCancelledError(f"job {status.job_id} was cancelled", status)
    raise JobFailedError(failure_message(status), status)


def failure_message(status: JobStatus) -> str:
    """Why a job failed: its `error_message` and each failed stream's, one line each.

    The server's text is shown with control characters escaped and cut after
    `MAX_SHOWN_CHARS` characters (the complete messages stay in `status`).
    """
    reason = printable(status.error_message) if status.error_message else None
    lines = [f"job {status.job_id} failed: {reason or 'the server gave no reason'}"]
    for number, stream in enumerate(status.streams):
        why = stream.failure_message
        if why is None and stream.status != "failed":
            continue
        index = stream.script_index if stream.script_index is not None else number
        shown = printable(why) if why else "failed, no reason given"
        lines.append(
            f"  stream {printable(stream.stream_id, max_chars=200)} (script {index}): {shown}"
        )
    return "\n".join(lines)


def is_transient(error: OdysseyError) -> bool:
    """Whether a failed poll is worth repeating later in `wait()` (the job itself goes on)."""
    return isinstance(error, NetworkError | RateLimitedError | ServerError)
