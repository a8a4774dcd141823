"""The blocking API client (`OdysseyClient`) against the emulator, over real HTTP on loopback.

Also the client's pure decisions (backoff, Retry-After, poll schedule, request bodies), with
hypothesis where there are invariants. The async client has its own module.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from odyssey_dsl.client import OdysseyClient
from odyssey_dsl.client.auth import Secret, refresh_margin
from odyssey_dsl.client.calls import list_jobs_call, submit_call
from odyssey_dsl.client.errors import (
    AuthenticationError,
    CannotCancelError,
    InvalidRequestError,
    JobCancelledError,
    JobFailedError,
    MissingAPIKeyError,
    NetworkError,
    NotFoundError,
    OdysseyError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnknownJobStatusWarning,
    WaitTimeoutError,
)
from odyssey_dsl.client.polling import PollSchedule, poll_ceiling
from odyssey_dsl.client.responses import detail_of
from odyssey_dsl.client.retry import (
    RetryPolicy,
    backoff_ceiling,
    backoff_delay,
    delay_after_failure,
    delay_after_response,
    parse_retry_after,
)
from odyssey_dsl.client.server_text import redact
from odyssey_dsl.client.wire import JobStatus
from odyssey_dsl.emit.models import EndAction, Job, ScriptEntry, StartAction
from odyssey_dsl.emulator import payloads
from odyssey_dsl.emulator.config import EmulatorConfig, PlannedFault
from odyssey_dsl.emulator.server import RunningEmulator, bind_socket, running_emulator
from odyssey_dsl.emulator.state import EmulatorState, RequestRecord

KEY = "ody_SECRET_client_canary_42"
"""The API key of these tests: it must never show up in anything the client produces."""
TOKEN_PREFIX = "emu_"
"""Every token the emulator issues starts with this."""

POST_JOBS = "POST /simulation-jobs"
GET_JOB = "GET /simulation-jobs/{job_id}"
LIST_JOBS = "GET /simulation-jobs"
TOKEN = "POST /auth/token"

Factory = Callable[..., RunningEmulator]


def fast(**changes: Any) -> EmulatorConfig:
    """An emulator whose jobs finish in about 0.2 s."""
    settings: dict[str, Any] = {
        "pending_seconds": 0.05,
        "dispatched_seconds": 0.05,
        "processing_seconds": 0.1,
    }
    settings.update(changes)
    return EmulatorConfig(**settings)


def faults(*plan: tuple[str, int, str] | PlannedFault, **changes: Any) -> EmulatorConfig:
    planned = tuple(p if isinstance(p, PlannedFault) else PlannedFault(*p) for p in plan)
    return fast(fault_plan=planned, **changes)


def scene(prompt: str = "a cat on a windowsill", *, streams: int = 1) -> list[ScriptEntry]:
    entries = []
    for n in range(streams):
        entries.append(
            ScriptEntry(timestamp_ms=n * 4000, start=StartAction(prompt=f"{prompt} {n}"))
        )
        entries.append(ScriptEntry(timestamp_ms=n * 4000 + 3000, end=EndAction()))
    return entries


def compiled_job(*, batch: int = 0, portrait: bool = True) -> Job:
    if batch:
        return Job(
            portrait=portrait,
            scripts=[scene(f"script {i}") for i in range(batch)],
            script_names=[f"s{i}" for i in range(batch)],
        )
    return Job(portrait=portrait, script=scene())


@pytest.fixture
def delays() -> list[float]:
    """Pauses the client asked for (recorded instead of slept: retries are instant)."""
    return []


def client_for(emu: RunningEmulator, delays: list[float] | None = None, **options: Any) -> Any:
    sleep = delays.append if delays is not None else None
    return OdysseyClient(KEY, api_url=emu.url, sleep=sleep, **options)


def logged(state: EmulatorState, endpoint: str, count: int) -> list[RequestRecord]:
    """The requests to `endpoint`, once at least `count` are in the log.

    The emulator logs a request just after answering it, so the client can be a moment ahead.
    """
    deadline = time.monotonic() + 3
    while len(state.requests_to(endpoint)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return state.requests_to(endpoint)


def statuses_of(emu: RunningEmulator, endpoint: str, count: int) -> list[int | None]:
    """The status codes of the requests to `endpoint`, once at least `count` are logged."""
    return [r.status_code for r in logged(emu.state, endpoint, count)]


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        assert KEY not in str(text)
        assert TOKEN_PREFIX not in str(text)


# --- the happy path of every method -------------------------------------------------------


def test_every_method_against_the_emulator(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client:
        submitted = client.simulate(compiled_job(batch=2, portrait=False))
        assert submitted.status == "pending"
        assert submitted.job_id in emu.state.jobs
        assert emu.state.jobs[submitted.job_id].portrait is False

        first = client.get_status(submitted.job_id)
        assert first.job_id == submitted.job_id and first.status in {"pending", "dispatched"}

        seen: list[str] = []
        final = client.wait(
            submitted.job_id, poll_interval=0.05, on_update=lambda s: seen.append(s.status)
        )
        assert final.status == "completed" and final.is_terminal
        assert seen[-1] == "completed"
        assert sorted(s.script_index for s in final.streams) == [0, 1]

        listed = client.list_simulations(limit=5)
        assert listed.total == 1 and listed.jobs[0].job_id == submitted.job_id
        assert listed.jobs[0].status == "completed"

        stream = final.streams[0]
        recording = client.get_recording(stream.stream_id)
        assert recording.stream_id == stream.stream_id
        assert recording.video_url is not None and recording.video_url.startswith(emu.url)
        assert recording.duration_seconds == stream.duration_seconds

        recordings = client.list_stream_recordings(limit=10)
        assert {r.stream_id for r in recordings.recordings} == {s.stream_id for s in final.streams}
        assert recordings.total == 2

    # Only the sign-in goes without a bearer token, and it happens once.
    records = emu.state.requests
    assert [r.endpoint for r in records if not r.sent_authorization] == [TOKEN]


def test_cancel_a_pending_job(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(pending_seconds=60))
    with client_for(emu) as client:
        job = client.simulate(script=[e.model_dump(mode="json") for e in scene()])
        result = client.cancel(job.job_id)
        assert (result.job_id, result.status) == (job.job_id, "cancelled")
        assert emu.state.status_of(job.job_id) == "cancelled"
        with pytest.raises(JobCancelledError) as raised:
            client.wait(job.job_id, poll_interval=0.05)
        assert raised.value.status.status == "cancelled"
        assert job.job_id in str(raised.value)
        assert client.cancel(job.job_id).status == "cancelled"  # already cancelled: fine


def test_a_finished_job_cannot_be_cancelled(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client:
        job = client.simulate(compiled_job())
        client.wait(job.job_id, poll_interval=0.05)
        with pytest.raises(CannotCancelError) as refused:
            client.cancel(job.job_id)
    assert refused.value.status_code == 400
    assert refused.value.detail is not None and "only pending or dispatched" in refused.value.detail
    assert "completed" in str(refused.value)
    assert emu.state.status_of(job.job_id) == "completed"


def test_cancel_whose_answer_was_lost_is_retried(
    emulator_factory: Factory, delays: list[float]
) -> None:
    emu = emulator_factory(
        faults(("DELETE /simulation-jobs/{job_id}", 1, "drop_after"), pending_seconds=60)
    )
    with client_for(emu, delays) as client:
        job = client.simulate(compiled_job())
        assert client.cancel(job.job_id).status == "cancelled"
    assert len(delays) == 1
    assert [r.status_code for r in logged(emu.state, "DELETE /simulation-jobs/{job_id}", 2)] == [
        None,
        400,
    ]
    assert emu.state.status_of(job.job_id) == "cancelled"


def test_script_url_and_options_reach_the_server(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client:
        job = client.simulate(
            script_url="https://example.com/script.json", bypass_prompt_expansion=True
        )
    stored = emu.state.jobs[job.job_id]
    assert stored.script_url == "https://example.com/script.json"
    assert stored.bypass_prompt_expansion is True
    assert stored.portrait is True  # the API's default


def test_submission_bodies_match_the_official_sdk() -> None:
    body = submit_call(compiled_job(batch=2)).body
    assert body["output_video"] is True and body["portrait"] is True
    assert "bypass_vlm_expansion" not in body and "script_names" not in body
    assert len(body["scripts"]) == 2 and body["scripts"][0][1] == {"timestamp_ms": 3000, "end": {}}
    assert submit_call(compiled_job(), portrait=False).body["portrait"] is False
    assert submit_call(script_url="u", bypass_prompt_expansion=True).body == {
        "portrait": True,
        "output_video": True,
        "script_url": "u",
        "bypass_vlm_expansion": True,
    }
    assert list_jobs_call(active=True, limit=3).params == {
        "active": "true",
        "limit": 3,
        "offset": 0,
    }


def test_iter_simulations_walks_every_page(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(pending_seconds=60))
    with client_for(emu) as client:
        ids = {client.simulate(compiled_job()).job_id for _ in range(7)}
        walked = [job.job_id for job in client.iter_simulations(page_size=3)]
        assert sorted(walked) == sorted(ids)
        assert len(statuses_of(emu, LIST_JOBS, 3)) == 3
        assert [j.job_id for j in client.iter_simulations(status="completed")] == []
        assert len(list(client.iter_simulations(active=True, page_size=100))) == 7


def test_key_and_url_come_from_the_environment(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(fast())
    monkeypatch.setenv("ODYSSEY_API_KEY", KEY)
    monkeypatch.setenv("ODYSSEY_API_URL", emu.url + "/")
    with OdysseyClient() as client:
        assert client.api_url == emu.url
        assert client.list_simulations().total == 0
    assert len(emu.state.requests) == 2


def test_missing_key_fails_before_any_request(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(fast())
    monkeypatch.delenv("ODYSSEY_API_KEY", raising=False)
    for key in (None, "", "   "):
        with pytest.raises(MissingAPIKeyError) as raised:
            OdysseyClient(key, api_url=emu.url)
        assert "ODYSSEY_API_KEY" in str(raised.value) and "--api-key" not in str(raised.value)
    assert emu.state.request_count == 0


def test_an_unparsable_api_url_is_an_odyssey_error_before_any_request() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        OdysseyClient("ody_key", api_url="http://[::1")
    assert "not a valid URL" in str(raised.value)


def test_bad_arguments_fail_before_any_request(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client:
        bad_calls: list[Callable[[], object]] = [
            lambda: client.list_simulations(limit=0),
            lambda: client.list_simulations(limit=101),
            lambda: client.list_stream_recordings(offset=-1),
            lambda: client.simulate(),
            lambda: client.simulate(compiled_job(), script_url="https://example.com/s.json"),
            lambda: client.simulate(script=[{"timestamp_ms": -5, "end": {}}]),
            lambda: client.get_status(""),
        ]
        for call in bad_calls:
            with pytest.raises(InvalidRequestError):
                call()
    assert emu.state.request_count == 0
    with pytest.raises(InvalidRequestError, match="http"):
        OdysseyClient(KEY, api_url="127.0.0.1:8765")


# --- errors from the server ---------------------------------------------------------------


def test_not_found_and_someone_elses_job(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(pending_seconds=60))
    with client_for(emu) as owner, OdysseyClient("ody_someone_else", api_url=emu.url) as other:
        job = owner.simulate(compiled_job())
        with pytest.raises(PermissionDeniedError) as denied:
            other.get_status(job.job_id)
        assert denied.value.status_code == 403 and job.job_id in str(denied.value)
        with pytest.raises(PermissionDeniedError):
            other.cancel(job.job_id)
        with pytest.raises(NotFoundError) as missing:
            owner.get_status("no-such-job")
        assert missing.value.status_code == 404 and "no-such-job" in str(missing.value)
        assert missing.value.detail == "Simulation job not found"
        with pytest.raises(NotFoundError, match="stream id"):
            owner.get_recording("no-such-stream")
    assert emu.state.status_of(job.job_id) == "pending"


def test_server_validation_detail_is_flattened(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client, pytest.raises(InvalidRequestError) as raised:
        client.list_simulations(status="bogus")
    error = raised.value
    assert error.status_code == 422
    assert error.detail is not None and error.detail.startswith("query.status: Input should be")
    assert error.detail in str(error)


def test_rejected_and_denied_keys(
    emulator_factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    denied_key = KEY + "_denied"
    emu = emulator_factory(
        fast(api_keys=frozenset({"ody_good"}), denied_api_keys=frozenset({denied_key}))
    )
    with client_for(emu) as client, pytest.raises(AuthenticationError) as rejected:
        client.list_simulations()
    assert rejected.value.status_code == 401
    assert "ODYSSEY_API_KEY" in str(rejected.value)
    with (
        OdysseyClient(denied_key, api_url=emu.url) as client,
        pytest.raises(PermissionDeniedError) as denied,
    ):
        client.simulate(compiled_job())
    assert denied.value.status_code == 403
    assert denied.value.detail == "API key access denied: this key has been disabled"
    assert emu.state.job_count == 0
    assert_no_secret(rejected.value, repr(rejected.value), denied.value, caplog.text)
    assert denied_key not in str(denied.value) + caplog.text


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_reused_then_renewed_before_it_expires(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(token_expires_in=2.0))
    with client_for(emu) as client:
        client.list_simulations()
        client.list_stream_recordings()
        assert len(statuses_of(emu, TOKEN, 1)) == 1
        time.sleep(refresh_margin(2.0) + 0.1)
        client.list_simulations()
    assert len(statuses_of(emu, TOKEN, 2)) == 2
    assert 401 not in [r.status_code for r in emu.state.requests]


def _emulator_with_clock(clock: Callable[[], float]) -> Iterator[RunningEmulator]:
    config = fast()
    with running_emulator(config, state=EmulatorState(config, clock=clock)) as emu:
        yield emu


def test_refused_token_is_renewed_once(delays: list[float]) -> None:
    skew = [0.0]
    for emu in _emulator_with_clock(lambda: time.time() + skew[0]):
        with client_for(emu, delays) as client:
            client.list_simulations()
            skew[0] = 7200.0  # the server now considers the client's token expired
            assert client.list_simulations().total == 0
        assert statuses_of(emu, LIST_JOBS, 3) == [200, 401, 200]
        assert statuses_of(emu, TOKEN, 2) == [200, 200]
    assert delays == []


def test_token_refused_twice_is_an_authentication_error() -> None:
    days = itertools.count()
    for emu in _emulator_with_clock(lambda: time.time() + 86400 * next(days)):
        with client_for(emu) as client, pytest.raises(AuthenticationError) as raised:
            client.list_simulations()
        assert raised.value.status_code == 401
        assert statuses_of(emu, LIST_JOBS, 2) == [401, 401]
        assert statuses_of(emu, TOKEN, 2) == [200, 200]
        assert_no_secret(raised.value, repr(raised.value))


# --- faults survived or reported ----------------------------------------------------------


def test_rate_limit_is_waited_out_as_the_server_asks(
    emulator_factory: Factory, delays: list[float]
) -> None:
    emu = emulator_factory(
        faults((LIST_JOBS, 1, "rate_limit", 3.0), (POST_JOBS, 1, "rate_limit", 0.25))
    )
    with client_for(emu, delays) as client:
        assert client.list_simulations().total == 0
        job = client.simulate(compiled_job())
    assert delays == [3.0, 0.25]
    assert statuses_of(emu, LIST_JOBS, 2) == [429, 200]
    assert statuses_of(emu, POST_JOBS, 2) == [429, 200]
    assert list(emu.state.jobs) == [job.job_id]


def test_endless_rate_limit_is_reported(emulator_factory: Factory, delays: list[float]) -> None:
    emu = emulator_factory(
        faults(
            *[(POST_JOBS, n, "rate_limit", 0.5) for n in (1, 2, 3)],
            (LIST_JOBS, 1, "rate_limit", 600),
        )
    )
    with client_for(emu, delays, max_retries=2) as client:
        with pytest.raises(RateLimitedError) as raised:
            client.simulate(compiled_job())
        assert raised.value.retry_after == 0.5 and raised.value.status_code == 429
        assert emu.state.job_count == 0 and len(statuses_of(emu, POST_JOBS, 3)) == 3
        # A wait longer than the client is prepared for is reported at once.
        with pytest.raises(RateLimitedError, match="600 s") as long_wait:
            client.list_simulations()
        assert long_wait.value.retry_after == 600
    assert delays == [0.5, 0.5]
    assert len(statuses_of(emu, LIST_JOBS, 1)) == 1


@pytest.mark.parametrize(
    "kind", ["bad_gateway", "unavailable", "gateway_timeout", "drop", "drop_midway"]
)
def test_reads_survive_transient_faults(
    emulator_factory: Factory, delays: list[float], kind: str
) -> None:
    emu = emulator_factory(faults((GET_JOB, 1, kind), (GET_JOB, 2, kind)))
    with client_for(emu, delays, backoff_base=0.1, backoff_max=0.3) as client:
        job = client.simulate(compiled_job())
        assert client.get_status(job.job_id).job_id == job.job_id
    assert len(logged(emu.state, GET_JOB, 3)) == 3
    assert len(delays) == 2
    if kind != "unavailable":  # 503 carries a Retry-After; the others back off with jitter
        assert 0.05 <= delays[0] <= 0.1 and 0.1 <= delays[1] <= 0.2


def test_internal_server_error_is_not_retried(
    emulator_factory: Factory, delays: list[float]
) -> None:
    emu = emulator_factory(faults((LIST_JOBS, 1, "server_error")))
    with client_for(emu, delays) as client, pytest.raises(ServerError) as raised:
        client.list_simulations()
    assert raised.value.status_code == 500
    assert raised.value.detail == "Internal server error (emulated)"
    assert delays == [] and len(statuses_of(emu, LIST_JOBS, 1)) == 1


def test_reads_give_up_after_max_retries(emulator_factory: Factory, delays: list[float]) -> None:
    emu = emulator_factory(faults(*[(LIST_JOBS, n, "drop") for n in range(1, 5)]))
    with client_for(emu, delays, max_retries=3) as client, pytest.raises(NetworkError) as raised:
        client.list_simulations()
    assert not raised.value.maybe_submitted
    assert len(delays) == 3 and len(logged(emu.state, LIST_JOBS, 4)) == 4


def test_slow_read_times_out_and_is_retried(emulator_factory: Factory, delays: list[float]) -> None:
    emu = emulator_factory(faults(PlannedFault(LIST_JOBS, 1, "slow", seconds=1.5)))
    with client_for(emu, delays, timeout=0.5) as client:
        started = time.monotonic()
        assert client.list_simulations().total == 0
        assert time.monotonic() - started < 1.4
    assert len(delays) == 1


@pytest.mark.parametrize(
    ("kind", "created"),
    [("unavailable", 0), ("bad_gateway", 0), ("server_error", 0), ("drop", 0), ("drop_after", 1)],
)
def test_submission_is_never_repeated_after_it_was_sent(
    emulator_factory: Factory, delays: list[float], kind: str, created: int
) -> None:
    emu = emulator_factory(faults((POST_JOBS, 1, kind)))
    with client_for(emu, delays) as client, pytest.raises((ServerError, NetworkError)) as raised:
        client.simulate(compiled_job())
    assert "odyc jobs list --active" in str(raised.value)
    if isinstance(raised.value, NetworkError):
        assert raised.value.maybe_submitted
    assert delays == []
    assert len(logged(emu.state, POST_JOBS, 1)) == 1
    assert emu.state.job_count == created


def test_slow_submission_is_reported_not_repeated(
    emulator_factory: Factory, delays: list[float]
) -> None:
    emu = emulator_factory(faults(PlannedFault(POST_JOBS, 1, "slow", seconds=1.2)))
    with (
        client_for(emu, delays, timeout=0.5) as client,
        pytest.raises(RequestTimeoutError) as raised,
    ):
        client.simulate(compiled_job())
    assert raised.value.maybe_submitted and "0.5 s" in str(raised.value)
    assert "odyc jobs list --active" in str(raised.value)
    time.sleep(1.2)  # let the server finish with the request the client gave up on
    assert len(logged(emu.state, POST_JOBS, 1)) == 1 and delays == []
    assert emu.state.job_count <= 1  # never two jobs for one submission


def test_submission_retried_when_the_server_could_not_be_reached(delays: list[float]) -> None:
    config = fast()
    state = EmulatorState(config)  # shared by both servers: the token stays valid
    with contextlib.ExitStack() as stack:
        ports: list[int] = []

        def restart_then_sleep(seconds: float) -> None:
            delays.append(seconds)
            if len(ports) == 1:  # the first backoff brings a server back on the same port
                stack.enter_context(running_emulator(config, port=ports[0], state=state))
                ports.append(ports[0])

        with running_emulator(config, state=state) as first:
            ports.append(first.port)
            client = stack.enter_context(
                OdysseyClient(KEY, api_url=first.url, sleep=restart_then_sleep)
            )
            client.list_simulations()  # signed in
        # The server is gone: the submission cannot even connect, so it never left the client
        # and may be tried again.
        job = client.simulate(compiled_job())
    assert len(delays) == 1 and len(ports) == 2
    assert list(state.jobs) == [job.job_id]
    assert len(logged(state, POST_JOBS, 1)) == 1
    assert len(logged(state, TOKEN, 1)) == 1


def test_unreachable_server_is_a_network_error(delays: list[float]) -> None:
    probe = bind_socket("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    with (
        OdysseyClient(
            KEY, api_url=f"http://127.0.0.1:{port}", sleep=delays.append, max_retries=2
        ) as client,
        pytest.raises(NetworkError) as raised,
    ):
        client.simulate(compiled_job())
    assert "could not connect" in str(raised.value) and not raised.value.maybe_submitted
    assert len(delays) == 2
    assert_no_secret(raised.value, repr(raised.value))


# --- waiting --------------------------------------------------------------------------------


def test_failed_job_reports_the_reasons(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(failing_jobs=frozenset({1}), failing_streams=frozenset({(2, 1)})))
    with client_for(emu) as client:
        whole = client.simulate(compiled_job(batch=2))
        partial = client.simulate(compiled_job(batch=2))
        with pytest.raises(JobFailedError) as failed:
            client.wait(whole.job_id, poll_interval=0.05)
        with pytest.raises(JobFailedError) as one_stream:
            client.wait(partial.job_id, poll_interval=0.05)

    message = str(failed.value)
    assert failed.value.status.status == "failed" and failed.value.job_id == whole.job_id
    assert failed.value.status.error_message and failed.value.status.error_message in message
    for stream in failed.value.status.streams:
        assert stream.stream_id in message and stream.failure_message in message

    broken = [s for s in one_stream.value.status.streams if s.failure_message]
    fine = [s for s in one_stream.value.status.streams if not s.failure_message]
    assert len(broken) == 1 and len(fine) == 1
    assert broken[0].stream_id in str(one_stream.value)
    assert fine[0].stream_id not in str(one_stream.value)
    assert "1 of 2 streams failed" in str(one_stream.value)


def test_wait_times_out_with_the_last_status(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(pending_seconds=60))
    with client_for(emu) as client:
        job = client.simulate(compiled_job())
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError) as raised:
            client.wait(job.job_id, poll_interval=0.05, timeout=0.4)
    assert 0.35 <= time.monotonic() - started < 2
    assert raised.value.job_id == job.job_id
    assert raised.value.last_status is not None and raised.value.last_status.status == "pending"
    assert f"odyc jobs wait {job.job_id}" in str(raised.value)


def test_polling_backs_off_while_nothing_changes(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast(pending_seconds=1.2, dispatched_seconds=0, processing_seconds=0.1))
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    with OdysseyClient(KEY, api_url=emu.url, sleep=sleep) as client:
        job = client.simulate(compiled_job())
        assert client.wait(job.job_id, poll_interval=0.05).status == "completed"
    assert pauses[:4] == pytest.approx([0.05, 0.075, 0.1125, 0.16875])
    assert all(0.05 <= p <= 0.2 + 1e-9 for p in pauses)
    assert 0.2 in [pytest.approx(p) for p in pauses]
    # Without backing off, 1.3 s at 0.05 s would take 26 polls.
    assert len(emu.state.requests_for_job(job.job_id)) <= 13


def test_wait_sits_out_a_brief_outage(emulator_factory: Factory) -> None:
    emu = emulator_factory(faults((GET_JOB, 2, "drop"), (GET_JOB, 3, "unavailable", 0)))
    with client_for(emu, max_retries=0) as client:
        job = client.simulate(compiled_job())
        assert client.wait(job.job_id, poll_interval=0.05).status == "completed"
    assert [r.status_code for r in emu.state.requests_for_job(job.job_id)][1:3] == [None, 503]


def test_wait_sits_out_a_failed_sign_in(emulator_factory: Factory) -> None:
    # Tokens live 0.4 s, so the wait signs in again; the second sign-in is dropped.
    emu = emulator_factory(faults((TOKEN, 2, "drop"), token_expires_in=0.4, processing_seconds=0.8))
    with client_for(emu, max_retries=0) as client:
        job = client.simulate(compiled_job())
        assert client.wait(job.job_id, poll_interval=0.05).status == "completed"
    assert statuses_of(emu, TOKEN, 3)[:3] == [200, None, 200]


def test_wait_gives_up_on_a_long_outage(emulator_factory: Factory) -> None:
    emu = emulator_factory(faults(*[(GET_JOB, n, "bad_gateway") for n in range(1, 6)]))
    with client_for(emu, max_retries=0) as client:
        job = client.simulate(compiled_job())
        with pytest.raises(ServerError) as raised:
            client.wait(job.job_id, poll_interval=0.02)
    assert raised.value.status_code == 502
    assert len(logged(emu.state, GET_JOB, 4)) == 4


def test_unknown_status_is_in_progress_with_a_warning(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    documented = payloads.job_status

    def with_new_status(*args: Any) -> dict[str, Any]:
        body = documented(*args)
        if body["status"] == "processing":
            body["status"] = "rendering"  # a status a newer server might introduce
        return body

    monkeypatch.setattr(payloads, "job_status", with_new_status)
    emu = emulator_factory(fast(processing_seconds=0.3))
    updates: list[str] = []
    with client_for(emu) as client:
        job = client.simulate(compiled_job())
        with pytest.warns(UnknownJobStatusWarning, match="rendering") as warned:
            final = client.wait(
                job.job_id, poll_interval=0.03, on_update=lambda s: updates.append(s.status)
            )
    assert final.status == "completed"
    assert updates.count("rendering") >= 2 and len(warned) == 1
    assert "rendering" in caplog.text


# --- secrets ----------------------------------------------------------------------------------


def test_secrets_never_show(emulator_factory: Factory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    emu = emulator_factory(
        faults((LIST_JOBS, 1, "rate_limit", 0), (GET_JOB, 1, "drop"), fail_fraction=1.0)
    )
    errors: list[OdysseyError] = []
    with client_for(emu) as client:
        shown: list[object] = [client, repr(client), client.api_url]
        job = client.simulate(compiled_job())
        client.list_simulations()
        for call in (
            lambda: client.wait(job.job_id, poll_interval=0.05),
            lambda: client.get_status("missing"),
            lambda: client.list_simulations(status="bogus"),
            lambda: client.cancel(job.job_id),
        ):
            with pytest.raises(OdysseyError) as raised:
                call()
            errors.append(raised.value)
    assert [type(e) for e in errors] == [
        JobFailedError,
        NotFoundError,
        InvalidRequestError,
        CannotCancelError,
    ]
    for error in errors:
        shown += [error, repr(error), error.detail, error.args]
    shown.append(caplog.text)
    assert_no_secret(*shown)
    assert "Bearer" not in caplog.text


def test_redaction_of_what_the_server_sends_back() -> None:
    echoed = httpx.Response(
        422,
        json={"detail": [{"loc": ["body", "api_key"], "msg": f"bad key {KEY}", "input": KEY}]},
    )
    assert detail_of(echoed, [KEY]) == "api_key: bad key ***"
    assert redact(f"token {KEY}!", [KEY, ""]) == "token ***!"
    secret = Secret(KEY)
    assert KEY not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert detail_of(httpx.Response(502, text="<html><h1>502</h1></html>"), []) is None
    assert detail_of(httpx.Response(500, text="plain failure"), []) == "plain failure"


def test_answers_tolerate_fields_a_newer_server_adds() -> None:
    status = JobStatus.model_validate(
        {
            "job_id": "j",
            "status": "processing",
            "eta_seconds": 12,
            "streams": [{"stream_id": "s", "codec": "av1", "error": "GPU lost"}],
        }
    )
    assert status.model_extra == {"eta_seconds": 12}
    assert status.streams[0].failure_message == "GPU lost"
    assert not status.is_terminal and status.is_known_status


# --- pure decisions -----------------------------------------------------------------------


@given(
    attempt=st.integers(0, 5000),
    base=st.floats(1e-3, 100),
    cap=st.floats(0, 1000),
)
def test_backoff_ceiling_is_capped_and_non_decreasing(
    attempt: int, base: float, cap: float
) -> None:
    here, next_one = backoff_ceiling(attempt, base, cap), backoff_ceiling(attempt + 1, base, cap)
    assert 0 <= here <= next_one <= cap
    if attempt == 0:
        assert here == min(base, cap)


@given(attempt=st.integers(0, 100), rand=st.floats(0, 1, exclude_max=True))
def test_backoff_delay_has_bounded_jitter(attempt: int, rand: float) -> None:
    ceiling = backoff_ceiling(attempt, 0.5, 30)
    assert ceiling / 2 <= backoff_delay(attempt, 0.5, 30, lambda: rand) <= ceiling


@given(st.integers(0, 10**7))
def test_retry_after_in_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == seconds
    assert parse_retry_after(f" {seconds} ") == seconds


@given(st.integers(-(10**6), 10**6))
def test_retry_after_as_an_http_date(offset: int) -> None:
    now = datetime(2026, 11, 21, 17, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=offset), usegmt=True)
    assert parse_retry_after(header, now) == max(0, offset)


@given(st.text(max_size=40))
def test_retry_after_never_raises(text: str) -> None:
    value = parse_retry_after(text)
    assert value is None or value >= 0


@given(
    attempt=st.integers(0, 10),
    status=st.sampled_from([200, 400, 401, 404, 429, 500, 502, 503, 504]),
)
def test_submissions_are_repeated_only_after_429(attempt: int, status: int) -> None:
    policy = RetryPolicy(max_retries=4)
    response = httpx.Response(status)
    once = delay_after_response(policy, attempt, response, repeatable=False)
    read = delay_after_response(policy, attempt, response, repeatable=True)
    assert (once is not None) == (status == 429 and attempt < 4)
    assert (read is not None) == (status in (429, 502, 503, 504) and attempt < 4)
    request = httpx.Request("POST", "http://127.0.0.1/simulation-jobs")
    assert (
        delay_after_failure(policy, 0, httpx.ReadError("x", request=request), repeatable=False)
        is None
    )
    assert delay_after_failure(
        policy, 0, httpx.ConnectError("x", request=request), repeatable=False
    )


@given(interval=st.floats(0.01, 600), polls=st.integers(1, 30))
def test_poll_schedule_backs_off_and_resets(interval: float, polls: int) -> None:
    schedule = PollSchedule(interval)
    pauses = [schedule.after_poll("pending") for _ in range(polls)]
    assert pauses[0] == interval
    assert pauses == sorted(pauses)
    assert all(interval <= p <= poll_ceiling(interval) for p in pauses)
    assert poll_ceiling(interval) <= max(interval, 60)
    assert schedule.after_poll("processing") == interval


def test_poll_interval_must_be_positive(emulator_factory: Factory) -> None:
    emu = emulator_factory(fast())
    with client_for(emu) as client:
        for bad in (0, -1, float("nan")):
            with pytest.raises(ValueError, match="poll_interval"):
                client.wait("job", poll_interval=bad)
    assert emu.state.request_count == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert refresh_margin(3600) == 60 and refresh_margin(10) == 5
