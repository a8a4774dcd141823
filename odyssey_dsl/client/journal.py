"""The local journal of submitted jobs: an append-only JSON-lines file.

Every job `odyc` submits is recorded here *before* odyc starts waiting for it, so its id
survives a closed terminal, a crash or a lost network connection. When a wait ends, a second
record notes the final status. `odyc jobs list --local` reads it back.

Location: `$ODYC_STATE_DIR/jobs.jsonl` when that variable is set (tests use it), else
`jobs.jsonl` in the user's state directory (`platformdirs.user_state_dir("odyc")`, e.g.
`~/.local/state/odyc/jobs.jsonl` on Linux).

Each line is one JSON object. A `submitted` record holds the job id, when, the API URL
(without any user:password part), the scene file and its script names; a `finished` record
holds the job id, when and the final status. The API key is never written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

STATE_DIR_ENV = "ODYC_STATE_DIR"
JOURNAL_FILE_NAME = "jobs.jsonl"


def journal_path() -> Path:
    """Where the journal lives (see the module docstring)."""
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override) / JOURNAL_FILE_NAME
    from platformdirs import user_state_dir

    return Path(user_state_dir("odyc")) / JOURNAL_FILE_NAME


def public_url(url: str) -> str:
    """`url` without a `user:password@` part, so that no credential reaches the journal."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds (`2026-01-31T12:00:00Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SubmittedRecord:
    """A job odyc submitted."""

    job_id: str
    api_url: str
    submitted_at: str = field(default_factory=now_iso)
    scene: str | None = None
    """Path of the scene file, as given on the command line (None for `--script-url` jobs)."""
    script_names: tuple[str, ...] | None = None
    script_url: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "event": "submitted",
            "job_id": self.job_id,
            "at": self.submitted_at,
            "api_url": public_url(self.api_url),
            "scene": self.scene,
            "script_names": list(self.script_names) if self.script_names is not None else None,
            "script_url": public_url(self.script_url) if self.script_url else None,
        }


@dataclass(frozen=True)
class FinishedRecord:
    """The final status a wait observed for a job."""

    job_id: str
    status: str
    finished_at: str = field(default_factory=now_iso)

    def as_json(self) -> dict[str, object]:
        return {
            "event": "finished",
            "job_id": self.job_id,
            "at": self.finished_at,
            "status": self.status,
        }


JournalRecord = SubmittedRecord | FinishedRecord


@dataclass(frozen=True)
class JournalEntry:
    """What the journal knows about one job: its submission and, if seen, its final status."""

    submitted: SubmittedRecord
    final_status: str | None = None
    finished_at: str | None = None


def append_record(record: JournalRecord, path: Path | None = None) -> Path:
    """Append one record as a JSON line and fsync it; returns the journal's path.

    The line is written with a single `write` on a file opened for appending, so concurrent
    odyc processes do not interleave their records. Raises `OSError` if it cannot be written.
    """
    target = path if path is not None else journal_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record.as_json(), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def parse_records(lines: Iterable[str]) -> tuple[list[JournalRecord], int]:
    """Parse journal lines; returns the records and how many lines were unreadable.

    A line cut short by a crash, or otherwise damaged, is skipped rather than failing the
    whole journal.
    """
    records: list[JournalRecord] = []
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            record = _record_from_json(data)
        except (ValueError, TypeError, KeyError):
            bad += 1
            continue
        records.append(record)
    return records, bad


def read_records(path: Path | None = None) -> tuple[list[JournalRecord], int]:
    """All records of the journal (none if it does not exist yet) and the unreadable count."""
    target = path if path is not None else journal_path()
    try:
        text = target.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], 0
    # only "\n" ends a record: splitlines() would also split inside a value at U+0085, U+2028...
    return parse_records(text.split("\n"))


def summarize(records: Iterable[JournalRecord]) -> list[JournalEntry]:
    """One entry per submitted job, in submission order, with its last known final status."""
    entries: dict[str, JournalEntry] = {}
    for record in records:
        if isinstance(record, SubmittedRecord):
            entries[record.job_id] = JournalEntry(record)
        else:
            known = entries.get(record.job_id)
            if known is not None:
                entries[record.job_id] = JournalEntry(
                    known.submitted, record.status, record.finished_at
                )
    return list(entries.values())


def find_submission(job_id: str, path: Path | None = None) -> SubmittedRecord | None:
    """The journal's record of submitting `job_id`, if odyc submitted it from this machine."""
    records, _ = read_records(path)
    for record in reversed(records):
        if isinstance(record, SubmittedRecord) and record.job_id == job_id:
            return record
    return None


def _record_from_json(data: Mapping[str, object]) -> JournalRecord:
    event = data["event"]
    job_id = data["job_id"]
    at = data["at"]
    if not isinstance(job_id, str) or not isinstance(at, str):
        raise TypeError("job_id and at must be strings")
    if event == "finished":
        status = data["status"]
        if not isinstance(status, str):
            raise TypeError("status must be a string")
        return FinishedRecord(job_id, status, at)
    if event != "submitted":
        raise ValueError(f"unknown journal event {event!r}")
    names = data.get("script_names")
    scene = data.get("scene")
    script_url = data.get("script_url")
    api_url = data.get("api_url")
    return SubmittedRecord(
        job_id=job_id,
        api_url=api_url if isinstance(api_url, str) else "",
        submitted_at=at,
        scene=scene if isinstance(scene, str) else None,
        script_names=tuple(str(n) for n in names) if isinstance(names, list) else None,
        script_url=script_url if isinstance(script_url, str) else None,
    )
