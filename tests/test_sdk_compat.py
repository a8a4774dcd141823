"""The official JavaScript SDK (`@odysseyml/odyssey`), pointed at the emulator with `API_URL`,
can simulate, read statuses, list, cancel and fetch recordings.

The SDK is installed with npm into `.cache/` (reused when present), never committed. The test
skips only where node or npm are missing or the npm registry cannot be reached.
The expected field names are read from the installed SDK's own type declarations.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator, running_emulator

SDK_PACKAGE = "@odysseyml/odyssey"
SDK_VERSION = "1.3.1"
REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / f"odyssey-sdk-{SDK_VERSION}"
SCRIPT = Path(__file__).parent / "sdk" / "sdk_calls.mjs"
API_KEY = "ody_sdk_compat"
SDK_CONFIG = EmulatorConfig(pending_seconds=0.1, dispatched_seconds=0.1, processing_seconds=0.3)


def _sdk_dist(root: Path) -> Path:
    return root / "node_modules" / "@odysseyml" / "odyssey" / "dist"


def _install_sdk() -> Path:
    """The SDK's dist directory, installed into the cache on first use."""
    if _sdk_dist(CACHE).joinpath("index.js").is_file():
        return _sdk_dist(CACHE)
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the official JavaScript SDK")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    # Install beside the cache, then rename: parallel test workers never see half an install.
    staging = CACHE.parent / f"{CACHE.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(staging)]
    try:
        done = subprocess.run(
            [*command, f"{SDK_PACKAGE}@{SDK_VERSION}"],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip("npm could not install the SDK within 3 minutes (is the registry reachable?)")
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"npm could not install {SDK_PACKAGE}@{SDK_VERSION}: {last}")
    try:
        staging.rename(CACHE)
    except OSError:  # another worker finished first
        shutil.rmtree(staging, ignore_errors=True)
    return _sdk_dist(CACHE)


@dataclass(frozen=True)
class SdkRun:
    """What the SDK returned (`result`), and the emulator it talked to."""

    result: dict[str, Any]
    emulator: RunningEmulator
    dist: Path


