"""The local journal of submitted jobs (odyssey_dsl.client.journal)."""

from __future__ import annotations

import json
import stat
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
