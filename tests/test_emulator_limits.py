"""The emulator's limits: request bodies, finished jobs kept, clients that go away, URLs it
refuses. Over real HTTP on loopback; `odyc emulator` itself runs as a subprocess where its
memory or its output is what the test looks at."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_support import odyc_env, run_odyc
from conftest import FAST_EMULATOR
from emulator_support import SIMPLE_SCRIPT, bearer, clocked_emulator, submit

from odyssey_dsl.cli.argument_types import format_size
from odyssey_dsl.cli.emulator_command import (
    DEFAULT_MAX_BODY_SIZE_HELP,
    DEFAULT_MAX_FINISHED_JOBS_HELP,
)
from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator, running_emulator
from odyssey_dsl.emulator.config import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_FINISHED_JOBS

MiB = 1024 * 1024


def raw_request(url: str, head: bytes, body: bytes = b"") -> bytes:
    """Send `head` (and `body`) on a fresh connection; the answer (a Content-Length one)."""
    host, port = url.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        while True:
            chunk = sock.recv(65536)
            answer += chunk
            headers, _, rest = answer.partition(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", headers, re.IGNORECASE)
            if not chunk or (length is not None and len(rest) >= int(length.group(1))):
                return answer


# --- request bodies -------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_413_and_one_within_it_is_read() -> None:
    config = dataclasses.replace(FAST_EMULATOR, max_body_bytes=4096)
    with running_emulator(config) as emulator, httpx.Client(base_url=emulator.url) as client:
        headers = bearer(client)
        announced = raw_request(
            emulator.url,
            b"POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 314572800\r\n\r\n",
        )
        streamed = client.post(
            "/simulation-jobs", content=(b"x" * 1024 for _ in range(100)), headers=headers
        )
        fits = submit(client, headers, script=SIMPLE_SCRIPT)
    assert announced.startswith(b"HTTP/1.1 413 ")
    assert b"the limit is 4096 bytes" in announced
    assert streamed.status_code == 413
    assert streamed.json() == {"detail": "Request body too large: the limit is 4096 bytes"}
    assert fits["status"] == "pending"


@contextlib.contextmanager
def odyc_emulator(*options: str) -> Iterator[tuple[str, subprocess.Popen[str], list[str]]]:
    """`odyc emulator --port 0 OPTIONS` as a subprocess: its URL, the process and its output
    lines (read as they come)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "odyssey_dsl", "emulator", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    assert process.stdout is not None
    first = process.stdout.readline()
    lines.append(first)
    match = re.search(r"at (http://127\.0\.0\.1:\d+)", first)
    assert match, first
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        yield match.group(1), process, lines
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=5)


@pytest.fixture(scope="module")
def emulator_process() -> Iterator[tuple[str, subprocess.Popen[str], list[str]]]:
    """One `odyc emulator` with the default limits for the tests of this module."""
    with odyc_emulator() as running:
        yield running


def test_the_limits_can_be_set_on_the_command_line() -> None:
    with odyc_emulator("--max-body-size", "1K", "--quiet") as (url, _, _):
        small = httpx.post(url + "/auth/token", json={"api_key": "ody_k"})
        large = httpx.post(url + "/auth/token", json={"api_key": "ody_" + "k" * 1024})
    assert (small.status_code, large.status_code) == (200, 413)


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert match, status
    return int(match.group(1)) * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_300_mb_streamed_body_is_refused_without_filling_memory(
    emulator_process: tuple[str, subprocess.Popen[str], list[str]],
) -> None:
    url, process, _ = emulator_process
    before = peak_memory(process.pid)
    chunks = (b"\0" * MiB for _ in range(300))  # chunked: no length announced
    with httpx.Client(timeout=60) as client:
        answer = client.post(url + "/auth/token", content=chunks)
        assert client.get(url + "/").status_code == 200  # still serving
    grown = peak_memory(process.pid) - before
    assert answer.status_code == 413
    assert grown < DEFAULT_MAX_BODY_BYTES + 80 * MiB, f"the emulator grew by {grown // MiB} MiB"


