"""`OdysseyClient` (blocking) and `AsyncOdysseyClient` (asyncio): the Simulate API on httpx.

Both run the same I/O-free flows (`odyssey_dsl.client.protocol`); all they add is the I/O:
sending a request, sleeping, and making sure concurrent calls share one sign-in.

    with OdysseyClient() as client:               # key from ODYSSEY_API_KEY
        submitted = client.simulate(result.job)   # a compiled job
        final = client.wait(submitted.job_id, poll_interval=5)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.client.auth import DEFAULT_API_URL, Secret, resolve_api_key, resolve_api_url
from odyssey_dsl.client.calls import (
    clip_page,
    job_pages,
    list_jobs_call,
    list_recordings_call,
    recording_call,
    recording_pages,
    status_call,
    submit_call,
)
from odyssey_dsl.client.errors import OdysseyError
from odyssey_dsl.client.protocol import Flow, NeedToken, Reply, Send, Session, Sleep, Step
from odyssey_dsl.client.responses import CappedBody
from odyssey_dsl.client.retry import RetryPolicy
from odyssey_dsl.client.wire import (
    CancelResult,
    JobList,
    JobStatus,
    JobSummary,
    Recording,
    StreamRecording,
    StreamRecordingList,
    SubmittedJob,
)
from odyssey_dsl.emit.models import Job

__all__ = ["DEFAULT_API_URL", "AsyncOdysseyClient", "OdysseyClient"]

T = TypeVar("T")

ScriptLike = Sequence[Any]
"""A script: `ScriptEntry` models or their JSON dicts."""

USER_AGENT = f"odyc/{__version__} (python-httpx)"


def _session(
    api_key: str | None,
    api_url: str | None,
    timeout: float,
    max_retries: int,
    backoff_base: float,
    backoff_max: float,
) -> Session:
    # The key is resolved first: a missing key fails here, before any request.
    key = resolve_api_key(api_key)
    policy = RetryPolicy(max_retries, backoff_base, backoff_max)
    return Session(key, resolve_api_url(api_url), timeout=timeout, policy=policy)


def _http_options(session: Session) -> dict[str, Any]:
    return {
        "base_url": session.base_url,
        "timeout": httpx.Timeout(session.timeout),
        "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        "follow_redirects": False,
    }


class OdysseyClient:
    """Blocking client of the Odyssey Simulate API.

    `api_key` defaults to `$ODYSSEY_API_KEY` (MissingAPIKeyError, before any request, if
    neither is set); `api_url` to `$ODYSSEY_API_URL`, else the public API. Every request
    times out after `timeout` seconds. Calls that are safe to repeat are retried up to
    `max_retries` times with capped exponential backoff (`backoff_base` doubling up to
    `backoff_max` seconds); a job submission is retried only when that cannot create a second
    job. `sleep` replaces `time.sleep` (tests). Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._session = _session(api_key, api_url, timeout, max_retries, backoff_base, backoff_max)
        self._http = httpx.Client(transport=transport, **_http_options(self._session))
        self._sleep = sleep or time.sleep
        self._sign_in_lock = threading.Lock()

    @property
    def api_url(self) -> str:
        """The base URL requests go to."""
        return self._session.base_url

    def __repr__(self) -> str:
        return f"OdysseyClient(api_url={self.api_url!r})"

    def __enter__(self) -> OdysseyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def simulate(
        self,
        job: Job | None = None,
        *,
        script: ScriptLike | None = None,
        scripts: Sequence[ScriptLike] | None = None,
        script_url: str | None = None,
        portrait: bool | None = None,
        bypass_prompt_expansion: bool = False,
    ) -> SubmittedJob:
        """Submit a job: a compiled `job`, or exactly one of `script`, `scripts`,
        `script_url`. `portrait` overrides the job's (default portrait);
        `bypass_prompt_expansion` skips the server's prompt expansion."""
        call = submit_call(
            job,
            script=script,
            scripts=scripts,
            script_url=script_url,
            portrait=portrait,
            bypass_prompt_expansion=bypass_prompt_expansion,
        )
        return self._run(self._session.perform(call))

    def get_status(self, job_id: str) -> JobStatus:
        """The job's current status (and its streams' recordings once completed)."""
        return self._run(self._session.perform(status_call(job_id)))

    def list_simulations(
        self,
        *,
        status: str | None = None,
        active: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> JobList:
        """One page of your jobs, newest first; `active` keeps unfinished ones only. A page
        never holds more than `limit` jobs, whatever the server sends."""
        call = list_jobs_call(status=status, active=active, limit=limit, offset=offset)
        return clip_page(self._run(self._session.perform(call)), limit)

    def iter_simulations(
        self, *, status: str | None = None, active: bool | None = None, page_size: int = 100
    ) -> Iterator[JobSummary]:
        """Every one of your jobs, fetching pages of `page_size` as needed (each job once;
        see `calls.Pages` for when the walk stops)."""
        pages = job_pages(status=status, active=active, page_size=page_size)
        while (call := pages.next_call()) is not None:
            yield from pages.accept(self._run(self._session.perform(call)))

    def cancel(self, job_id: str) -> CancelResult:
        """Cancel a pending or dispatched job (CannotCancelError once it is processing or
        finished; a job that is already cancelled is not an error)."""
        return self._run(self._session.cancel(job_id))

    def get_recording(self, stream_id: str) -> Recording:
        """A stream's recording: presigned URLs valid for about an hour."""
        return self._run(self._session.perform(recording_call(stream_id)))

    def list_stream_recordings(self, *, limit: int = 20, offset: int = 0) -> StreamRecordingList:
        """One page of your stream recordings, newest first (at most `limit`)."""
        call = list_recordings_call(limit=limit, offset=offset)
        return clip_page(self._run(self._session.perform(call)), limit)

    def iter_stream_recordings(self, *, page_size: int = 100) -> Iterator[StreamRecording]:
        """Every one of your stream recordings, fetching pages of `page_size` as needed."""
        pages = recording_pages(page_size=page_size)
        while (call := pages.next_call()) is not None:
            yield from pages.accept(self._run(self._session.perform(call)))

    def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        """Poll until the job ends and return its completed status.

        Raises JobFailedError (with the job's and failed streams' messages), JobCancelledError,
        or WaitTimeoutError after `timeout` seconds (the job itself goes on). `on_update` is
        called with every status polled. Polling starts every `poll_interval` seconds and slows
        down while nothing changes.
        """
        flow = self._session.wait(
            job_id, poll_interval=poll_interval, timeout=timeout, on_update=on_update
        )
        return self._run(flow)

    # -- the I/O ----------------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        reply: Reply = None
        failure: OdysseyError | None = None
        try:
            while True:
                step = flow.send(reply) if failure is None else flow.throw(failure)
                try:
                    reply, failure = self._perform(step), None
                except OdysseyError as error:  # a failed sign-in: the flow may sit it out
                    reply, failure = None, error
        except StopIteration as finished:
            result: T = finished.value
            return result
        finally:
            flow.close()

    def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            try:
                return self._send(step)
            except httpx.HTTPError as error:
                return error
        if isinstance(step, Sleep):
            self._sleep(step.seconds)
            return None
        return self._token(step)

    def _send(self, step: Send) -> httpx.Response:
        request = self._http.build_request(
            step.method, step.path, params=step.params, json=step.json, headers=step.headers
        )
        streamed = self._http.send(request, stream=True)
        try:
            body = CappedBody(streamed)
            for chunk in streamed.iter_bytes():
                body.add(chunk)
        finally:
            streamed.close()
        return body.response()

    def _token(self, step: NeedToken) -> Secret:
        with self._sign_in_lock:
            token = self._session.usable_token(step.rejected)
            return token if token is not None else self._run(self._session.sign_in())


class AsyncOdysseyClient:
    """Asyncio client of the Odyssey Simulate API: `OdysseyClient`'s methods, awaitable.

    Safe to share between tasks (concurrent calls share one sign-in). `sleep` replaces
    `asyncio.sleep` (tests). Use as an async context manager, or await `aclose()`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._session = _session(api_key, api_url, timeout, max_retries, backoff_base, backoff_max)
        self._http = httpx.AsyncClient(transport=transport, **_http_options(self._session))
        self._sleep = sleep or asyncio.sleep
        self._sign_in_lock = asyncio.Lock()

    @property
    def api_url(self) -> str:
        """The base URL requests go to."""
        return self._session.base_url

    def __repr__(self) -> str:
        return f"AsyncOdysseyClient(api_url={self.api_url!r})"

    async def __aenter__(self) -> AsyncOdysseyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def simulate(
        self,
        job: Job | None = None,
        *,
        script: ScriptLike | None = None,
        scripts: Sequence[ScriptLike] | None = None,
        script_url: str | None = None,
        portrait: bool | None = None,
        bypass_prompt_expansion: bool = False,
    ) -> SubmittedJob:
        """See `OdysseyClient.simulate`."""
        call = submit_call(
            job,
            script=script,
            scripts=scripts,
            script_url=script_url,
            portrait=portrait,
            bypass_prompt_expansion=bypass_prompt_expansion,
        )
        return await self._run(self._session.perform(call))

    async def get_status(self, job_id: str) -> JobStatus:
        """See `OdysseyClient.get_status`."""
        return await self._run(self._session.perform(status_call(job_id)))

    async def list_simulations(
        self,
        *,
        status: str | None = None,
        active: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> JobList:
        """See `OdysseyClient.list_simulations`."""
        call = list_jobs_call(status=status, active=active, limit=limit, offset=offset)
        return clip_page(await self._run(self._session.perform(call)), limit)

    async def iter_simulations(
        self, *, status: str | None = None, active: bool | None = None, page_size: int = 100
    ) -> AsyncIterator[JobSummary]:
        """See `OdysseyClient.iter_simulations` (use with `async for`)."""
        pages = job_pages(status=status, active=active, page_size=page_size)
        while (call := pages.next_call()) is not None:
            for job in pages.accept(await self._run(self._session.perform(call))):
                yield job

    async def cancel(self, job_id: str) -> CancelResult:
        """See `OdysseyClient.cancel`."""
        return await self._run(self._session.cancel(job_id))

    async def get_recording(self, stream_id: str) -> Recording:
        """See `OdysseyClient.get_recording`."""
        return await self._run(self._session.perform(recording_call(stream_id)))

    async def list_stream_recordings(
        self, *, limit: int = 20, offset: int = 0
    ) -> StreamRecordingList:
        """See `OdysseyClient.list_stream_recordings`."""
        call = list_recordings_call(limit=limit, offset=offset)
        return clip_page(await self._run(self._session.perform(call)), limit)

    async def iter_stream_recordings(
        self, *, page_size: int = 100
    ) -> AsyncIterator[StreamRecording]:
        """See `OdysseyClient.iter_stream_recordings` (use with `async for`)."""
        pages = recording_pages(page_size=page_size)
        while (call := pages.next_call()) is not None:
            for recording in pages.accept(await self._run(self._session.perform(call))):
                yield recording

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        """See `OdysseyClient.wait`."""
        flow = self._session.wait(
            job_id, poll_interval=poll_interval, timeout=timeout, on_update=on_update
        )
        return await self._run(flow)

    # -- the I/O ----------------------------------------------------------------------------

    async def _run(self, flow: Flow[T]) -> T:
        reply: Reply = None
        failure: OdysseyError | None = None
        try:
            while True:
                step = flow.send(reply) if failure is None else flow.throw(failure)
                try:
                    reply, failure = await self._perform(step), None
                except OdysseyError as error:  # a failed sign-in: the flow may sit it out
                    reply, failure = None, error
        except StopIteration as finished:
            result: T = finished.value
            return result
        finally:
            flow.close()

    async def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            try:
                return await self._send(step)
            except httpx.HTTPError as error:
                return error
        if isinstance(step, Sleep):
            await self._sleep(step.seconds)
            return None
        return await self._token(step)

    async def _send(self, step: Send) -> httpx.Response:
        request = self._http.build_request(
            step.method, step.path, params=step.params, json=step.json, headers=step.headers
        )
        streamed = await self._http.send(request, stream=True)
        try:
            body = CappedBody(streamed)
            async for chunk in streamed.aiter_bytes():
                body.add(chunk)
        finally:
            await streamed.aclose()
        return body.response()

    async def _token(self, step: NeedToken) -> Secret:
        async with self._sign_in_lock:
            token = self._session.usable_token(step.rejected)
            return token if token is not None else await self._run(self._session.sign_in())
