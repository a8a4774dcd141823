"""Pydantic models of the Simulate API's JSON responses.

The shapes are those of the official JavaScript SDK (`@odysseyml/odyssey` 1.3.1). Every model
accepts fields it does not know (`extra="allow"`), so a server that adds fields does not break
the client; fields a server may omit have defaults. Timestamps are kept as the strings the
server sent.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
"""Statuses after which a job never changes again."""

KNOWN_STATUSES: frozenset[str] = frozenset(
    {"pending", "dispatched", "processing", "running", "completed", "failed", "cancelled"}
)
"""Every status the API documents (`running` appears in the prose docs only)."""

MAX_JOB_ID_LENGTH = 128
JOB_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:~-]*$"
"""What a job id may look like: letters, digits and `. _ : ~ -`, starting with a letter or a
digit (so never `.`, `..` or something that reads as an option), at most 128 characters.
The API's ids are UUIDs; an answer with any other kind of id is refused before odyc prints
it, writes it to its journal or puts it into a URL."""

JobId = Annotated[str, StringConstraints(max_length=MAX_JOB_ID_LENGTH, pattern=JOB_ID_PATTERN)]

_TOLERANT = ConfigDict(extra="allow")


def job_id_problem(job_id: str) -> str | None:
    """Why `job_id` is not a job id (see `JOB_ID_PATTERN`), or None when it is one."""
    if not job_id:
        return "it is empty"
    if len(job_id) > MAX_JOB_ID_LENGTH:
        return f"it is {len(job_id)} characters long (at most {MAX_JOB_ID_LENGTH})"
    if re.fullmatch(JOB_ID_PATTERN, job_id) is None:
        return (
            "a job id has only letters, digits and . _ : ~ -, and starts with a letter or a digit"
        )
    return None


class SubmittedJob(BaseModel):
    """The answer to `POST /simulation-jobs`."""

    model_config = _TOLERANT
    job_id: JobId
    status: str = "pending"
    priority: str | None = None
    created_at: str | None = None
    estimated_wait_minutes: float | None = None


class Recording(BaseModel):
    """The answer to `GET /recordings/{stream_id}`: presigned URLs, valid for about an hour."""

    model_config = _TOLERANT
    stream_id: str
    video_url: str | None = None
    events_url: str | None = None
    thumbnail_url: str | None = None
    preview_url: str | None = None
    frame_count: int | None = None
    duration_seconds: float | None = None


class StreamInfo(Recording):
    """One stream (one `start … end` pair) of a job, with its recording once completed."""

    script_index: int | None = None
    status: str | None = None
    error_message: str | None = None
    error: str | None = None

    @property
    def failure_message(self) -> str | None:
        """Why this stream failed, if the server said (`error_message`, else `error`)."""
        return self.error_message or self.error


class JobStatus(BaseModel):
    """The answer to `GET /simulation-jobs/{job_id}`."""

    model_config = _TOLERANT
    job_id: JobId
    status: str
    priority: str | None = None
    created_at: str | None = None
    dispatched_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    error_message: str | None = None
    assigned_region: str | None = None
    retry_count: int = 0
    streams: list[StreamInfo] = Field(default_factory=list)

    @property
    def is_terminal(self) -> bool:
        """True once the job is completed, failed or cancelled."""
        return self.status in TERMINAL_STATUSES

    @property
    def is_known_status(self) -> bool:
        """False for a status the API does not document (treated as still in progress)."""
        return self.status in KNOWN_STATUSES


class JobSummary(BaseModel):
    """One job of `GET /simulation-jobs`."""

    model_config = _TOLERANT
    job_id: JobId
    status: str
    priority: str | None = None
    created_at: str | None = None
    completed_at: str | None = None
    error_message: str | None = None


class JobList(BaseModel):
    """One page of `GET /simulation-jobs`."""

    model_config = _TOLERANT
    jobs: list[JobSummary] = Field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0


class CancelResult(BaseModel):
    """The answer to `DELETE /simulation-jobs/{job_id}`."""

    model_config = _TOLERANT
    job_id: JobId
    status: str


class StreamRecording(BaseModel):
    """One stream of `GET /stream-recordings`."""

    model_config = _TOLERANT
    stream_id: str
    width: int | None = None
    height: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    duration_seconds: float | None = None


class StreamRecordingList(BaseModel):
    """One page of `GET /stream-recordings`."""

    model_config = _TOLERANT
    recordings: list[StreamRecording] = Field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0
