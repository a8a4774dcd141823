"""The emulator's fault injection over real HTTP: planned faults, seeded random ones, failing
jobs and streams."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from emulator_support import KEY, SIMPLE_SCRIPT, bearer, clocked_emulator, entry, submit

from odyssey_dsl.emulator import EmulatorConfig, PlannedFault, RunningEmulator
from odyssey_dsl.emulator.faults import chance

Factory = Callable[[EmulatorConfig], RunningEmulator]


CONNECTION_LOST = (httpx.RemoteProtocolError, httpx.ReadError)
"""How httpx sees a dropped connection: closed without an answer, or reset by the peer (the
kernel sends a reset when the server closes with request bytes still unread)."""


def test_first_submission_rate_limited_then_accepted(emulator_factory: Factory) -> None:
    plan = (PlannedFault("POST /simulation-jobs", 1, "rate_limit", seconds=3),)
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        limited = client.post("/simulation-jobs", json={"script": SIMPLE_SCRIPT}, headers=headers)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"
        assert "Rate limit" in limited.json()["detail"]
        assert running.state.job_count == 0
        submit(client, headers)
    assert running.state.job_count == 1


@pytest.mark.parametrize(
    ("kind", "status", "retry_after", "json_detail"),
    [
        ("server_error", 500, None, True),
        ("bad_gateway", 502, None, False),
        ("unavailable", 503, "0.25", True),
        ("gateway_timeout", 504, None, False),
    ],
)
def test_server_errors(
    emulator_factory: Factory, kind: str, status: int, retry_after: str | None, json_detail: bool
) -> None:
    plan = (PlannedFault("GET /stream-recordings", 2, kind, seconds=0.25),)  # type: ignore[arg-type]
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        assert client.get("/stream-recordings", headers=headers).status_code == 200
        failed = client.get("/stream-recordings", headers=headers)
        assert failed.status_code == status
        assert failed.headers.get("retry-after") == retry_after
        if json_detail:
            assert failed.json()["detail"]
        else:
            assert str(status) in failed.text
        assert client.get("/stream-recordings", headers=headers).status_code == 200
    assert [r.status_code for r in running.state.requests_to("GET /stream-recordings")] == [
        200,
        status,
        200,
    ]


def test_slow_answer(emulator_factory: Factory) -> None:
    plan = (PlannedFault("GET /simulation-jobs", 1, "slow", seconds=0.4),)
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        started = time.monotonic()
        assert client.get("/simulation-jobs", headers=headers).status_code == 200
        assert time.monotonic() - started >= 0.4
        # a read timeout shorter than the delay sees the slowness as a timeout
        slow_again = (PlannedFault("GET /simulation-jobs", 2, "slow", seconds=0.4),)
        running.state.config = EmulatorConfig(fault_plan=slow_again)
        with pytest.raises(httpx.ReadTimeout):
            client.get("/simulation-jobs", headers=headers, timeout=0.1)


def test_a_dropped_submission_creates_no_job(emulator_factory: Factory) -> None:
    plan = (PlannedFault("POST /simulation-jobs", 1, "drop"),)
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        with pytest.raises(CONNECTION_LOST):
            client.post("/simulation-jobs", json={"script": SIMPLE_SCRIPT}, headers=headers)
        assert running.state.job_count == 0
        submit(client, headers)
    assert running.state.job_count == 1
    records = running.state.requests_to("POST /simulation-jobs")
    assert [(r.fault, r.status_code) for r in records] == [("drop", None), (None, 200)]


def test_drop_after_handling_creates_the_job_but_loses_the_answer(
    emulator_factory: Factory,
) -> None:
    plan = (PlannedFault("POST /simulation-jobs", 1, "drop_after"),)
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        with pytest.raises(CONNECTION_LOST):
            client.post("/simulation-jobs", json={"script": SIMPLE_SCRIPT}, headers=headers)
        [job_id] = running.state.jobs
        listed = client.get("/simulation-jobs", headers=headers).json()
        assert [job["job_id"] for job in listed["jobs"]] == [job_id]


def test_drop_midway_through_a_download_then_resume_with_range(emulator_factory: Factory) -> None:
    plan = (PlannedFault("GET /media/{stream_id}/{name}", 1, "drop_midway", fraction=0.4),)
    config = EmulatorConfig(
        pending_seconds=0, dispatched_seconds=0, processing_seconds=0.05, fault_plan=plan
    )
    running = emulator_factory(config)
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        job_id = submit(client, headers)["job_id"]
        time.sleep(0.1)
        [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
        received = bytearray()
        with (
            pytest.raises(CONNECTION_LOST),
            client.stream("GET", stream["video_url"]) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-length"] == str(config.video_bytes)
            for chunk in response.iter_bytes():
                received += chunk
        assert len(received) == int(config.video_bytes * 0.4)
        rest = client.get(stream["video_url"], headers={"Range": f"bytes={len(received)}-"})
        assert rest.status_code == 206
        whole = client.get(stream["video_url"]).content
        assert bytes(received) + rest.content == whole


def test_the_star_endpoint_counts_every_request(emulator_factory: Factory) -> None:
    plan = (PlannedFault("*", 3, "unavailable", seconds=0),)
    running = emulator_factory(EmulatorConfig(fault_plan=plan))
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)  # request 1
        assert client.get("/simulation-jobs", headers=headers).status_code == 200  # 2
        assert client.get("/stream-recordings", headers=headers).status_code == 503  # 3
        assert client.get("/stream-recordings", headers=headers).status_code == 200


def test_a_planned_fault_for_an_unknown_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        PlannedFault("GET /jobs", 1, "drop")
    with pytest.raises(ValueError, match="unknown fault kind"):
        PlannedFault("GET /simulation-jobs", 1, "explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        EmulatorConfig(drop_fraction=1.5)


# --- seeded random faults -------------------------------------------------------------------


def _statuses(running: RunningEmulator, count: int) -> list[int | None]:
    outcomes: list[int | None] = []
    with httpx.Client(base_url=running.url) as client:
        token = None
        while token is None:
            answer = client.post("/auth/token", json={"api_key": KEY})
            token = answer.json()["access_token"] if answer.status_code == 200 else None
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(count):
            try:
                outcomes.append(client.get("/stream-recordings", headers=headers).status_code)
            except httpx.TransportError:
                outcomes.append(None)
    return outcomes


def test_random_faults_are_reproducible_from_the_seed(emulator_factory: Factory) -> None:
    def config(seed: int) -> EmulatorConfig:
        return EmulatorConfig(
            seed=seed,
            rate_limit_fraction=0.2,
            server_error_fraction=0.1,
            drop_fraction=0.05,
            retry_after_seconds=0,
        )

    first = _statuses(emulator_factory(config(7)), 80)
    again = _statuses(emulator_factory(config(7)), 80)
    other = _statuses(emulator_factory(config(8)), 80)
    assert first == again
    assert first != other
    assert 0.15 < sum(1 for s in first if s != 200) / len(first) < 0.55
    assert {429, None} <= set(first)
    assert set(first) & {500, 502, 503}


def test_chance_follows_its_fraction() -> None:
    hits = sum(chance(3, 0.25, "draw", n) for n in range(4000))
    assert 900 < hits < 1100
    assert not any(chance(3, 0.0, "draw", n) for n in range(100))
    assert all(chance(3, 1.0, "draw", n) for n in range(100))


def test_media_downloads_get_only_planned_faults(emulator_factory: Factory) -> None:
    # every API request is rate limited, except those the plan lets through (a zero delay)
    passes = tuple(
        PlannedFault(endpoint, 1, "slow", seconds=0)
        for endpoint in (
            "POST /auth/token",
            "POST /simulation-jobs",
            "GET /simulation-jobs/{job_id}",
        )
    )
    config = EmulatorConfig(
        pending_seconds=0,
        dispatched_seconds=0,
        processing_seconds=0,
        rate_limit_fraction=1.0,
        fault_plan=passes,
    )
    running = emulator_factory(config)
    with httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        job_id = submit(client, headers)["job_id"]
        [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
        assert client.get("/simulation-jobs", headers=headers).status_code == 429
        for _ in range(5):
            assert client.get(stream["video_url"]).status_code == 200


# --- failing jobs and streams ---------------------------------------------------------------


def test_planned_job_and_stream_failures() -> None:
    config = EmulatorConfig(failing_jobs=frozenset({1}), failing_streams=frozenset({(2, 1)}))
    two_streams = [
        entry(0, "start", "one"),
        entry(1000, "end"),
        entry(2000, "start", "two"),
        entry(3000, "end"),
    ]
    with clocked_emulator(config) as (running, clock), httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        whole = submit(client, headers, script=two_streams)["job_id"]
        partial = submit(client, headers, script=two_streams)["job_id"]
        fine = submit(client, headers, script=two_streams)["job_id"]
        clock.advance(config.job_seconds)

        def status(job_id: str) -> dict[str, object]:
            body: dict[str, object] = client.get(
                f"/simulation-jobs/{job_id}", headers=headers
            ).json()
            return body

        failed = status(whole)
        assert failed["status"] == "failed"
        assert "stopped unexpectedly" in str(failed["error_message"])
        streams = failed["streams"]
        assert isinstance(streams, list)
        assert all(s["video_url"] is None and s["error_message"] for s in streams)

        half = status(partial)
        assert half["status"] == "failed"
        assert half["error_message"] == "1 of 2 streams failed to render"
        good, bad = half["streams"]  # type: ignore[misc]
        assert good["video_url"] and "error_message" not in good
        assert bad["video_url"] is None and "stream 2" in bad["error_message"]
        recording = client.get(f"/recordings/{bad['stream_id']}", headers=headers)
        assert recording.status_code == 404
        assert client.get(f"/recordings/{good['stream_id']}", headers=headers).status_code == 200

        assert status(fine)["status"] == "completed"
        listed = client.get("/simulation-jobs", params={"status": "failed"}, headers=headers)
        assert {job["job_id"] for job in listed.json()["jobs"]} == {whole, partial}
        assert all(job["error_message"] for job in listed.json()["jobs"])


def test_random_job_failures_are_reproducible() -> None:
    def outcomes(seed: int) -> list[str]:
        config = EmulatorConfig(fail_fraction=0.3, stream_fail_fraction=0.1, seed=seed)
        with (
            clocked_emulator(config) as (running, clock),
            httpx.Client(base_url=running.url) as client,
        ):
            headers = bearer(client)
            ids = [submit(client, headers)["job_id"] for _ in range(30)]
            clock.advance(config.job_seconds)
            return [running.state.status_of(job_id) for job_id in ids]

    first = outcomes(11)
    assert first == outcomes(11)
    assert set(first) == {"completed", "failed"}
