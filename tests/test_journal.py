"""The local journal of submitted jobs (odyssey_dsl.client.journal)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.client import journal
from odyssey_dsl.client.journal import FinishedRecord, SubmittedRecord

texts = st.text(min_size=1, max_size=40)


def test_path_follows_odyc_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODYC_STATE_DIR", str(tmp_path / "state"))
    assert journal.journal_path() == tmp_path / "state" / "jobs.jsonl"


def test_default_path_is_the_user_state_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_state_dir

    monkeypatch.delenv("ODYC_STATE_DIR", raising=False)
    assert journal.journal_path() == Path(user_state_dir("odyc")) / "jobs.jsonl"


def test_append_creates_a_private_file_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "jobs.jsonl"
    first = SubmittedRecord("job-1", "http://127.0.0.1:1", scene="a.ody", script_names=("x",))
    journal.append_record(first, path)
    journal.append_record(FinishedRecord("job-1", "completed"), path)
    journal.append_record(SubmittedRecord("job-2", "http://127.0.0.1:1"), path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    records, damaged = journal.read_records(path)
    assert damaged == 0
    assert records[0] == first
    entries = journal.summarize(records)
    assert [(e.submitted.job_id, e.final_status) for e in entries] == [
        ("job-1", "completed"),
        ("job-2", None),
    ]
    assert journal.find_submission("job-1", path) == first
    assert journal.find_submission("job-3", path) is None


def test_missing_journal_is_empty(tmp_path: Path) -> None:
    assert journal.read_records(tmp_path / "nothing.jsonl") == ([], 0)


def test_damaged_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    journal.append_record(SubmittedRecord("job-1", "http://h"), path)
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"event": "submitted", "job_id": "job-2", "at"')  # cut short by a crash
        out.write("\nnot json\n")
        out.write(json.dumps({"event": "exploded", "job_id": "x", "at": "t"}) + "\n")
    journal.append_record(SubmittedRecord("job-3", "http://h"), path)

    records, damaged = journal.read_records(path)
    assert damaged == 3
    assert [r.job_id for r in records] == ["job-1", "job-3"]


def test_credentials_in_urls_are_not_journaled(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    record = SubmittedRecord(
        "job-1", "https://user:s3cret@api.example:8443/v1", script_url="https://u:pw@h/s.json"
    )
    journal.append_record(record, path)
    text = path.read_text()
    assert "s3cret" not in text and "pw@" not in text
    assert json.loads(text)["api_url"] == "https://api.example:8443/v1"


@settings(max_examples=50, deadline=None)
@given(
    job_id=texts,
    scene=st.none() | texts,
    names=st.none() | st.lists(texts, max_size=4).map(tuple),
    status=texts,
)
def test_records_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    job_id: str,
    scene: str | None,
    names: tuple[str, ...] | None,
    status: str,
) -> None:
    path = tmp_path_factory.mktemp("journal") / "jobs.jsonl"
    submitted = SubmittedRecord(job_id, "http://127.0.0.1:9", scene=scene, script_names=names)
    finished = FinishedRecord(job_id, status)
    journal.append_record(submitted, path)
    journal.append_record(finished, path)
    records, damaged = journal.read_records(path)
    assert damaged == 0
    assert records == [submitted, finished]
    assert path.read_text(encoding="utf-8").count("\n") == 2
    assert path.read_bytes().isascii()


def test_server_text_reaches_the_journal_escaped(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    hostile = "\x9b2J\u202egnp.\x1b]0;owned\x07\u2028é"
    journal.append_record(FinishedRecord("job-1", hostile, streams=((hostile, 0),)), path)
    raw = path.read_bytes()
    assert raw.isascii() and b"\x1b" not in raw and b"\x07" not in raw
    assert "\\u009b2J\\u202egnp.\\u001b]0;owned\\u0007\\u2028\\u00e9" in raw.decode()
    ((record,), _) = journal.read_records(path)
    assert isinstance(record, FinishedRecord) and record.status == hostile


# --- appends are whole; the journal is private and never followed through a link ----------


TORN = b'{"event": "submitted", "job_id": "job-2", "at": "2026-'
"""The start of a record whose writer was killed (or whose disk filled up) mid-line."""


def job_ids(path: Path) -> list[str]:
    records, _ = journal.read_records(path)
    return [record.job_id for record in records]


def test_a_torn_last_line_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    journal.append_record(SubmittedRecord("job-1", "http://h"), path)
    with open(path, "ab") as out:
        out.write(TORN)
    journal.append_record(SubmittedRecord("job-3", "http://h"), path)

    assert job_ids(path) == ["job-1", "job-3"]
    assert journal.read_records(path)[1] == 1
    recent = journal.recent_entries(None, path=path)
    assert [e.submitted.job_id for e in recent.entries] == ["job-1", "job-3"]
    assert recent.damaged == 1


def test_a_record_glued_onto_a_torn_line_is_still_read(tmp_path: Path) -> None:
    """Journals written before appends started on a fresh line hold such lines."""
    path = tmp_path / "jobs.jsonl"
    third = json.dumps(SubmittedRecord("job-3", "http://h").as_json()).encode()
    path.write_bytes(TORN + third + b"\n")
    assert job_ids(path) == ["job-3"]
    assert journal.read_records(path)[1] == 1
    assert [e.submitted.job_id for e in journal.recent_entries(5, path=path).entries] == ["job-3"]


def test_the_state_folder_is_private_and_the_journal_too(tmp_path: Path) -> None:
    state = tmp_path / "home" / "state" / "odyc"
    path = journal.append_record(SubmittedRecord("job-1", "http://h"), state / "jobs.jsonl")
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_journal_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = tmp_path / "state" / "jobs.jsonl"
    path.parent.mkdir()
    path.symlink_to(victim)
    for attempt in (
        lambda: journal.append_record(SubmittedRecord("job-1", "http://h"), path),
        lambda: journal.read_records(path),
        lambda: journal.recent_entries(20, path=path),
        lambda: journal.find_submission("job-1", path),
    ):
        with pytest.raises(journal.UnsafeJournalError, match="is a symbolic link; odyc does not"):
            attempt()
    assert victim.read_text() == "precious\n"


def test_a_journal_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    os.mkfifo(path)
    with pytest.raises(journal.UnsafeJournalError, match="is not a regular file"):
        journal.append_record(SubmittedRecord("job-1", "http://h"), path)
    with pytest.raises(journal.UnsafeJournalError, match="is not a regular file"):
        journal.read_records(path)


APPEND_IN_A_CHILD = """\
import sys
from pathlib import Path
from odyssey_dsl.client import journal
try:
    journal.append_record(journal.SubmittedRecord("job-2", "http://h", scene="x" * 500), Path(sys.argv[1]))
