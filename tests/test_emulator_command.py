"""`odyc emulator` as a subprocess: starts on loopback, says where, serves, stops cleanly."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from odyssey_dsl.cli import emulator_command

CANARY_KEY = "ody_SECRET_emulator_canary"
STARTUP_TIMEOUT = 20.0


@dataclass
class EmulatorProcess:
    """A running `odyc emulator` and the lines it has printed so far."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for(self, pattern: str, timeout: float = STARTUP_TIMEOUT) -> re.Match[str]:
        """The first printed line matching `pattern` (reading further lines as needed)."""
        for line in self.seen:
            if found := re.search(pattern, line):
                return found
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matched {pattern!r}; printed so far: {self.seen}")

    def stop(self, sig: signal.Signals) -> tuple[int, str, str]:
        """Send `sig`, wait for the exit: (exit code, all of stdout, stderr)."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=15)
        while (line := self.lines.get(timeout=5)) is not None:
            self.seen.append(line)
        stderr = self.process.stderr.read() if self.process.stderr else ""
        return code, "".join(self.seen), stderr


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODYSSEY_", "ODYC_"))}
    return {**env, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


@pytest.fixture
def start_emulator() -> Iterator[object]:
    started: list[EmulatorProcess] = []

    def start(*args: str) -> EmulatorProcess:
        process = subprocess.Popen(
            [sys.executable, "-m", "odyssey_dsl", "emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        running = EmulatorProcess(process)

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                running.lines.put(line)
            running.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        started.append(running)
        return running

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=10)


def _url(emulator: EmulatorProcess) -> str:
    return emulator.wait_for(r"at (http://127\.0\.0\.1:\d+) \(loopback only").group(1)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_starts_on_loopback_serves_and_stops_cleanly(
    start_emulator: object, sig: signal.Signals
) -> None:
    emulator = start_emulator()  # type: ignore[operator]
    url = _url(emulator)
    emulator.wait_for(rf"ODYSSEY_API_URL={re.escape(url)} ODYSSEY_API_KEY=ody_local odyc ")
    token = httpx.post(f"{url}/auth/token", json={"api_key": "ody_local"})
    assert token.status_code == 200
    emulator.wait_for(r"POST\s+/auth/token\s+200$")
    code, stdout, stderr = emulator.stop(sig)
    assert code == 0, stderr
    assert "stopped (0 jobs, 1 requests served)" in stdout
    assert "Traceback" not in stdout + stderr
    assert token.json()["access_token"] not in stdout + stderr


def test_accepted_keys_and_faults_from_the_command_line(start_emulator: object) -> None:
    emulator = start_emulator(  # type: ignore[operator]
        "--api-key", CANARY_KEY, "--fault", "POST /auth/token#1=rate_limit", "--retry-after", "0"
    )
    url = _url(emulator)
    limited = httpx.post(f"{url}/auth/token", json={"api_key": CANARY_KEY})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "0"
    emulator.wait_for(r"POST\s+/auth/token\s+429  \[fault: rate_limit\]")
    assert httpx.post(f"{url}/auth/token", json={"api_key": CANARY_KEY}).status_code == 200
    assert httpx.post(f"{url}/auth/token", json={"api_key": "ody_local"}).status_code == 401
    code, stdout, stderr = emulator.stop(signal.SIGINT)
    assert code == 0
    assert CANARY_KEY not in stdout + stderr
    assert "<one of your --api-key values>" in stdout


def test_quiet_prints_no_request_lines(start_emulator: object) -> None:
    emulator = start_emulator("--quiet", "--speed", "4")  # type: ignore[operator]
    url = _url(emulator)
    emulator.wait_for(r"A job takes about 1\.25 s")
    assert httpx.get(f"{url}/simulation-jobs").status_code == 401
    code, stdout, _ = emulator.stop(signal.SIGTERM)
    assert code == 0
    assert "/simulation-jobs" not in stdout
    assert "1 requests served" in stdout


def _odyc_emulator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        check=False,
    )


def test_help_explains_the_options() -> None:
    done = _odyc_emulator("--help")
    assert done.returncode == 0
    for text in ("127.0.0.1", "--speed", "--fail-fraction", "drop_midway", "ODYSSEY_API_URL"):
        assert text in done.stdout


def test_an_invalid_option_is_a_usage_error() -> None:
    done = _odyc_emulator("--fail-fraction", "2")
    assert done.returncode == 2
    assert "between 0 and 1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "above zero"),
        (["--port", "70000"], "between 0 and 65535"),
        (["--drop-fraction", "lots"], "between 0 and 1"),
        (["--fault", "GET /nowhere#1=drop"], "unknown endpoint"),
        (["--fault", "POST /auth/token#first=drop"], "whole number"),
        (["--fault", "POST /auth/token#1=explode"], "unknown fault kind"),
        (["--fault", "nonsense"], "ENDPOINT#N=KIND"),
    ],
)
def test_option_errors_say_what_is_wrong(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # in-process: the same code path as the subprocess above, without a second of start-up each
    with pytest.raises(SystemExit) as stopped:
        emulator_command.run(args)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _odyc_emulator("--port", str(port))
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "--port 0" in done.stderr
    assert "Traceback" not in done.stderr
