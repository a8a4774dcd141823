"""The local journal of submitted jobs: an append-only JSON-lines file.

Every job `odyc` submits is recorded here *before* odyc starts waiting for it, so its id
survives a closed terminal, a crash or a lost network connection. When a wait ends, a second
record notes the final status. `odyc jobs list --local` reads it back.

Location: `$ODYC_STATE_DIR/jobs.jsonl` when that variable is set (tests use it), else
`jobs.jsonl` in the user's state directory (`platformdirs.user_state_dir("odyc")`, e.g.
`~/.local/state/odyc/jobs.jsonl` on Linux).

Each line is one JSON object. A `submitted` record holds the job id, when, the API URL
(without any user:password part), the scene file and its script names; a `finished` record
holds the job id, when, the final status and (for a completed job) its streams, so that a
stream's recording can later be named after its scene. The API key is never written.
Lines are pure ASCII (JSON escapes every other character): a status or stream id that a
server filled with terminal controls or bidi overrides cannot act on a terminal that shows
the file (`cat jobs.jsonl`).

Safety:
- The state folder is created with mode 0700 and the journal with 0600: only its owner reads
  which scenes were submitted where.
- A journal that is a symbolic link, or not a regular file, is refused (`UnsafeJournalError`)
  rather than followed: a link planted there could make odyc append to another file.
- Each record is one `write` (continued if the kernel takes only part of it), then fsynced.
  A record cut short by a killed process or a full disk leaves a line without its newline;
  the next append starts on a fresh line, so that damage never swallows a later record (and
  a reader also recovers records that an older odyc glued onto a torn line).

Readers that need only the end of the journal (`recent_entries`, `find_submission`,
`find_stream`) read it backwards, block by block, and stop as soon as they know enough, so
`odyc jobs list --local` stays fast however long the journal grows.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from odyssey_dsl.files import write_all

STATE_DIR_ENV = "ODYC_STATE_DIR"
JOURNAL_FILE_NAME = "jobs.jsonl"
STATE_DIR_MODE = 0o700
JOURNAL_MODE = 0o600
RECORD_START = '{"event": '
"""How every record's line begins (`json.dumps` puts "event" first); inside a JSON string the
quote would be escaped, so this marks the start of a record even on a damaged line."""
_BLOCK_SIZE = 64 * 1024


class UnsafeJournalError(OSError):
    """The journal is a symbolic link, or not a regular file: odyc neither reads nor writes it."""


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
    """The final status a wait observed for a job, and the streams it had."""

    job_id: str
    status: str
    finished_at: str = field(default_factory=now_iso)
    streams: tuple[tuple[str, int | None], ...] = ()
    """(stream id, script index) of each of the job's streams, when known."""

    def as_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            "event": "finished",
            "job_id": self.job_id,
            "at": self.finished_at,
            "status": self.status,
        }
        if self.streams:
            document["streams"] = [
                {"stream_id": stream_id, "script_index": index} for stream_id, index in self.streams
            ]
        return document


JournalRecord = SubmittedRecord | FinishedRecord


@dataclass(frozen=True)
class JournalEntry:
    """What the journal knows about one job: its submission and, if seen, its final status."""

    submitted: SubmittedRecord
    final_status: str | None = None
    finished_at: str | None = None


@dataclass(frozen=True)
class RecentEntries:
    """The most recent journal entries that a listing asked for."""

    entries: list[JournalEntry]
    """In submission order (the most recent last)."""
    more: bool
    """True when older matching entries were left out."""
    damaged: int
    """Unreadable lines met on the way."""


@dataclass(frozen=True)
class StreamOrigin:
    """Which job a stream belonged to, as far as the journal knows."""

    job_id: str
    script_index: int | None
    submitted: SubmittedRecord | None


