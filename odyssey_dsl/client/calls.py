"""Every Simulate API request, described as a value: method, path, query, body, answer model.

Building a request never does I/O, so the sync and async clients share it. Arguments are
checked here, before anything is sent: a bad argument raises `InvalidRequestError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from odyssey_dsl.client.errors import InvalidRequestError
from odyssey_dsl.client.wire import (
    CancelResult,
    JobList,
    JobStatus,
    JobSummary,
    Recording,
    StreamRecordingList,
    SubmittedJob,
)
from odyssey_dsl.emit.models import Job, SimulationRequest

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_PAGE_SIZE = 100
SUBMIT_PATH = "/simulation-jobs"
JOB_NOT_FOUND_HINT = "check the job id (`odyc jobs list` shows your jobs)"


class TokenGrant(BaseModel):
    """The answer to `POST /auth/token`."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)
    access_token: str
    expires_in: float = 600.0

    def __repr__(self) -> str:
        return f"TokenGrant(expires_in={self.expires_in!r})"


@dataclass(frozen=True)
class ApiCall(Generic[ModelT]):
    """One request and how to read its answer."""

    method: str
    path: str
    answer: type[ModelT]
    action: str
    """What the call does, for messages: "submit the job", "cancel job 'abc'"."""
    params: Mapping[str, str | int] = field(default_factory=dict)
    body: Any = field(default=None, repr=False)
    authenticated: bool = True
    repeatable: bool = True
    """Whether repeating the request is harmless (False for a job submission)."""
    subject: str | None = None
    """The job or recording the call is about, for 404/403 messages."""
    kind: str = "other"
    """"auth", "submit", "cancel" or "other": decides how an error answer reads."""
    not_found_hint: str = "check the id"
    """What to do about a 404."""


def token_call(api_key: str) -> ApiCall[TokenGrant]:
    """`POST /auth/token`: exchange the API key for a bearer token.

    Repeatable: asking for a token twice only yields two tokens.
    """
    return ApiCall(
        "POST",
        "/auth/token",
        TokenGrant,
        "sign in with the API key",
        body={"api_key": api_key},
        authenticated=False,
        kind="auth",
    )


