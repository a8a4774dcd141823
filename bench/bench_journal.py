"""Benchmark: `odyc jobs list --local` on a journal of 100,000 records.

Writes a journal of N records (submissions, and a finished record for most jobs) into a
temporary folder, then measures side by side, in one run:

- reading the last 20 entries backwards (`journal.recent_entries(20)`, what the command does)
  against parsing the whole journal and keeping its last 20 entries (`summarize(read_records())`,
  what it did before), as a ratio;
- the whole command, `odyc jobs list --local --json` in a fresh process, on that journal
  against the same command on an empty journal (start-up and imports alike), as a ratio.

Both listings are checked to be equal before any time counts.

Run: `.venv/bin/python bench/bench_journal.py` (`--records N`, `--repeat K`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from odyssey_dsl.client import journal

SHOWN = 20


def write_journal(path: Path, records: int) -> None:
    """A journal of `records` lines: each job submitted, then (for 9 jobs in 10) finished."""
    lines: list[str] = []
    job = 0
    while len(lines) < records:
        job_id = f"{job:08x}-4b1f-4c2a-9d3e-{job:012x}"
        submitted = journal.SubmittedRecord(
            job_id,
            "https://api.odyssey.ml",
            "2026-01-31T12:00:00Z",
            scene=f"scenes/scene_{job}.ody",
            script_names=("intro", "main"),
        )
        lines.append(json.dumps(submitted.as_json(), ensure_ascii=False))
        if job % 10 and len(lines) < records:
            streams = ((f"str_{job:x}_0", 0), (f"str_{job:x}_1", 1))
            finished = journal.FinishedRecord(job_id, "completed", "2026-01-31T12:05:00Z", streams)
            lines.append(json.dumps(finished.as_json(), ensure_ascii=False))
        job += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def whole_journal_tail(path: Path) -> list[journal.JournalEntry]:
    """The former way: parse every line, summarize, keep the end."""
    return journal.summarize(journal.read_records(path)[0])[-SHOWN:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / journal.JOURNAL_FILE_NAME
        write_journal(path, options.records)
        size = path.stat().st_size
        backwards = journal.recent_entries(SHOWN, path=path)
        assert backwards.entries == whole_journal_tail(path), "the two listings differ"
        assert backwards.more and backwards.damaged == 0

        old = best_of(options.repeat, lambda: whole_journal_tail(path))
        new = best_of(options.repeat, lambda: journal.recent_entries(SHOWN, path=path))
        empty = Path(folder) / "empty"
        empty.mkdir()
        listing = [sys.executable, "-m", "odyssey_dsl", "jobs", "list", "--local", "--json"]

        def run(state_dir: str) -> None:
            env = {**os.environ, journal.STATE_DIR_ENV: state_dir}
            subprocess.run(listing, env=env, check=True, capture_output=True)

        command = best_of(options.repeat, lambda: run(folder))
        start_up = best_of(options.repeat, lambda: run(str(empty)))

    print(f"journal: {options.records:,} records, {size / 1e6:.1f} MB")
    print(
        f"last {SHOWN} entries: whole journal {old * 1000:.0f} ms, backwards "
        f"{new * 1000:.2f} ms: {old / new:.0f}x faster"
    )
    print(
        f"`odyc jobs list --local --json`: {command * 1000:.0f} ms on this journal / "
        f"{start_up * 1000:.0f} ms on an empty one = {command / start_up:.2f}x"
    )
    print(f"(best of {options.repeat}; median load {statistics.median(os.getloadavg()):.1f})")


if __name__ == "__main__":
    main()