def append_record(record: JournalRecord, path: Path | None = None) -> Path:
    """Append one record as a JSON line and fsync it; returns the journal's path.

    The line is written with one `write` (continued after a short count) on a file opened
    for appending, so concurrent odyc processes do not interleave their records. Raises
    `UnsafeJournalError` for a journal that is a link or not a regular file, and `OSError`
    if the record cannot be written completely.
    """
    target = path if path is not None else journal_path()
    _make_state_dir(target.parent)
    line = (json.dumps(record.as_json()) + "\n").encode("ascii")  # escapes all but ASCII
    fd = _open_journal(target, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # the last record was cut short: never glue onto it
        write_all(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def parse_records(lines: Iterable[str]) -> tuple[list[JournalRecord], int]:
    """Parse journal lines; returns the records and how many lines were unreadable.

    A line cut short by a crash, or otherwise damaged, is skipped rather than failing the
    whole journal; a record glued onto it (by an odyc that did not start a fresh line) is
    still read.
    """
    records: list[JournalRecord] = []
    bad = 0
    for line in lines:
        found, damaged = _records_in_line(line)
        records.extend(found)
        bad += damaged
    return records, bad


def read_records(path: Path | None = None) -> tuple[list[JournalRecord], int]:
    """All records of the journal (none if it does not exist yet) and the unreadable count."""
    target = path if path is not None else journal_path()
    try:
        fd = _open_journal(target, os.O_RDONLY)
    except FileNotFoundError:
        return [], 0
    with os.fdopen(fd, "rb") as file:
        text = file.read().decode("utf-8", errors="replace")
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


def recent_entries(
    limit: int | None,
    *,
    skip: int = 0,
    keep: Callable[[JournalEntry], bool] = lambda entry: True,
    path: Path | None = None,
) -> RecentEntries:
    """The `limit` most recent entries for which `keep` is true, after skipping the `skip`
    most recent ones (every entry when `limit` is None), as `summarize` would give them.

    Reads the journal backwards and stops once it has one entry more than it returns.
    """
    wanted = None if limit is None else skip + limit
    finished: dict[str, FinishedRecord] = {}
    seen: set[str] = set()
    matches: list[JournalEntry] = []
    backwards = _BackwardRecords(path)
    for record in backwards:
        if isinstance(record, FinishedRecord):
            finished.setdefault(record.job_id, record)  # the first seen is the latest
            continue
        if record.job_id in seen:
            continue  # an earlier submission of a job submitted again later
        seen.add(record.job_id)
        last = finished.get(record.job_id)
        entry = (
            JournalEntry(record, last.status, last.finished_at) if last else JournalEntry(record)
        )
        if keep(entry):
            matches.append(entry)
            if wanted is not None and len(matches) > wanted:
                break
    shown = matches[skip:wanted]
    shown.reverse()
    return RecentEntries(shown, wanted is not None and len(matches) > wanted, backwards.damaged)


def find_submission(job_id: str, path: Path | None = None) -> SubmittedRecord | None:
    """The journal's record of submitting `job_id`, if odyc submitted it from this machine."""
    for record in _BackwardRecords(path):
        if isinstance(record, SubmittedRecord) and record.job_id == job_id:
            return record
    return None


def find_stream(stream_id: str, path: Path | None = None) -> StreamOrigin | None:
    """The job that `stream_id` belonged to (and that job's submission, if journaled), from
    the streams a finished record lists; None when no wait of this machine saw the stream."""
    origin: StreamOrigin | None = None
    for record in _BackwardRecords(path):
        if origin is None:
            if isinstance(record, FinishedRecord):
                for listed, index in record.streams:
                    if listed == stream_id:
                        origin = StreamOrigin(record.job_id, index, None)
                        break
        elif isinstance(record, SubmittedRecord) and record.job_id == origin.job_id:
            return StreamOrigin(origin.job_id, origin.script_index, record)
    return origin


class _BackwardRecords:
    """The journal's records, the last first, read block by block from the end of the file;
    `damaged` counts the unreadable lines met so far. A missing journal has no records."""

    def __init__(self, path: Path | None) -> None:
        self.path = path if path is not None else journal_path()
        self.damaged = 0

    def __iter__(self) -> Iterator[JournalRecord]:
        try:
            fd = _open_journal(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            for raw in _lines_backwards(fd):
                found, damaged = _records_in_line(raw.decode("utf-8", errors="replace"))
                self.damaged += damaged
                yield from reversed(found)
        finally:
            os.close(fd)


def _lines_backwards(fd: int) -> Iterator[bytes]:
    """The "\n"-separated lines of the file open at `fd`, the last first."""
    position = os.fstat(fd).st_size
    tail = b""
    while position > 0:
        size = min(_BLOCK_SIZE, position)
        position -= size
        block = os.pread(fd, size, position)
        if len(block) != size:  # the file shrank while being read: stop at what is known
            break
        pieces = (block + tail).split(b"\n")
        tail = pieces[0]
        yield from reversed(pieces[1:])
    yield tail


def _records_in_line(line: str) -> tuple[list[JournalRecord], int]:
    """The records on one line (normally one) and how many damaged pieces it has."""
    if not line.strip():
        return [], 0
    try:
        return [_record_from_json(json.loads(line))], 0
    except (ValueError, TypeError, KeyError, RecursionError):
        pass
    records: list[JournalRecord] = []
    damaged = 0
    starts = list(_occurrences(line, RECORD_START))
    if not starts or starts[0] != 0:
        damaged += 1  # something before the first record's start
    for begin, end in zip(starts, [*starts[1:], len(line)], strict=False):
        try:
            records.append(_record_from_json(json.loads(line[begin:end])))
        except (ValueError, TypeError, KeyError, RecursionError):
            damaged += 1
    return records, damaged


def _occurrences(text: str, marker: str) -> Iterator[int]:
    index = text.find(marker)
    while index != -1:
        yield index
        index = text.find(marker, index + 1)


def _make_state_dir(folder: Path) -> None:
    """Create the journal's folder (0700) and its parents, if missing."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, STATE_DIR_MODE)
    except FileExistsError:
        return  # created meanwhile by another odyc (or it is not a folder: open will say)
    os.chmod(folder, STATE_DIR_MODE)  # whatever the umask


def _open_journal(path: Path, flags: int) -> int:
    """Open the journal without following a symbolic link, and without blocking on a FIFO;
    raises `UnsafeJournalError` unless it is a regular file."""
    try:
        fd = os.open(
            path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY, JOURNAL_MODE
        )
    except OSError as error:
        if error.errno == errno.ELOOP or (error.errno == errno.ENXIO and path.is_fifo()):
            raise _unsafe(path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _unsafe(path)
    return fd


def _unsafe(path: Path) -> UnsafeJournalError:
    what = "a symbolic link" if path.is_symlink() else "not a regular file"
    return UnsafeJournalError(
        f"the job journal {path} is {what}; odyc does not follow it (remove it, or set "
        f"{STATE_DIR_ENV} to another folder)"
    )


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
        return FinishedRecord(job_id, status, at, _streams_from_json(data.get("streams")))
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


def _streams_from_json(value: object) -> tuple[tuple[str, int | None], ...]:
    if not isinstance(value, list):
        return ()
    streams: list[tuple[str, int | None]] = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("stream_id"), str):
            index = item.get("script_index")
            valid = isinstance(index, int) and not isinstance(index, bool)
            streams.append((item["stream_id"], index if valid else None))
    return tuple(streams)