def submit_call(
    job: Job | None = None,
    *,
    script: Sequence[Any] | None = None,
    scripts: Sequence[Sequence[Any]] | None = None,
    script_url: str | None = None,
    portrait: bool | None = None,
    bypass_prompt_expansion: bool = False,
) -> ApiCall[SubmittedJob]:
    """`POST /simulation-jobs` with exactly one of a compiled `job`, `script`, `scripts` or
    `script_url`. `portrait` overrides the job's; `bypass_prompt_expansion` adds
    `"bypass_vlm_expansion": true` (the key is left out otherwise, as the official SDK does)."""
    given = [
        name
        for name, value in (
            ("job", job),
            ("script", script),
            ("scripts", scripts),
            ("script_url", script_url),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidRequestError(
            "a submission needs exactly one of a compiled job, 'script', 'scripts' or "
            f"'script_url' (got {', '.join(given) if given else 'none'})"
        )
    fields: dict[str, Any] = {}
    if job is not None:
        fields = job.model_dump(mode="json", exclude_none=True)
        if portrait is None:
            portrait = job.portrait
    elif script is not None:
        fields["script"] = list(script)
    elif scripts is not None:
        fields["scripts"] = [list(s) for s in scripts]
    else:
        fields["script_url"] = script_url
    fields["portrait"] = True if portrait is None else portrait
    fields["output_video"] = True
    if bypass_prompt_expansion:
        fields["bypass_vlm_expansion"] = True
    try:
        request = SimulationRequest.model_validate(fields)
    except PydanticValidationError as error:
        raise InvalidRequestError(
            f"the job cannot be submitted: {describe_validation_errors(error.errors())}"
        ) from None
    return ApiCall(
        "POST",
        SUBMIT_PATH,
        SubmittedJob,
        "submit the job",
        body=request.model_dump(mode="json", exclude_none=True),
        repeatable=False,
        kind="submit",
    )


def status_call(job_id: str) -> ApiCall[JobStatus]:
    """`GET /simulation-jobs/{job_id}`."""
    return ApiCall(
        "GET",
        f"/simulation-jobs/{_path_part(job_id, 'job id')}",
        JobStatus,
        f"get the status of job {job_id!r}",
        subject=f"simulation job {job_id!r}",
        not_found_hint=JOB_NOT_FOUND_HINT,
    )


def list_jobs_call(
    *, status: str | None = None, active: bool | None = None, limit: int = 20, offset: int = 0
) -> ApiCall[JobList]:
    """`GET /simulation-jobs?status=&active=true&limit=&offset=`."""
    _check_page(limit, offset)
    params: dict[str, str | int] = {}
    if status:
        params["status"] = status
    if active:
        params["active"] = "true"
    params["limit"] = limit
    params["offset"] = offset
    return ApiCall("GET", "/simulation-jobs", JobList, "list your jobs", params=params)


def cancel_call(job_id: str) -> ApiCall[CancelResult]:
    """`DELETE /simulation-jobs/{job_id}` (cancelling twice is harmless, so it is repeatable)."""
    return ApiCall(
        "DELETE",
        f"/simulation-jobs/{_path_part(job_id, 'job id')}",
        CancelResult,
        f"cancel job {job_id!r}",
        subject=f"simulation job {job_id!r}",
        kind="cancel",
        not_found_hint=JOB_NOT_FOUND_HINT,
    )


def recording_call(stream_id: str) -> ApiCall[Recording]:
    """`GET /recordings/{stream_id}`."""
    return ApiCall(
        "GET",
        f"/recordings/{_path_part(stream_id, 'stream id')}",
        Recording,
        f"get the recording of stream {stream_id!r}",
        subject=f"the recording of stream {stream_id!r}",
        not_found_hint="check the stream id (`odyc jobs status JOB_ID` lists a job's streams)",
    )


def list_recordings_call(*, limit: int = 20, offset: int = 0) -> ApiCall[StreamRecordingList]:
    """`GET /stream-recordings?limit=&offset=`."""
    _check_page(limit, offset)
    return ApiCall(
        "GET",
        "/stream-recordings",
        StreamRecordingList,
        "list your stream recordings",
        params={"limit": limit, "offset": offset},
    )


class JobPages:
    """Walks `GET /simulation-jobs` page by page; shared by both clients' `iter_simulations`.

    Ask `next_call()` for the next request (None when done) and hand its answer to `accept()`,
    which returns the jobs not seen before (a job created meanwhile shifts the pages by one,
    which would otherwise repeat a job).
    """

    def __init__(self, *, status: str | None, active: bool | None, page_size: int) -> None:
        _check_page(page_size, 0)
        self._status = status
        self._active = active
        self._page_size = page_size
        self._offset: int | None = 0
        self._seen: set[str] = set()

    def next_call(self) -> ApiCall[JobList] | None:
        if self._offset is None:
            return None
        return list_jobs_call(
            status=self._status, active=self._active, limit=self._page_size, offset=self._offset
        )

    def accept(self, page: JobList) -> list[JobSummary]:
        assert self._offset is not None, "accept() after the last page"
        fresh = [job for job in page.jobs if job.job_id not in self._seen]
        self._seen.update(job.job_id for job in fresh)
        following = self._offset + len(page.jobs)
        self._offset = following if page.jobs and following < page.total else None
        return fresh


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """One line from pydantic/FastAPI-style errors: `where: what; where: what`.

    The offending input is left out on purpose: it may be a secret.
    """
    parts = []
    for item in errors:
        location = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
        message = str(item.get("msg", "invalid value"))
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) if parts else "invalid request"


def _path_part(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"the {what} is empty")
    return quote(value, safe="")


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequestError(f"the page size must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise InvalidRequestError("the offset cannot be negative")
