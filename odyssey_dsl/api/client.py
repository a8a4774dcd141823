"""`OdysseyClient` and `AsyncOdysseyClient` (skeleton: signatures of the agreed interface)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from types import TracebackType
from typing import Any

import httpx

from odyssey_dsl.api.wire import (
    CancelResult,
    JobList,
    JobStatus,
    JobSummary,
    Recording,
    StreamRecordingList,
    SubmittedJob,
)
from odyssey_dsl.models import Job

DEFAULT_API_URL = "https://api.odyssey.ml"

ScriptLike = Sequence[Any]


class OdysseyClient:
    """Synchronous client of the Simulate API."""

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
        raise NotImplementedError

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
        raise NotImplementedError

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
        raise NotImplementedError

    def get_status(self, job_id: str) -> JobStatus:
        raise NotImplementedError

    def list_simulations(
        self,
        *,
        status: str | None = None,
        active: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> JobList:
        raise NotImplementedError

    def iter_simulations(
        self, *, status: str | None = None, active: bool | None = None, page_size: int = 100
    ) -> Iterator[JobSummary]:
        raise NotImplementedError

    def cancel(self, job_id: str) -> CancelResult:
        raise NotImplementedError

    def get_recording(self, stream_id: str) -> Recording:
        raise NotImplementedError

    def list_stream_recordings(self, *, limit: int = 20, offset: int = 0) -> StreamRecordingList:
        raise NotImplementedError

    def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        raise NotImplementedError


class AsyncOdysseyClient:
    """Asynchronous client of the Simulate API (same methods, awaitable)."""

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
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        raise NotImplementedError

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
        raise NotImplementedError

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
        raise NotImplementedError

    async def get_status(self, job_id: str) -> JobStatus:
        raise NotImplementedError

    async def list_simulations(
        self,
        *,
        status: str | None = None,
        active: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> JobList:
        raise NotImplementedError

    def iter_simulations(
        self, *, status: str | None = None, active: bool | None = None, page_size: int = 100
    ) -> AsyncIterator[JobSummary]:
        raise NotImplementedError

    async def cancel(self, job_id: str) -> CancelResult:
        raise NotImplementedError

    async def get_recording(self, stream_id: str) -> Recording:
        raise NotImplementedError

    async def list_stream_recordings(
        self, *, limit: int = 20, offset: int = 0
    ) -> StreamRecordingList:
        raise NotImplementedError

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        raise NotImplementedError
