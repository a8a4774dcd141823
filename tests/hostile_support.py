"""Running `odyc` as a subprocess on a hostile scene, measuring its time and peak memory.

The peak resident set size is that of the one child (`os.wait4`), so other processes the
test run started do not count. A hang is caught by a generous guard that kills the child;
no test asserts a time.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cli_support import assert_clean_output

HANG_GUARD_SECONDS = 60
"""A child still running after this long is killed and the test fails: it hung."""

MAX_EXTRA_RSS_MB = 300
"""A hostile scene may use at most this much memory above an `odyc` that checks a tiny scene."""


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def run_measured(
    args: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measured:
    """Run `python -m odyssey_dsl ARGS` to completion; its exit code, output, wall time and
    peak RSS. Fails the test if it hangs or prints a traceback."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ODYSSEY_", "ODYC_"))}
    environment.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", **(env or {})})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "odyssey_dsl", *args],
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        guard = threading.Timer(HANG_GUARD_SECONDS, process.kill)
        guard.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            guard.cancel()
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        assert process.returncode != -9, f"odyc {list(args)} hung for {HANG_GUARD_SECONDS} s"
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    assert_clean_output(stdout, stderr)
    return Measured(process.returncode, stdout, stderr, seconds, usage.ru_maxrss / 1024)


@functools.cache
def baseline_rss_mb() -> float:
    """The peak RSS of `odyc check` on a tiny scene: the interpreter and odyc's imports."""
    with tempfile.TemporaryDirectory() as folder:
        scene = Path(folder, "tiny.ody")
        scene.write_text('at 0s: start "a cat"\nat 1s: end\n', encoding="utf-8")
        return run_measured(["check", str(scene)]).peak_rss_mb


def assert_bounded(measured: Measured) -> None:
    """At most `MAX_EXTRA_RSS_MB` above the baseline, and never an internal error."""
    extra = measured.peak_rss_mb - baseline_rss_mb()
    assert extra <= MAX_EXTRA_RSS_MB, f"{extra:.0f} MB above the interpreter"
    assert "E999" not in measured.stdout + measured.stderr
    assert "internal error" not in measured.stdout + measured.stderr
