"""Hostile scenes against odyc's budget: each must take at most 2 s and 300 MB above the
interpreter, and end in a clear diagnostic (issue 7). Figures as ratios to that budget.

    python bench/bench_hostile.py   # (`make bench`)

Each case is written to a temporary folder and checked by `odyc check --format json` in its
own process; its wall time and its own peak RSS (`wait4`) are measured, minus those of a
process checking a two-line scene (the interpreter and odyc's imports).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 2.0
BUDGET_MB = 300.0

TINY = 'at 0s: start "a cat"\nat 1s: end\n'
NESTED_FOR = "{% for a in 'x' %}" * 25 + "y" + "{% endfor %}" * 25


def _sparse(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)

    return write


def _text(make: Callable[[], str]) -> Callable[[Path], None]:
    return lambda path: path.write_text(make(), encoding="utf-8")


def _template(body: str) -> Callable[[Path], None]:
    return _text(lambda: f'at 0s: start "{body}"\nat 1s: end\n')


CASES: dict[str, Callable[[Path], None]] = {
    "200 MB of NUL bytes": _sparse(200_000_000),
    "20 MB line of NUL bytes": _text(lambda: "\0" * 20_000_000),
    "20 MB line of zeros": _text(lambda: "0" * 20_000_000),
    "64 MiB of `0` lines": _text(lambda: "0\n" * (32 * 1024 * 1024)),
    "1,000,000 bad lines": _text(lambda: "".join(f"x{i} here\n" for i in range(1_000_000))),
    "10,000 tabs": _text(lambda: "\t" * 10_000 + "\n"),
    "5 MB string, then a mistake": _text(lambda: 'let x = "' + "a" * 5_000_000 + '" 1\n'),
    "5,000-digit number": _text(lambda: "let x = " + "9" * 5_000 + "\n" + TINY),
    "1,000 nested blocks": _text(
        lambda: "".join("  " * i + "repeat 1 every 1s:\n" for i in range(1_000)) + "  end\n"
    ),
    "200 nested brackets": _text(lambda: "let x = " + "[" * 200 + "]" * 200 + "\n" + TINY),
    "nested range(100000) loops": _template(
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    ),
    "center(10**9)": _template("{{ 'a'|center(10**9) }}"),
    "25 nested for": _template(NESTED_FOR),
}


def measure(path: Path) -> tuple[float, float, list[str]]:
    """(seconds, peak RSS in MB, diagnostic codes) of `odyc check --format json PATH`."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "odyssey_dsl", "check", "--format", "json", str(path)],
            stdout=out,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        _, _, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        out.seek(0)
        found = json.loads(out.read() or b"[]")
    return seconds, usage.ru_maxrss / 1024, sorted({d["code"] for d in found})


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder, "tiny.ody")
        tiny.write_text(TINY, encoding="utf-8")
        base_seconds, base_mb, _ = min(measure(tiny) for _ in range(3))
        print(f"baseline (a two-line scene): {base_seconds:.2f} s, {base_mb:.0f} MB")
        print(f"{'case':32} {'s':>6} {'/2 s':>6} {'MB':>6} {'/300':>6}  codes")
        over = 0
        for name in CASES:
            path = Path(folder, "case.ody")
            # Written by another process: this one stays small, so that the peak RSS of a
            # child (which starts from this process's on Linux) is the child's own.
            subprocess.run([sys.executable, __file__, "--write", name, str(path)], check=True)
            seconds, mb, codes = measure(path)
            path.unlink()
            extra_s, extra_mb = seconds - base_seconds, mb - base_mb
            ratio_s, ratio_mb = extra_s / BUDGET_SECONDS, extra_mb / BUDGET_MB
            over += ratio_s > 1 or ratio_mb > 1 or "E999" in codes
            print(
                f"{name:32} {extra_s:6.2f} {ratio_s:6.2f} {extra_mb:6.0f} {ratio_mb:6.2f}  "
                + ", ".join(codes)
            )
    print(f"{over} case(s) over the budget")
    return 1 if over else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        CASES[sys.argv[2]](Path(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