@pytest.fixture(scope="module")
def sdk_run() -> Iterator[SdkRun]:
    dist = _install_sdk()
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is needed to run the official JavaScript SDK")
    with running_emulator(SDK_CONFIG) as emulator:
        env = {
            **os.environ,
            "API_URL": emulator.url,
            "ODYSSEY_API_KEY": API_KEY,
            "ODYSSEY_SDK_ENTRY": str(dist / "index.js"),
        }
        done = subprocess.run(
            [node, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"the SDK script failed:\n{done.stderr}"
        yield SdkRun(json.loads(done.stdout), emulator, dist)


def declared_fields(dist: Path, interface: str) -> set[str]:
    """The top-level field names of a TypeScript interface in the SDK's declarations."""
    return set(_fields(_interface_body(dist, interface)))


def declared_stream_fields(dist: Path) -> set[str]:
    """The field names of the `streams` items of `SimulateStatus`."""
    body = _interface_body(dist, "SimulateStatus")
    start = body.index("streams: Array<{") + len("streams: Array<")
    return set(_fields(_balanced(body, start)))


def _interface_body(dist: Path, interface: str) -> str:
    for path in sorted(dist.glob("*.d.ts")):
        text = path.read_text(encoding="utf-8")
        match = re.search(rf"\binterface {interface} \{{", text)
        if match:
            return _balanced(text, match.end() - 1)
    raise AssertionError(f"the SDK declares no interface {interface}")


def _balanced(text: str, open_brace: int) -> str:
    depth = 0
    for index in range(open_brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[open_brace + 1 : index]
    raise AssertionError("unbalanced braces in the SDK's declarations")


def _fields(body: str) -> list[str]:
    flat = body
    while re.search(r"\{[^{}]*\}", flat):
        flat = re.sub(r"\{[^{}]*\}", "", flat)
    flat = re.sub(r"/\*.*?\*/", "", flat, flags=re.DOTALL)
    return re.findall(r"^\s*(\w+)\??:", flat, flags=re.MULTILINE)


def test_simulate_returns_the_declared_submission_shape(sdk_run: SdkRun) -> None:
    submitted = sdk_run.result["submitted"]
    assert set(submitted) == declared_fields(sdk_run.dist, "SimulateResult")
    assert submitted["status"] == "pending"
    job = sdk_run.emulator.state.jobs[submitted["job_id"]]
    assert job.portrait is False
    # the four accepted submissions; the one with a negative timestamp was refused
    assert sdk_run.emulator.state.job_count == 4


def test_status_has_the_declared_fields_and_reaches_completed(sdk_run: SdkRun) -> None:
    first, final = sdk_run.result["firstStatus"], sdk_run.result["finalStatus"]
    declared = declared_fields(sdk_run.dist, "SimulateStatus")
    assert set(first) == declared
    assert set(final) == declared
    # Not yet finished. On a loaded machine the emulator's 0.2 s of pending + dispatched can
    # pass before node's first poll, so `processing` is an early status too.
    assert first["status"] in {"pending", "dispatched", "processing"}
    assert final["status"] == "completed"
    [stream] = final["streams"]
    assert set(stream) == declared_stream_fields(sdk_run.dist)
    assert stream["script_index"] == 0
    assert stream["duration_seconds"] == 4.0


def test_batch_and_hosted_scripts_get_one_stream_per_start(sdk_run: SdkRun) -> None:
    batch = sdk_run.result["batchStatus"]
    assert [s["script_index"] for s in batch["streams"]] == [0, 0, 1]
    state = sdk_run.emulator.state
    assert state.jobs[batch["job_id"]].bypass_prompt_expansion is True
    hosted = state.jobs[sdk_run.result["hosted"]["job_id"]]
    assert hosted.script_url == "https://example.com/script.json"
    assert len(hosted.streams) == 1


def test_cancel_simulation(sdk_run: SdkRun) -> None:
    to_cancel = sdk_run.result["toCancel"]["job_id"]
    assert sdk_run.result["cancelled"] == {"job_id": to_cancel, "status": "cancelled"}
    assert sdk_run.result["cancelledStatus"]["status"] == "cancelled"
    assert sdk_run.emulator.state.status_of(to_cancel) == "cancelled"


def test_list_simulations_pages_and_filters(sdk_run: SdkRun) -> None:
    listed, page2 = sdk_run.result["listed"], sdk_run.result["listedPage2"]
    declared = declared_fields(sdk_run.dist, "SimulationsList")
    assert set(listed) == declared
    assert (listed["total"], listed["limit"], listed["offset"]) == (4, 2, 0)
    assert (page2["total"], page2["limit"], page2["offset"]) == (4, 2, 2)
    ids = [job["job_id"] for job in listed["jobs"] + page2["jobs"]]
    assert sorted(ids) == sorted(sdk_run.emulator.state.jobs)
    cancelled = sdk_run.result["listedCancelled"]["jobs"]
    assert [job["job_id"] for job in cancelled] == [sdk_run.result["toCancel"]["job_id"]]
    active = sdk_run.result["listedActive"]["jobs"]
    assert all(job["status"] in {"pending", "dispatched", "processing"} for job in active)


def test_get_recording_gives_urls_that_serve_files(sdk_run: SdkRun) -> None:
    recording = sdk_run.result["recording"]
    assert set(recording) == declared_fields(sdk_run.dist, "Recording")
    assert recording["stream_id"] == sdk_run.result["finalStatus"]["streams"][0]["stream_id"]
    video = httpx.get(recording["video_url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    events = httpx.get(recording["events_url"]).json()
    assert [event["type"] for event in events["events"]] == ["start", "interact", "end"]


def test_list_stream_recordings(sdk_run: SdkRun) -> None:
    listing = sdk_run.result["streamRecordings"]
    assert set(listing) == declared_fields(sdk_run.dist, "StreamRecordingsListResponse")
    assert listing["limit"] == 10
    assert sdk_run.result["streamRecordingsDefault"]["limit"] == 20
    declared = declared_fields(sdk_run.dist, "StreamRecordingSummary")
    known = {s.stream_id: job for job in sdk_run.emulator.state.jobs.values() for s in job.streams}
    assert listing["total"] >= 4  # the first job's stream and the batch's three, at least
    for recording in listing["recordings"]:
        assert set(recording) == declared
        job = known[recording["stream_id"]]
        expected_size = (720, 1280) if job.portrait else (1280, 720)
        assert (recording["width"], recording["height"]) == expected_size


def test_sdk_error_paths_get_the_answers_it_expects(sdk_run: SdkRun) -> None:
    errors = sdk_run.result["errors"]
    assert errors["missingJob"] == "Simulation job not found"
    assert errors["missingRecording"] == "Recording not found"
    assert errors["cancelCompleted"].startswith("Cannot cancel a job that is completed")
    assert errors["badScript"].startswith("Failed to submit simulation: 422")
    assert errors["badKey"] == "Invalid API key"