def test_a_client_that_goes_away_is_one_line_of_the_log(
    emulator_process: tuple[str, subprocess.Popen[str], list[str]],
) -> None:
    url, _, lines = emulator_process
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b'{"api'
        )
        time.sleep(0.3)
    raw_request(url, b"GET /simulation-jobs/%1b%5b2J%1b]0;x%07 HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 10
    while not any("GET" in line and "/simulation-jobs/" in line for line in lines):
        assert time.monotonic() < deadline, "".join(lines)
        time.sleep(0.05)
    output = "".join(lines)
    assert "Traceback" not in output and " 500" not in output
    gone = [line.rstrip() for line in lines if "client disconnected" in line]
    assert len(gone) == 1 and gone[0].endswith("POST   /auth/token  client disconnected")
    assert "/simulation-jobs/\\x1b[2J\\x1b]0;x\\x07  401" in output
    assert "\x1b" not in output


def test_a_disconnected_client_is_recorded_as_such(emulator: RunningEmulator) -> None:
    host, port = emulator.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{")
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while not emulator.state.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    (record,) = emulator.state.requests
    assert record.client_gone and record.status_code is None


def test_the_documented_defaults_are_the_real_ones() -> None:
    assert format_size(DEFAULT_MAX_BODY_BYTES) == DEFAULT_MAX_BODY_SIZE_HELP
    assert str(DEFAULT_MAX_FINISHED_JOBS) == DEFAULT_MAX_FINISHED_JOBS_HELP
    config = EmulatorConfig()
    assert (config.max_body_bytes, config.max_finished_jobs) == (
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_FINISHED_JOBS,
    )


# --- finished jobs --------------------------------------------------------------------------


def test_finished_jobs_are_kept_up_to_the_cap_oldest_dropped_first() -> None:
    config = EmulatorConfig(max_finished_jobs=3, failing_jobs=frozenset({7}))
    with (
        clocked_emulator(config) as (emulator, clock),
        httpx.Client(base_url=emulator.url) as client,
    ):
        headers = bearer(client)

        def submitted(count: int) -> list[str]:
            return [submit(client, headers)["job_id"] for _ in range(count)]

        def kept(job_ids: list[str]) -> list[bool]:
            answers = [client.get(f"/simulation-jobs/{j}", headers=headers) for j in job_ids]
            return [answer.status_code == 200 for answer in answers]

        first = submitted(4)
        assert emulator.state.job_count == 4  # nothing finished, nothing dropped
        clock.advance(60)  # the four finish
        stream = client.get(f"/simulation-jobs/{first[0]}", headers=headers).json()["streams"][0]
        second = submitted(3)  # the 1st submission finds 4 finished: the oldest goes
        assert kept(first + second) == [False, True, True, True, True, True, True]
        assert client.get(f"/recordings/{stream['stream_id']}", headers=headers).status_code == 404
        clock.advance(60)  # six finished now
        third = submitted(1)  # the three oldest finished go
        assert kept(first + second + third) == [False] * 4 + [True] * 4
        seventh = client.get(f"/simulation-jobs/{second[-1]}", headers=headers).json()
    assert emulator.state.job_count == 4
    assert seventh["status"] == "failed"  # the 7th job, counted across the dropped ones


def test_jobs_still_running_are_never_dropped() -> None:
    config = EmulatorConfig(max_finished_jobs=1, pending_seconds=3600)
    with running_emulator(config) as emulator, httpx.Client(base_url=emulator.url) as client:
        headers = bearer(client)
        ids = [submit(client, headers)["job_id"] for _ in range(5)]
        assert all(
            client.get(f"/simulation-jobs/{j}", headers=headers).status_code == 200 for j in ids
        )
    assert emulator.state.job_count == 5


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"), [("notaurl", "url_parsing"), ("ftp://example.com/s.json", "url_scheme")]
)
def test_a_script_url_that_is_not_a_url_gets_422(
    url: str, kind: str, emulator: RunningEmulator
) -> None:
    with httpx.Client(base_url=emulator.url) as client:
        answer = client.post("/simulation-jobs", json={"script_url": url}, headers=bearer(client))
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["type"] == kind and problem["loc"] == ["body", "script_url"]
    assert problem["input"] == url
    assert emulator.state.job_count == 0


def test_odyc_jobs_submit_with_a_script_url_that_is_not_a_url(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    result = run_odyc(
        ["jobs", "submit", "--script-url", "notaurl"], odyc_env(emulator.url, tmp_path)
    )
    assert result.returncode == 5
    assert "(422 Unprocessable Entity): script_url: Input should be a valid URL" in result.stderr
    assert emulator.state.job_count == 0
    assert not (tmp_path / "jobs.jsonl").exists()
