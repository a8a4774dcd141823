"""Every Simulate API request, described as a value: method, path, query, body, answer model.

Building a request never does I/O, so the sync and async clients share it. Arguments are
checked here, before anything is sent: a bad argument raises `InvalidRequestError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from odyssey_dsl.client.errors import InvalidRequestError
from odyssey_dsl.client.server_text import printable
from odyssey_dsl.client.wire import (
    CancelResult,
    JobList,
    JobStatus,
    JobSummary,
    Recording,
    StreamRecording,
    StreamRecordingList,
    SubmittedJob,
    job_id_problem,
)
from odyssey_dsl.emit.models import Job, SimulationRequest

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_PAGE_SIZE = 100
MAX_STREAM_ID_LENGTH = 1000
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
        f"/simulation-jobs/{_job_id_part(job_id)}",
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
        f"/simulation-jobs/{_job_id_part(job_id)}",
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
        f"/recordings/{_stream_id_part(stream_id)}",
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


MAX_LISTED = 100_000
"""Walking every page stops after this many items, whatever the server's `total` says."""

PageT = TypeVar("PageT", JobList, StreamRecordingList)
ItemT = TypeVar("ItemT")


def clip_page(page: PageT, limit: int) -> PageT:
    """`page` with at most `limit` items: a server that sends more than asked is cut short."""
    if isinstance(page, JobList):
        if len(page.jobs) > limit:
            return page.model_copy(update={"jobs": page.jobs[:limit]})
    elif len(page.recordings) > limit:
        return page.model_copy(update={"recordings": page.recordings[:limit]})
    return page


class Pages(Generic[PageT, ItemT]):
    """Walks a paged listing (`GET /simulation-jobs`, `GET /stream-recordings`) page by page;
    shared by both clients' `iter_simulations` and `iter_stream_recordings`.

    Ask `next_call()` for the next request (None when done) and hand its answer to `accept()`,
    which returns the items not seen before (a job created meanwhile shifts the pages by one,
    which would otherwise repeat a job). The walk ends at the server's `total`, at an empty
    page, at a page that brings nothing new (a server that keeps sending the same page, or
    claims a `total` it never reaches), or after `MAX_LISTED` items. A page with more items
    than asked for is cut to the page size.
    """

    def __init__(
        self,
        call_at: Callable[[int, int], ApiCall[PageT]],
        items_of: Callable[[PageT], Sequence[ItemT]],
        key_of: Callable[[ItemT], str],
        page_size: int,
    ) -> None:
        _check_page(page_size, 0)
        self._call_at: Callable[[int, int], ApiCall[PageT]] = call_at
        self._items_of: Callable[[PageT], Sequence[ItemT]] = items_of
        self._key_of: Callable[[ItemT], str] = key_of
        self._page_size = page_size
        self._offset: int | None = 0
        self._seen: set[str] = set()

    def next_call(self) -> ApiCall[PageT] | None:
        if self._offset is None:
            return None
        return self._call_at(self._page_size, self._offset)

    def accept(self, page: PageT) -> list[ItemT]:
        assert self._offset is not None, "accept() after the last page"
        items = self._items_of(page)[: self._page_size]
        fresh = []
        for item in items:
            key = self._key_of(item)
            if key not in self._seen and len(self._seen) < MAX_LISTED:
                self._seen.add(key)
                fresh.append(item)
        following = self._offset + len(items)
        if fresh and following < page.total and len(self._seen) < MAX_LISTED:
            self._offset = following
        else:
            self._offset = None
        return fresh


def job_pages(
    *, status: str | None, active: bool | None, page_size: int
) -> Pages[JobList, JobSummary]:
    """Every page of your jobs (see `Pages`)."""
    return Pages(
        lambda limit, offset: list_jobs_call(
            status=status, active=active, limit=limit, offset=offset
        ),
        lambda page: page.jobs,
        lambda job: job.job_id,
        page_size,
    )


def recording_pages(*, page_size: int) -> Pages[StreamRecordingList, StreamRecording]:
    """Every page of your stream recordings (see `Pages`)."""
    return Pages(
        lambda limit, offset: list_recordings_call(limit=limit, offset=offset),
        lambda page: page.recordings,
        lambda recording: recording.stream_id,
        page_size,
    )


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


def _job_id_part(job_id: str) -> str:
    problem = job_id_problem(job_id) if isinstance(job_id, str) else "it is not a string"
    if problem is not None:
        shown = printable(str(job_id), max_chars=80)
        raise InvalidRequestError(f"'{shown}' is not a job id: {problem}")
    return quote(job_id, safe="")


def _stream_id_part(stream_id: str) -> str:
    if not isinstance(stream_id, str) or not stream_id.strip():
        raise InvalidRequestError("the stream id is empty")
    if stream_id in (".", "..") or len(stream_id) > MAX_STREAM_ID_LENGTH:
        shown = printable(stream_id, max_chars=80)
        raise InvalidRequestError(f"'{shown}' is not a stream id")
    return quote(stream_id, safe="")


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequestError(f"the page size must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise InvalidRequestError("the offset cannot be negative")
