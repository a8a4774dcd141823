"""Running `odyc` as a subprocess against an emulator, for the CLI tests of the job commands.

Every run gets a distinctive API key (`CANARY_KEY`) so that tests can assert it never shows up
in anything odyc prints or writes.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odyssey_dsl.emulator import RunningEmulator
from odyssey_dsl.emulator.state import RequestRecord

CANARY_KEY = "ody_SECRET_canary_123"
"""The API key of every CLI test: grep for it everywhere."""

SMALL_SCENE = 'at 0s: start "a cat"\nat 3s: end\n'

# Ctrl-C reaches Python as KeyboardInterrupt only if SIGINT was not ignored when the process
# started; a test runner may run with SIGINT ignored (which a child inherits), so the SIGINT
# tests start odyc through this equivalent of `python -m odyssey_dsl` that restores it first.
SIGINT_READY_MAIN = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from odyssey_dsl.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def odyc_env(
    api_url: str | None, state_dir: Path, *, key: str | None = CANARY_KEY
) -> dict[str, str]:
    """The environment of an odyc subprocess: no inherited Odyssey settings, a private journal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODYSSEY_", "ODYC_"))}
    env.update({"ODYC_STATE_DIR": str(state_dir), "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    if api_url is not None:
        env["ODYSSEY_API_URL"] = api_url
    if key is not None:
        env["ODYSSEY_API_KEY"] = key
    return env


def run_odyc(
    args: Sequence[str],
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m odyssey_dsl ARGS` to completion; asserts no traceback and no key leak."""
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert_clean_output(completed.stdout, completed.stderr)
    return completed


def file_size_limit(limit: int) -> Callable[[], None]:
    """A `preexec_fn` that caps the size of any file the child writes at `limit` bytes, as
    `ulimit -f` does, with SIGXFSZ ignored so that the write fails (EFBIG) instead of
    killing the child."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_odyc_to(
    args: Sequence[str],
    env: dict[str, str],
    stdout_path: Path,
    *,
    cwd: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> tuple[int, str]:
    """Run odyc with its stdout written to `stdout_path` (a file, device or FIFO, opened for
    writing and never created or replaced here); returns (exit code, stderr)."""
    fd = os.open(stdout_path, os.O_WRONLY | os.O_NOCTTY)
    try:
        return run_odyc_with_stdout(args, env, fd, cwd=cwd, preexec_fn=preexec_fn)
    finally:
        os.close(fd)


def run_odyc_into_closed_pipe(
    args: Sequence[str], env: dict[str, str], *, cwd: Path | None = None
) -> tuple[int, str]:
    """Run odyc with its stdout a pipe whose reader has already gone (`odyc ... | true`, or
    `| head` once head has read its lines); returns (exit code, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return run_odyc_with_stdout(args, env, write_end, cwd=cwd)
    finally:
        os.close(write_end)


def run_odyc_with_stdout(
    args: Sequence[str],
    env: dict[str, str],
    stdout_fd: int,
    *,
    cwd: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run odyc with the file descriptor `stdout_fd` as its stdout; returns (exit code,
    stderr) after checking that stderr holds no traceback and no key."""
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout_fd,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
        timeout=timeout,
    )
    assert_clean_output("", completed.stderr)
    return completed.returncode, completed.stderr


def assert_clean_output(stdout: str, stderr: str) -> None:
    """No traceback and no API key in what odyc printed."""
    for name, text in (("stdout", stdout), ("stderr", stderr)):
        assert CANARY_KEY not in text, f"the API key leaked into {name}:\n{text}"
        assert "Traceback (most recent call last)" not in text, f"traceback on {name}:\n{text}"
        assert "Exception ignored" not in text, f"an exception was ignored on {name}:\n{text}"


def assert_no_key_in_tree(root: Path) -> None:
    """The API key appears in no file name and no file content under `root`."""
    for path in root.rglob("*"):
        assert CANARY_KEY not in path.name
        if path.is_file():
            assert CANARY_KEY.encode() not in path.read_bytes(), f"the API key leaked into {path}"


@dataclass
class RunningOdyc:
    """An odyc subprocess whose stderr is read line by line as it comes."""

    process: subprocess.Popen[str]
    stderr_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @classmethod
    def start(
        cls, args: Sequence[str], env: dict[str, str], cwd: Path | None = None
    ) -> RunningOdyc:
        process = subprocess.Popen(
            [sys.executable, "-c", SIGINT_READY_MAIN, *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        running = cls(process)
        running._reader = threading.Thread(target=running._read_stderr, daemon=True)
        running._reader.start()
        return running

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def wait_for_stderr(self, text: str, timeout: float = 30) -> str:
        """Block until a stderr line contains `text`; returns that line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stderr_lines):
                if text in line:
                    return line
            if self.process.poll() is not None and self._reader is not None:
                self._reader.join(timeout=1)
                if not any(text in line for line in self.stderr_lines):
                    break
            time.sleep(0.02)
        raise AssertionError(f"odyc never printed {text!r}; stderr so far:\n{self.stderr}")

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        """Wait for the exit; returns (exit code, stdout, stderr) after checking for leaks."""
        assert self.process.stdout is not None
        stdout = self.process.stdout.read()
        code = self.process.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout=5)
        assert_clean_output(stdout, self.stderr)
        return code, stdout, self.stderr

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def logged_requests(
    emulator: RunningEmulator, endpoint: str, at_least: int = 0
) -> list[RequestRecord]:
    """The emulator's log of `endpoint` once it holds `at_least` records and has settled.

    The emulator logs a request just after answering it, so a client (or a finished odyc
    process) can be a moment ahead of the log.
    """
    deadline = time.monotonic() + 5
    while len(emulator.state.requests_to(endpoint)) < at_least and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    return emulator.state.requests_to(endpoint)


def submitted_job_id(stderr: str) -> str:
    """The job id from odyc's `submitted job ID` line."""
    for line in stderr.splitlines():
        if line.startswith("submitted job "):
            return line.removeprefix("submitted job ").strip()
    raise AssertionError(f"no 'submitted job' line in:\n{stderr}")


def run_on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run odyc with stdout and stderr on a pseudo-terminal; returns (exit code, screen)."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "odyssey_dsl", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: odyc has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=30), b"".join(chunks).decode("utf-8", errors="replace")
