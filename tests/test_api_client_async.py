"""The asyncio API client (`AsyncOdysseyClient`) against the emulator, over real HTTP on loopback.

It runs the same flows as the blocking client (tested in depth in test_api_client.py); these
tests prove the async I/O around them: every method, concurrency sharing one sign-in, token
refresh, faults on reads and submissions, and the typed endings of `wait()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from odyssey_dsl.client import AsyncOdysseyClient
from odyssey_dsl.client.errors import (
    CannotCancelError,
    JobCancelledError,
    JobFailedError,
    MissingAPIKeyError,
    NetworkError,
    NotFoundError,
    OdysseyError,
    RateLimitedError,
    RequestTimeoutError,
    WaitTimeoutError,
)
from odyssey_dsl.emit.models import EndAction, Job, ScriptEntry, StartAction
from odyssey_dsl.emulator.config import EmulatorConfig, PlannedFault
from odyssey_dsl.emulator.server import RunningEmulator, running_emulator
from odyssey_dsl.emulator.state import EmulatorState, RequestRecord

KEY = "ody_SECRET_async_canary_7"
POST_JOBS = "POST /simulation-jobs"
GET_JOB = "GET /simulation-jobs/{job_id}"
LIST_JOBS = "GET /simulation-jobs"
TOKEN = "POST /auth/token"

Factory = Callable[..., RunningEmulator]


def fast(*plan: tuple[Any, ...], **changes: Any) -> EmulatorConfig:
    settings: dict[str, Any] = {
        "pending_seconds": 0.05,
        "dispatched_seconds": 0.05,
        "processing_seconds": 0.1,
        "fault_plan": tuple(PlannedFault(*p) for p in plan),
    }
    settings.update(changes)
    return EmulatorConfig(**settings)


def job(streams: int = 1) -> Job:
    scripts = [
        [
            ScriptEntry(timestamp_ms=0, start=StartAction(prompt=f"a lighthouse {n}")),
            ScriptEntry(timestamp_ms=2000, end=EndAction()),
        ]
        for n in range(streams)
    ]
    return Job(scripts=scripts) if streams > 1 else Job(script=scripts[0])


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def recording_sleep(delays: list[float]) -> Callable[[float], Coroutine[Any, Any, None]]:
    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    return sleep


def logged(state: EmulatorState, endpoint: str, count: int) -> list[RequestRecord]:
    """The requests to `endpoint` once at least `count` are logged (the log trails answers)."""
    deadline = time.monotonic() + 3
    while len(state.requests_to(endpoint)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return state.requests_to(endpoint)


def test_every_method(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())

    async def scenario() -> None:
        async with AsyncOdysseyClient(KEY, api_url=emu.url) as client:
            assert emu.url in repr(client) and KEY not in repr(client)
            submitted = await client.simulate(job(streams=2), portrait=False)
            assert emu.state.jobs[submitted.job_id].portrait is False
            status = await client.get_status(submitted.job_id)
            assert status.job_id == submitted.job_id
            updates: list[str] = []
            final = await client.wait(
                submitted.job_id, poll_interval=0.03, on_update=lambda s: updates.append(s.status)
            )
            assert final.status == "completed" and updates[-1] == "completed"
            assert len(final.streams) == 2

            recording = await client.get_recording(final.streams[1].stream_id)
            assert recording.video_url is not None and recording.video_url.startswith(emu.url)
            recordings = await client.list_stream_recordings(limit=1, offset=1)
            assert recordings.total == 2 and len(recordings.recordings) == 1

            pending = await client.simulate(script_url="https://example.com/script.json")
            cancelled = await client.cancel(pending.job_id)
            assert cancelled.status == "cancelled"
            with pytest.raises(JobCancelledError):
                await client.wait(pending.job_id, poll_interval=0.03)
            with pytest.raises(CannotCancelError):
                await client.cancel(submitted.job_id)

            page = await client.list_simulations(limit=1)
            assert page.total == 2 and len(page.jobs) == 1
            walked = [summary.job_id async for summary in client.iter_simulations(page_size=1)]
            assert sorted(walked) == sorted([submitted.job_id, pending.job_id])
            with pytest.raises(NotFoundError):
                await client.get_status("nope")

    run(scenario())
    assert len(emu.state.requests_to(TOKEN)) == 1


def test_concurrent_jobs_share_one_sign_in(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())

    async def scenario() -> list[str]:
        gate = asyncio.Semaphore(8)
        async with AsyncOdysseyClient(KEY, api_url=emu.url) as client:

            async def one() -> str:
                async with gate:
                    submitted = await client.simulate(job())
                    final = await client.wait(submitted.job_id, poll_interval=0.05)
                    return final.status

            return await asyncio.gather(*(one() for _ in range(24)))

    started = time.monotonic()
    assert run(scenario()) == ["completed"] * 24
    assert time.monotonic() - started < 5
    assert emu.state.job_count == 24
    assert len(emu.state.requests_to(POST_JOBS)) == 24
    assert len(emu.state.requests_to(TOKEN)) == 1


def test_expired_tokens_are_renewed_once_for_all_tasks(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(token_expires_in=2.0))

    async def scenario() -> None:
        async with AsyncOdysseyClient(KEY, api_url=emu.url) as client:
            await client.list_simulations()
            await asyncio.sleep(1.1)  # past the renewal point (half of a short lifetime)
            await asyncio.gather(*(client.list_stream_recordings() for _ in range(10)))

    run(scenario())
    assert len(emu.state.requests_to(TOKEN)) == 2
    assert 401 not in [r.status_code for r in emu.state.requests]


def test_refused_token_is_renewed_once() -> None:
    skew = [0.0]
    config = fast()
    state = EmulatorState(config, clock=lambda: time.time() + skew[0])

    async def scenario(url: str) -> None:
        async with AsyncOdysseyClient(KEY, api_url=url) as client:
            await client.list_simulations()
            skew[0] = 7200.0
            assert (await client.list_simulations()).total == 0

    with running_emulator(config, state=state) as emu:
        run(scenario(emu.url))
        assert [r.status_code for r in logged(state, LIST_JOBS, 3)] == [200, 401, 200]
        assert len(state.requests_to(TOKEN)) == 2


def test_reads_survive_faults(emulator_factory: Factory) -> None:
    emu = emulator_factory(
        fast(
            (GET_JOB, 1, "unavailable", 0.5),
            (GET_JOB, 2, "drop"),
            (GET_JOB, 3, "slow", 1.5),
            (LIST_JOBS, 1, "rate_limit", 2.0),
        )
    )
    delays: list[float] = []

    async def scenario() -> None:
        async with AsyncOdysseyClient(
            KEY, api_url=emu.url, timeout=0.5, sleep=recording_sleep(delays)
        ) as client:
            submitted = await client.simulate(job())
            assert (await client.get_status(submitted.job_id)).job_id == submitted.job_id
            assert (await client.list_simulations()).total == 1

    run(scenario())
    assert delays[0] == 0.5 and delays[-1] == 2.0 and len(delays) == 4
    assert len(logged(emu.state, GET_JOB, 4)) == 4


def test_submission_faults(emulator_factory: Factory) -> None:
    emu = emulator_factory(
        fast(
            (POST_JOBS, 1, "rate_limit", 0.25),
            (POST_JOBS, 3, "drop_after"),
            (POST_JOBS, 4, "slow", 1.2),
        )
    )
    delays: list[float] = []

    async def scenario() -> list[OdysseyError]:
        errors: list[OdysseyError] = []
        async with AsyncOdysseyClient(
            KEY, api_url=emu.url, timeout=0.5, sleep=recording_sleep(delays)
        ) as client:
            first = await client.simulate(job())  # 429, waited out, then accepted
            assert first.job_id in emu.state.jobs
            for _ in range(2):
                try:
                    await client.simulate(job())
                except OdysseyError as error:
                    errors.append(error)
        return errors

    dropped, timed_out = run(scenario())
    assert delays == [0.25]
    assert isinstance(dropped, NetworkError) and dropped.maybe_submitted
    assert isinstance(timed_out, RequestTimeoutError) and timed_out.maybe_submitted
    time.sleep(1.2)  # let the emulator finish the request the client gave up on
    assert len(logged(emu.state, POST_JOBS, 4)) == 4
    assert 2 <= emu.state.job_count <= 3  # never more jobs than submissions that got through
    for error in (dropped, timed_out):
        assert KEY not in str(error) + repr(error)


def test_endless_rate_limit_is_reported(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(*[(LIST_JOBS, n, "rate_limit", 0.1) for n in (1, 2, 3)]))

    async def scenario() -> None:
        async with AsyncOdysseyClient(
            KEY, api_url=emu.url, max_retries=2, sleep=recording_sleep([])
        ) as client:
            await client.list_simulations()

    with pytest.raises(RateLimitedError) as raised:
        run(scenario())
    assert raised.value.retry_after == 0.1
    assert len(logged(emu.state, LIST_JOBS, 3)) == 3


def test_failed_job_and_wait_timeout(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(failing_streams=frozenset({(1, 0)}), pending_seconds=0.05))
    slow = emulator_factory(fast(pending_seconds=60))

    async def scenario() -> tuple[JobFailedError, WaitTimeoutError]:
        async with AsyncOdysseyClient(KEY, api_url=emu.url) as client:
            failing = await client.simulate(job(streams=2))
            with pytest.raises(JobFailedError) as failed:
                await client.wait(failing.job_id, poll_interval=0.03)
        async with AsyncOdysseyClient(KEY, api_url=slow.url) as client:
            waiting = await client.simulate(job())
            with pytest.raises(WaitTimeoutError) as timed_out:
                await client.wait(waiting.job_id, poll_interval=0.03, timeout=0.2)
        return failed.value, timed_out.value

    failed, timed_out = run(scenario())
    broken = [s for s in failed.status.streams if s.failure_message]
    assert len(broken) == 1 and broken[0].stream_id in str(failed)
    assert failed.status.error_message is not None and failed.status.error_message in str(failed)
    assert timed_out.last_status is not None and timed_out.last_status.status == "pending"


def test_missing_key_fails_before_any_request(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(fast())
    monkeypatch.delenv("ODYSSEY_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="ODYSSEY_API_KEY"):
        AsyncOdysseyClient(api_url=emu.url)
    assert emu.state.request_count == 0
