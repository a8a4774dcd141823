"""The emulator's API over real HTTP: auth, submissions, job clock, listing, cancelling,
recordings. (Media files: test_emulator_media.py; faults: test_emulator_faults.py;
`odyc emulator`: test_emulator_command.py.)"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from emulator_support import (
    KEY,
    OTHER_KEY,
    SIMPLE_SCRIPT,
    ManualClock,
    bearer,
    clocked_emulator,
    entry,
    submit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator, running_emulator
from odyssey_dsl.emulator.jobs import EmulatedJob, phase_at

STATUS_FIELDS = {
    "job_id", "status", "priority", "created_at", "dispatched_at", "started_at", "completed_at",
    "error_message", "assigned_region", "retry_count", "streams",
}  # fmt: skip
STREAM_FIELDS = {
    "stream_id", "video_url", "events_url", "thumbnail_url", "preview_url", "frame_count",
    "duration_seconds", "script_index",
}  # fmt: skip


@pytest.fixture
def clocked() -> Iterator[tuple[httpx.Client, RunningEmulator, ManualClock]]:
    with clocked_emulator() as (running, clock), httpx.Client(base_url=running.url) as client:
        yield client, running, clock


@pytest.fixture(scope="module")
def shared() -> Iterator[httpx.Client]:
    """A client of one emulator shared by the tests that do not depend on its jobs."""
    config = EmulatorConfig(
        api_keys=frozenset({"ody_allowed", KEY}), denied_api_keys=frozenset({"ody_revoked"})
    )
    with running_emulator(config) as running, httpx.Client(base_url=running.url) as client:
        yield client


@pytest.fixture
def client(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url) as client:
        yield client


# --- auth ---------------------------------------------------------------------------------


def test_token_exchange_gives_a_bearer_token_that_is_not_the_key(client: httpx.Client) -> None:
    response = client.post("/auth/token", json={"api_key": KEY})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600
    assert body["access_token"] and KEY not in body["access_token"]
    listed = client.get(
        "/simulation-jobs", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert listed.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"api_key": "ody_not_on_the_list"}, 401, "Invalid API key"),
        ({"api_key": "sk-elsewhere"}, 401, "Invalid API key"),
        ({"api_key": "ody_revoked"}, 403, "API key access denied: this key has been disabled"),
        ({}, 422, None),
        ({"api_key": 42}, 422, None),
        ({"api_key": ""}, 422, None),
        (["ody_allowed"], 422, None),
    ],
)
def test_token_exchange_failures(
    shared: httpx.Client, body: Any, status: int, detail: str | None
) -> None:
    response = shared.post("/auth/token", json=body)
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}
    else:
        [problem] = response.json()["detail"]
        assert problem["loc"][:2] == ["body", "api_key"]
    assert shared.post("/auth/token", json={"api_key": "ody_allowed"}).is_success


def test_token_exchange_with_malformed_json_is_422(shared: httpx.Client) -> None:
    response = shared.post(
        "/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


PROTECTED = [
    ("POST", "/simulation-jobs"),
    ("GET", "/simulation-jobs"),
    ("GET", "/simulation-jobs/some-job"),
    ("DELETE", "/simulation-jobs/some-job"),
    ("GET", "/recordings/some-stream"),
    ("GET", "/stream-recordings"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "Not authenticated"),
        ("Bearer not-a-token", "Invalid authentication token"),
        ("Basic b2R5Og==", "Not authenticated"),
    ],
)
def test_every_api_endpoint_needs_a_bearer_token(
    shared: httpx.Client, method: str, path: str, authorization: str | None, detail: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = shared.request(method, path, headers=headers, json={"script": SIMPLE_SCRIPT})
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == "Bearer"


def test_tokens_expire_after_expires_in() -> None:
    with (
        clocked_emulator(EmulatorConfig(token_expires_in=30)) as (running, clock),
        httpx.Client(base_url=running.url) as client,
    ):
        _check_token_expiry(client, clock)


def _check_token_expiry(client: httpx.Client, clock: ManualClock) -> None:
    response = client.post("/auth/token", json={"api_key": KEY})
    assert response.json()["expires_in"] == 30
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    clock.advance(29.9)
    assert client.get("/stream-recordings", headers=headers).status_code == 200
    clock.advance(0.2)
    expired = client.get("/stream-recordings", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {"detail": "Token has expired"}
    assert client.get("/stream-recordings", headers=bearer(client)).status_code == 200


def test_fractional_token_lifetime_is_sent_as_is(
    emulator_factory: Callable[[EmulatorConfig], RunningEmulator],
) -> None:
    running = emulator_factory(EmulatorConfig(token_expires_in=0.5))
    answer = httpx.post(f"{running.url}/auth/token", json={"api_key": KEY}).json()
    assert answer["expires_in"] == 0.5


# --- submissions ----------------------------------------------------------------------------


def test_submission_answer(client: httpx.Client, emulator: RunningEmulator) -> None:
    answer = submit(client, bearer(client))
    assert set(answer) == {"job_id", "status", "priority", "created_at", "estimated_wait_minutes"}
    assert answer["status"] == "pending"
    assert answer["created_at"].endswith("Z")
    assert list(emulator.state.jobs) == [answer["job_id"]]


INVALID_BODIES: list[tuple[str, Any, list[Any]]] = [
    ("no source", {"portrait": True}, ["body"]),
    ("two sources", {"script": SIMPLE_SCRIPT, "script_url": "https://x/y.json"}, ["body"]),
    ("two actions", {"script": [{**entry(0, "start"), "end": {}}]}, ["body", "script", 0]),
    ("negative time", {"script": [entry(-1, "start")]}, ["body", "script", 0, "timestamp_ms"]),
    ("empty prompt", {"script": [entry(0, "start", "")]}, ["body", "script", 0, "start", "prompt"]),
    ("unknown action", {"script": [{"timestamp_ms": 0, "go": {}}]}, ["body", "script", 0, "go"]),
    ("empty batch", {"scripts": []}, ["body", "scripts"]),
    ("not an object", [SIMPLE_SCRIPT], ["body"]),
    ("odd portrait", {"portrait": "sideways", "script": SIMPLE_SCRIPT}, ["body", "portrait"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "loc"), [c[1:] for c in INVALID_BODIES], ids=[c[0] for c in INVALID_BODIES]
)
def test_invalid_submissions_get_422_with_fastapi_style_detail(
    client: httpx.Client, emulator: RunningEmulator, body: Any, loc: list[Any]
) -> None:
    response = client.post("/simulation-jobs", json=body, headers=bearer(client))
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert problems, "a 422 lists its problems"
    assert all({"type", "loc", "msg"} <= set(problem) for problem in problems)
    assert loc in [problem["loc"] for problem in problems]
    assert emulator.state.job_count == 0


def test_a_body_that_is_not_json_gets_422(client: httpx.Client, emulator: RunningEmulator) -> None:
    headers = {**bearer(client), "Content-Type": "application/json"}
    response = client.post("/simulation-jobs", content=b"[{", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert emulator.state.job_count == 0


# --- the job clock --------------------------------------------------------------------------


def test_a_job_goes_pending_dispatched_processing_completed() -> None:
    config = EmulatorConfig(speed=2.0)  # phases of 0.5, 0.5 and 1.5 real seconds
    with clocked_emulator(config) as (running, clock), httpx.Client(base_url=running.url) as client:
        _check_progression(client, running, clock)


def _check_progression(client: httpx.Client, running: RunningEmulator, clock: ManualClock) -> None:
    headers = bearer(client)
    job_id = submit(client, headers)["job_id"]

    def status() -> dict[str, Any]:
        response = client.get(f"/simulation-jobs/{job_id}", headers=headers)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        assert set(body) == STATUS_FIELDS
        return body

    pending = status()
    assert (pending["status"], pending["streams"], pending["assigned_region"]) == (
        "pending",
        [],
        None,
    )
    clock.advance(0.5)
    dispatched = status()
    assert dispatched["status"] == "dispatched"
    assert dispatched["dispatched_at"] is not None and dispatched["assigned_region"]
    clock.advance(0.5)
    processing = status()
    assert processing["status"] == "processing" and processing["started_at"] is not None
    [stream] = processing["streams"]
    assert stream["video_url"] is None and stream["script_index"] == 0
    clock.advance(1.49)
    assert status()["status"] == "processing"
    clock.advance(0.01)
    completed = status()
    assert completed["status"] == "completed"
    times = [
        datetime.fromisoformat(completed[name])
        for name in ("created_at", "dispatched_at", "started_at", "completed_at")
    ]
    assert [later - earlier for earlier, later in itertools.pairwise(times)] == [
        timedelta(seconds=0.5),
        timedelta(seconds=0.5),
        timedelta(seconds=1.5),
    ]
    [stream] = completed["streams"]
    assert set(stream) == STREAM_FIELDS
    assert stream["stream_id"] == processing["streams"][0]["stream_id"]
    assert stream["duration_seconds"] == 3.0 and stream["frame_count"] == 90
    assert stream["video_url"].startswith(running.url + "/media/")
    assert completed["error_message"] is None


scripts_strategy = st.lists(
    st.lists(st.integers(min_value=1, max_value=5000), min_size=0, max_size=4),
    min_size=1,
    max_size=4,
)
"""Batches of scripts; each script is a list of stream lengths in milliseconds."""


def _script_of(lengths: list[int]) -> list[dict[str, Any]]:
    entries, at = [], 0
    for index, length in enumerate(lengths):
        entries += [entry(at, "start", f"stream {index}"), entry(at + length, "end")]
        at += length + 500
    return entries


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=scripts_strategy)
def test_one_stream_per_start_with_its_script_index(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock], batch: list[list[int]]
) -> None:
    client, running, clock = clocked
    headers = bearer(client)
    job_id = submit(client, headers, scripts=[_script_of(lengths) for lengths in batch])["job_id"]
    clock.advance(running.config.job_seconds)
    streams = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
    expected = [
        (index, max(length / 1000, 1.0))
        for index, lengths in enumerate(batch)
        for length in lengths
    ]
    assert [(s["script_index"], s["duration_seconds"]) for s in streams] == expected
    assert len({s["stream_id"] for s in streams}) == len(streams)


def test_a_hosted_script_gets_one_stream(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client, running, clock = clocked
    headers = bearer(client)
    job_id = submit(client, headers, script_url="https://example.com/scene.json")["job_id"]
    clock.advance(running.config.job_seconds)
    [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
    assert stream["script_index"] == 0 and stream["video_url"]


def test_someone_elses_job_is_403_and_an_unknown_one_404(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client = clocked[0]
    mine, theirs = bearer(client), bearer(client, OTHER_KEY)
    job_id = submit(client, mine)["job_id"]
    for method in ("GET", "DELETE"):
        response = client.request(method, f"/simulation-jobs/{job_id}", headers=theirs)
        assert response.status_code == 403
        assert "Not authorized" in response.json()["detail"]
        missing = client.request(method, "/simulation-jobs/no-such-job", headers=mine)
        assert missing.status_code == 404
        assert missing.json() == {"detail": "Simulation job not found"}
    assert client.get(f"/simulation-jobs/{job_id}", headers=mine).json()["status"] == "pending"


# --- cancelling -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "cancellable"),
    [(0.0, True), (1.5, True), (2.5, False), (6.0, False)],
    ids=["pending", "dispatched", "processing", "completed"],
)
def test_only_pending_or_dispatched_jobs_can_be_cancelled(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock], wait: float, cancellable: bool
) -> None:
    client, running, clock = clocked
    headers = bearer(client)
    job_id = submit(client, headers)["job_id"]
    clock.advance(wait)
    before = running.state.status_of(job_id)
    response = client.delete(f"/simulation-jobs/{job_id}", headers=headers)
    if cancellable:
        assert response.status_code == 200
        assert response.json() == {"job_id": job_id, "status": "cancelled"}
        clock.advance(10)
        status = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()
        assert status["status"] == "cancelled" and status["completed_at"] is not None
        again = client.delete(f"/simulation-jobs/{job_id}", headers=headers)
        assert again.status_code == 400 and "cancelled" in again.json()["detail"]
    else:
        assert response.status_code == 400
        assert before in response.json()["detail"]
        assert running.state.status_of(job_id) == before


# --- listing --------------------------------------------------------------------------------


def test_listing_pages_newest_first_and_only_shows_your_jobs(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client, _, clock = clocked
    headers = bearer(client)
    submit(client, bearer(client, OTHER_KEY))
    ids = []
    for _ in range(5):
        ids.append(submit(client, headers)["job_id"])
        clock.advance(0.01)
    seen = []
    for offset in (0, 2, 4):
        page = client.get(
            "/simulation-jobs", params={"limit": 2, "offset": offset}, headers=headers
        )
        body = page.json()
        assert (body["total"], body["limit"], body["offset"]) == (5, 2, offset)
        assert all(
            set(job)
            == {"job_id", "status", "priority", "created_at", "completed_at", "error_message"}
            for job in body["jobs"]
        )
        seen += [job["job_id"] for job in body["jobs"]]
    assert seen == ids[::-1]
    beyond = client.get("/simulation-jobs", params={"offset": 10}, headers=headers).json()
    assert (beyond["jobs"], beyond["total"], beyond["limit"]) == ([], 5, 20)


def test_listing_filters_by_status_and_activity(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client, _, clock = clocked
    headers = bearer(client)
    done = submit(client, headers)["job_id"]
    clock.advance(10)
    cancelled = submit(client, headers)["job_id"]
    client.delete(f"/simulation-jobs/{cancelled}", headers=headers)
    active = submit(client, headers)["job_id"]

    def listed(**params: Any) -> list[str]:
        response = client.get("/simulation-jobs", params=params, headers=headers)
        assert response.status_code == 200
        return [job["job_id"] for job in response.json()["jobs"]]

    assert listed(status="completed") == [done]
    assert listed(status="cancelled") == [cancelled]
    assert listed(active="true") == [active]
    assert listed(active="false") == [active, cancelled, done]
    assert listed(status="completed", active="true") == []


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"limit": "ten"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"status": "running"}, ["query", "status"]),
        ({"active": "maybe"}, ["query", "active"]),
    ],
)
def test_bad_list_parameters_get_422(
    shared: httpx.Client, params: dict[str, Any], loc: list[str]
) -> None:
    response = shared.get("/simulation-jobs", params=params, headers=bearer(shared))
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [loc]


@pytest.mark.parametrize("limit", [1, 100])
def test_list_limits_at_the_bounds_are_accepted(shared: httpx.Client, limit: int) -> None:
    response = shared.get("/simulation-jobs", params={"limit": limit}, headers=bearer(shared))
    assert response.status_code == 200 and response.json()["limit"] == limit


# --- recordings -----------------------------------------------------------------------------


def test_recordings_appear_when_the_job_completes(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client, running, clock = clocked
    headers = bearer(client)
    job_id = submit(client, headers)["job_id"]
    clock.advance(2.5)
    [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
    assert client.get(f"/recordings/{stream['stream_id']}", headers=headers).status_code == 404
    clock.advance(running.config.job_seconds)
    [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
    recording = client.get(f"/recordings/{stream['stream_id']}", headers=headers)
    assert recording.status_code == 200
    assert recording.json() == {k: v for k, v in stream.items() if k != "script_index"}
    theirs = client.get(f"/recordings/{stream['stream_id']}", headers=bearer(client, OTHER_KEY))
    assert theirs.status_code == 403
    missing = client.get("/recordings/no-such-stream", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Recording not found"}


def test_stream_recordings_list_finished_streams_newest_first(
    clocked: tuple[httpx.Client, RunningEmulator, ManualClock],
) -> None:
    client, running, clock = clocked
    headers = bearer(client)
    portrait = submit(client, headers, scripts=[SIMPLE_SCRIPT, SIMPLE_SCRIPT])["job_id"]
    clock.advance(0.01)
    landscape = submit(client, headers, portrait=False, script=SIMPLE_SCRIPT)["job_id"]
    submit(client, bearer(client, OTHER_KEY))
    assert client.get("/stream-recordings", headers=headers).json()["total"] == 0
    clock.advance(running.config.job_seconds)
    body = client.get("/stream-recordings", params={"limit": 2}, headers=headers).json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 0)
    rest = client.get(
        "/stream-recordings", params={"limit": 2, "offset": 2}, headers=headers
    ).json()
    recordings = body["recordings"] + rest["recordings"]
    jobs = running.state.jobs
    expected = [s.stream_id for s in reversed(jobs[landscape].streams)] + [
        s.stream_id for s in reversed(jobs[portrait].streams)
    ]
    assert [r["stream_id"] for r in recordings] == expected
    assert [(r["width"], r["height"]) for r in recordings] == [
        (1280, 720),
        (720, 1280),
        (720, 1280),
    ]
    assert all(r["ended_at"] is not None and r["duration_seconds"] == 3.0 for r in recordings)


# --- bookkeeping and concurrency -------------------------------------------------------------


def test_the_request_log_counts_requests_per_job(
    client: httpx.Client, emulator: RunningEmulator
) -> None:
    headers = bearer(client)
    job_id = submit(client, headers)["job_id"]
    for _ in range(3):
        client.get(f"/simulation-jobs/{job_id}", headers=headers)
    assert len(emulator.state.requests_for_job(job_id)) == 3
    assert [r.endpoint for r in emulator.state.requests[:2]] == [
        "POST /auth/token",
        "POST /simulation-jobs",
    ]
    assert emulator.state.request_count == 5
    assert not emulator.state.requests[0].sent_authorization
    assert all(r.sent_authorization for r in emulator.state.requests[1:])


def test_concurrent_submissions_each_create_one_job(emulator: RunningEmulator) -> None:
    async def main() -> list[str]:
        async with httpx.AsyncClient(base_url=emulator.url) as client:
            token = (await client.post("/auth/token", json={"api_key": KEY})).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}

            async def one() -> str:
                response = await client.post(
                    "/simulation-jobs", json={"script": SIMPLE_SCRIPT}, headers=headers
                )
                job_id: str = response.json()["job_id"]
                return job_id

            return await asyncio.gather(*(one() for _ in range(40)))

    ids = asyncio.run(main())
    assert len(set(ids)) == 40 == emulator.state.job_count
    assert sorted(job.ordinal for job in emulator.state.jobs.values()) == list(range(1, 41))


def test_unknown_paths_get_a_json_404(shared: httpx.Client) -> None:
    response = shared.get("/no/such/endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


# --- the job clock as a function ------------------------------------------------------------

PROGRESSION = ["pending", "dispatched", "processing", "completed"]


@settings(max_examples=200, deadline=None)
@given(
    phases=st.tuples(*[st.floats(0, 100, allow_nan=False)] * 3),
    speed=st.floats(0.01, 1000, allow_nan=False),
    times=st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=6),
)
def test_status_only_moves_forward_and_its_times_match(
    phases: tuple[float, float, float], speed: float, times: list[float]
) -> None:
    config = EmulatorConfig(
        pending_seconds=phases[0],
        dispatched_seconds=phases[1],
        processing_seconds=phases[2],
        speed=speed,
    )
    job = EmulatedJob(
        "job", "owner", 1, created_at=1000.0, portrait=True, streams=(), error_message=None
    )
    seen = [phase_at(job, 1000.0 + t, config) for t in sorted(times)]
    ranks = [PROGRESSION.index(phase.status) for phase in seen]
    assert ranks == sorted(ranks)
    for phase in seen:
        reached = PROGRESSION.index(phase.status)
        assert (phase.dispatched_at is not None) == (reached >= 1)
        assert (phase.started_at is not None) == (reached >= 2)
        assert (phase.completed_at is not None) == (reached >= 3)
        stamps = [
            s
            for s in (job.created_at, phase.dispatched_at, phase.started_at, phase.completed_at)
            if s is not None
        ]
        assert stamps == sorted(stamps)
    final = phase_at(job, 1000.0 + config.job_seconds, config)
    assert final.status == "completed"
    assert final.completed_at == pytest.approx(1000.0 + config.job_seconds)


@settings(max_examples=100, deadline=None)
@given(cancel_ms=st.integers(0, 1999), later=st.floats(0, 100, allow_nan=False))
def test_a_cancelled_job_stays_cancelled(cancel_ms: int, later: float) -> None:
    cancel_after = cancel_ms / 1000
    config = EmulatorConfig()  # pending 1 s, dispatched 1 s
    job = EmulatedJob(
        "job", "owner", 1, created_at=0.0, portrait=True, streams=(), error_message="boom"
    )
    job.cancelled_at = cancel_after
    phase = phase_at(job, cancel_after + later, config)
    assert phase.status == "cancelled"
    assert phase.completed_at == cancel_after
    assert phase.started_at is None
    assert (phase.dispatched_at is not None) == (cancel_after >= 1.0)