except OSError as error:
    print(error.strerror, file=sys.stderr)
    sys.exit(3)
"""


def test_an_append_cut_by_a_file_size_limit_fails_and_the_next_one_is_whole(
    tmp_path: Path,
) -> None:
    from cli_support import file_size_limit

    path = tmp_path / "jobs.jsonl"
    journal.append_record(SubmittedRecord("job-1", "http://h"), path)
    size = path.stat().st_size
    child = subprocess.run(
        [sys.executable, "-c", APPEND_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        preexec_fn=file_size_limit(size + 100),
        timeout=60,
    )
    assert child.returncode == 3 and child.stderr == "File too large\n"
    assert path.stat().st_size == size + 100  # a torn record, as a full disk leaves it
    journal.append_record(SubmittedRecord("job-3", "http://h"), path)
    assert job_ids(path) == ["job-1", "job-3"]


# --- reading backwards: the same answers as reading everything ------------------------------


def test_finished_records_remember_the_streams(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    submitted = SubmittedRecord("job-1", "http://h", scene="cat.ody", script_names=("a", "b"))
    journal.append_record(submitted, path)
    journal.append_record(
        FinishedRecord("job-1", "completed", streams=(("s0", 0), ("s1", 1))), path
    )
    journal.append_record(FinishedRecord("job-2", "completed", streams=(("s2", None),)), path)

    assert journal.find_stream("s1", path) == journal.StreamOrigin("job-1", 1, submitted)
    assert journal.find_stream("s2", path) == journal.StreamOrigin("job-2", None, None)
    assert journal.find_stream("s9", path) is None
    assert journal.read_records(path)[0][1] == FinishedRecord(
        "job-1", "completed", journal.read_records(path)[0][1].finished_at, (("s0", 0), ("s1", 1))
    )


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, 30)),
        st.tuples(st.just("finish"), st.integers(0, 30), st.sampled_from(["completed", "failed"])),
        st.tuples(st.just("tear"), st.binary(max_size=30).filter(lambda b: b"\n" not in b)),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    operations=OPERATIONS,
    limit=st.none() | st.integers(1, 8),
    skip=st.integers(0, 4),
    status=st.none() | st.sampled_from(["completed", "failed", "active"]),
)
def test_recent_entries_is_the_end_of_the_whole_summary(
    tmp_path_factory: pytest.TempPathFactory,
    operations: list[tuple[object, ...]],
    limit: int | None,
    skip: int,
    status: str | None,
) -> None:
    path = tmp_path_factory.mktemp("journal") / "jobs.jsonl"
    submitted: set[object] = set()
    for operation in operations:
        if operation[0] == "submit" and operation[1] not in submitted:
            submitted.add(operation[1])
            journal.append_record(SubmittedRecord(f"job-{operation[1]}", "http://h"), path)
        elif operation[0] == "finish":
            journal.append_record(FinishedRecord(f"job-{operation[1]}", str(operation[2])), path)
        elif operation[0] == "tear":
            with open(path, "ab") as out:
                out.write(operation[1])  # type: ignore[arg-type]

    def keep(entry: journal.JournalEntry) -> bool:
        if status == "active":
            return entry.final_status is None
        return status is None or entry.final_status == status

    records, damaged = journal.read_records(path)
    everything = [entry for entry in journal.summarize(records) if keep(entry)]
    recent = journal.recent_entries(limit, skip=0 if limit is None else skip, keep=keep, path=path)
    if limit is None:
        assert recent.entries == everything and not recent.more
        assert recent.damaged == damaged
    else:
        newest_first = everything[::-1]
        assert recent.entries == newest_first[skip : skip + limit][::-1]
        assert recent.more == (len(everything) > skip + limit)


def test_reading_backwards_across_many_blocks(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    lines = []
    for index in range(3000):  # about 700 kB: many 64 kB blocks, lines across their edges
        record = SubmittedRecord(
            f"job-{index}", "http://h", "2026-01-31T12:00:00Z", "é" * (index % 97)
        )
        lines.append(json.dumps(record.as_json(), ensure_ascii=False))
        if index % 3 == 0:
            lines.append(json.dumps(FinishedRecord(f"job-{index}", "completed", "t").as_json()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = journal.summarize(journal.read_records(path)[0])
    assert journal.recent_entries(None, path=path).entries == whole
    assert journal.recent_entries(7, skip=100, path=path).entries == whole[-107:-100]
    assert journal.find_submission("job-5", path) == whole[5].submitted


def test_a_deeply_nested_line_is_a_damaged_line(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"event": ' + "[" * 100_000 + "\n")
    journal.append_record(SubmittedRecord("job-1", "http://h"), path)
    assert job_ids(path) == ["job-1"]
