"""`odyc jobs ...` and `odyc recordings ...` as subprocesses against the emulator."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_support import (
    CANARY_KEY,
    assert_no_key_in_tree,
    file_size_limit,
    odyc_env,
    run_odyc,
    run_odyc_into_closed_pipe,
    run_odyc_to,
    run_on_terminal,
    submitted_job_id,
)
from conftest import FAST_EMULATOR

from odyssey_dsl.client import OdysseyClient, journal
from odyssey_dsl.emit.models import Job, ScriptEntry
from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator

SLOW_EMULATOR = dataclasses.replace(FAST_EMULATOR, pending_seconds=60)
"""Jobs stay pending for a minute: they can be cancelled, and waiting for them blocks."""

StartEmulator = Callable[[EmulatorConfig], RunningEmulator]


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    """The journal's folder for one test; checked for the API key afterwards."""
    path = tmp_path / "state"
    yield path
    if path.exists():
        assert_no_key_in_tree(path)


def a_job() -> Job:
    return Job(
        script=[
            ScriptEntry.model_validate({"timestamp_ms": 0, "start": {"prompt": "a cat"}}),
            ScriptEntry.model_validate({"timestamp_ms": 3000, "end": {}}),
        ]
    )


def submit_directly(emulator: RunningEmulator, count: int = 1) -> list[str]:
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        return [client.simulate(a_job()).job_id for _ in range(count)]


def finish_directly(emulator: RunningEmulator, job_id: str) -> None:
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        client.wait(job_id, poll_interval=0.05)


def test_submit_script_url_waits_and_prints_the_recording(
    emulator: RunningEmulator, state_dir: Path
) -> None:
    env = odyc_env(emulator.url, state_dir)
    result = run_odyc(
        [
            "jobs",
            "submit",
            "--script-url",
            "https://example.com/s.json",
            "--landscape",
            "--poll-interval",
            "0.05",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    job_id = submitted_job_id(result.stderr)
    (job,) = emulator.state.jobs.values()
    assert job.job_id == job_id and job.portrait is False
    assert f"job {job_id} completed: 1 recording" in result.stdout
    assert "/media/" in result.stdout  # the video URL
    entries = journal.summarize(journal.read_records(state_dir / "jobs.jsonl")[0])
    assert [(e.submitted.job_id, e.submitted.script_url, e.final_status) for e in entries] == [
        (job_id, "https://example.com/s.json", "completed")
    ]


def test_submit_no_wait_prints_the_id_on_stdout(
    emulator_factory: StartEmulator, state_dir: Path
) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    result = run_odyc(
        ["jobs", "submit", "--script-url", "https://e.com/s.json", "--no-wait"],
        odyc_env(emulator.url, state_dir),
    )
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    assert emulator.state.status_of(job_id) == "pending"
    assert f"odyc jobs wait {job_id}" in result.stderr


def test_status_json(emulator: RunningEmulator, state_dir: Path) -> None:
    (job_id,) = submit_directly(emulator)
    result = run_odyc(["jobs", "status", job_id, "--json"], odyc_env(emulator.url, state_dir))
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["job_id"] == job_id
    assert status["status"] in {"pending", "dispatched", "processing", "completed"}


def test_status_text_and_unknown_job(emulator: RunningEmulator, state_dir: Path) -> None:
    (job_id,) = submit_directly(emulator)
    env = odyc_env(emulator.url, state_dir)
    shown = run_odyc(["jobs", "status", job_id], env)
    assert shown.returncode == 0 and shown.stdout.startswith(f"job {job_id}: ")

    missing = run_odyc(["jobs", "status", "no-such-job"], env)
    assert missing.returncode == 5
    assert missing.stderr.startswith("odyc: error: ")
    assert "not found" in missing.stderr
    never_waited = run_odyc(["jobs", "wait", "no-such-job"], env)
    assert never_waited.returncode == 5 and "not found" in never_waited.stderr
    assert "goes on" not in never_waited.stderr


def test_wait_prints_each_recording(emulator: RunningEmulator, state_dir: Path) -> None:
    (job_id,) = submit_directly(emulator)
    result = run_odyc(
        ["jobs", "wait", job_id, "--poll-interval", "0.05"], odyc_env(emulator.url, state_dir)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"job {job_id} completed: 1 recording"
    stream = emulator.state.jobs[job_id].streams[0]
    assert f"stream {stream.stream_id}" in lines[1] and "3s" in lines[1]
    assert "completed" in result.stderr  # timestamped status lines (not a TTY)


def test_wait_json_and_download(emulator: RunningEmulator, state_dir: Path, tmp_path: Path) -> None:
    (job_id,) = submit_directly(emulator)
    out = tmp_path / "out"
    env = odyc_env(emulator.url, state_dir)
    args = ["jobs", "wait", job_id, "--poll-interval", "0.05", "--json", "--download", str(out)]
    result = run_odyc(args, env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "completed"
    assert len(document["downloads"]) == 4
    assert all(Path(d["path"]).is_file() for d in document["downloads"])
    # not submitted by odyc on this machine: files are named after the job
    assert all(
        Path(d["path"]).name.startswith(f"job-{job_id}.script-0.") for d in document["downloads"]
    )
    assert_no_key_in_tree(out)


def test_failed_job_exits_3_with_the_message(
    emulator_factory: StartEmulator, state_dir: Path
) -> None:
    emulator = emulator_factory(dataclasses.replace(FAST_EMULATOR, failing_jobs=frozenset({1})))
    (job_id,) = submit_directly(emulator)
    result = run_odyc(
        ["jobs", "wait", job_id, "--poll-interval", "0.05"], odyc_env(emulator.url, state_dir)
    )
    assert result.returncode == 3
    assert f"odyc: error: job {job_id} failed" in result.stderr
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        server_message = client.get_status(job_id).error_message
    assert server_message and server_message in result.stderr


def test_cancel_then_wait_exits_4(emulator_factory: StartEmulator, state_dir: Path) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    (job_id,) = submit_directly(emulator)
    env = odyc_env(emulator.url, state_dir)

    cancelled = run_odyc(["jobs", "cancel", job_id], env)
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout.strip() == f"job {job_id}: cancelled"
    assert emulator.state.status_of(job_id) == "cancelled"

    waited = run_odyc(["jobs", "wait", job_id, "--poll-interval", "0.05", "--json"], env)
    assert waited.returncode == 4
    assert json.loads(waited.stdout)["status"] == "cancelled"
    assert f"job {job_id} was cancelled" in waited.stderr


def test_cancelling_a_finished_job_is_an_api_error(
    emulator: RunningEmulator, state_dir: Path
) -> None:
    (job_id,) = submit_directly(emulator)
    finish_directly(emulator, job_id)
    result = run_odyc(["jobs", "cancel", job_id], odyc_env(emulator.url, state_dir))
    assert result.returncode == 5
    assert "cannot be cancelled" in result.stderr
    assert emulator.state.status_of(job_id) == "completed"


def test_list_table_and_json(emulator: RunningEmulator, state_dir: Path) -> None:
    ids = submit_directly(emulator, 3)
    env = odyc_env(emulator.url, state_dir)
    table = run_odyc(["jobs", "list"], env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == [
        "JOB",
        "ID",
        "STATUS",
        "CREATED",
        "COMPLETED",
        "ERROR",
    ]
    assert all(job_id in table.stdout for job_id in ids)

    listed = run_odyc(["jobs", "list", "--json", "--limit", "2"], env)
    document = json.loads(listed.stdout)
    assert document["total"] == 3 and len(document["jobs"]) == 2
    assert "--all" in listed.stderr or listed.stderr == ""


def test_list_all_follows_every_page(emulator: RunningEmulator, state_dir: Path) -> None:
    ids = submit_directly(emulator, 5)
    before = len(emulator.state.requests_to("GET /simulation-jobs"))
    result = run_odyc(
        ["jobs", "list", "--all", "--limit", "2", "--json"], odyc_env(emulator.url, state_dir)
    )
    assert result.returncode == 0, result.stderr
    listed = [job["job_id"] for job in json.loads(result.stdout)["jobs"]]
    assert sorted(listed) == sorted(ids)
    pages = emulator.state.requests_to("GET /simulation-jobs")[before:]
    assert len(pages) >= 3  # 5 jobs, 2 per page


def test_list_filters_by_status(emulator_factory: StartEmulator, state_dir: Path) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    first, second = submit_directly(emulator, 2)
    env = odyc_env(emulator.url, state_dir)
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        client.cancel(first)
    result = run_odyc(["jobs", "list", "--status", "cancelled", "--json"], env)
    assert [job["job_id"] for job in json.loads(result.stdout)["jobs"]] == [first]
    active = run_odyc(["jobs", "list", "--active", "--json"], env)
    assert [job["job_id"] for job in json.loads(active.stdout)["jobs"]] == [second]


def test_list_local_reads_the_journal(emulator: RunningEmulator, state_dir: Path) -> None:
    env = odyc_env(emulator.url, state_dir)
    submitted = run_odyc(
        ["jobs", "submit", "--script-url", "https://e.com/s.json", "--no-wait"], env
    )
    job_id = submitted.stdout.strip()
    local = run_odyc(["jobs", "list", "--local", "--json"], odyc_env(None, state_dir, key=None))
    assert local.returncode == 0, local.stderr
    (entry,) = json.loads(local.stdout)
    assert entry["job_id"] == job_id and entry["api_url"] == emulator.url
    assert entry["final_status"] is None


def test_recordings_get_and_list(emulator: RunningEmulator, state_dir: Path) -> None:
    (job_id,) = submit_directly(emulator)
    env = odyc_env(emulator.url, state_dir)
    finish_directly(emulator, job_id)
    stream_id = emulator.state.jobs[job_id].streams[0].stream_id

    got = run_odyc(["recordings", "get", stream_id, "--json"], env)
    assert got.returncode == 0, got.stderr
    recording = json.loads(got.stdout)
    assert recording["stream_id"] == stream_id and "/media/" in recording["video_url"]
    text = run_odyc(["recordings", "get", stream_id], env)
    assert f"recording of stream {stream_id}" in text.stdout

    table = run_odyc(["recordings", "list"], env)
    assert stream_id in table.stdout


def test_recordings_get_download(
    emulator: RunningEmulator, state_dir: Path, tmp_path: Path
) -> None:
    (job_id,) = submit_directly(emulator)
    env = odyc_env(emulator.url, state_dir)
    finish_directly(emulator, job_id)
    stream_id = emulator.state.jobs[job_id].streams[0].stream_id
    out = tmp_path / "rec"
    result = run_odyc(["recordings", "get", stream_id, "--download", str(out)], env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"recording.script.{stream_id}.{kind}"
        for kind in ("video.mp4", "thumbnail.jpg", "preview.mp4", "events.json")
    )


def test_rejected_key_exits_5_and_never_shows_it(
    emulator_factory: StartEmulator, state_dir: Path
) -> None:
    emulator = emulator_factory(
        dataclasses.replace(FAST_EMULATOR, api_keys=frozenset({"ody_the_right_one"}))
    )
    env = odyc_env(emulator.url, state_dir)
    for args in (["jobs", "list"], ["jobs", "submit", "--script-url", "https://e.com/s.json"]):
        result = run_odyc(args, env)  # run_odyc asserts the key is not in the output
        assert result.returncode == 5, (args, result.stderr)
        assert result.stderr.startswith("odyc: error: "), result.stderr
        assert "ODYSSEY_API_KEY" in result.stderr  # the hint says what to check
    assert emulator.state.job_count == 0


def test_missing_key_is_explained(emulator: RunningEmulator, state_dir: Path) -> None:
    result = run_odyc(["jobs", "list"], odyc_env(emulator.url, state_dir, key=None))
    assert result.returncode == 5
    assert "ODYSSEY_API_KEY" in result.stderr
    assert emulator.state.request_count == 0


def test_unreachable_api_is_one_line(state_dir: Path) -> None:
    result = run_odyc(
        ["jobs", "list", "--api-url", "http://127.0.0.1:9"], odyc_env(None, state_dir)
    )
    assert result.returncode == 5
    assert result.stderr.startswith("odyc: error: ")
    assert "--api-url" in result.stderr
    # an API URL that cannot be parsed is a usage error (see test_hostile_server.py)
    bad = run_odyc(["jobs", "list", "--api-url", "http://[::1"], odyc_env(None, state_dir))
    assert bad.returncode == 2 and "not a valid URL" in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["jobs"],
        ["jobs", "explode"],
        ["jobs", "list", "--limit", "0"],
        ["jobs", "list", "--limit", "many"],
        ["jobs", "wait", "x", "--poll-interval", "-1"],
        ["jobs", "submit"],
        ["jobs", "submit", "--script-url", "u", "--no-wait", "--download", "d"],
        ["recordings", "list", "--limit", "101"],
    ],
)
def test_usage_errors_exit_2(args: list[str], state_dir: Path) -> None:
    result = run_odyc(args, odyc_env("http://127.0.0.1:9", state_dir))
    assert result.returncode == 2
    assert "error:" in result.stderr


def test_help_documents_the_exit_codes(state_dir: Path) -> None:
    for args in (["jobs", "--help"], ["jobs", "wait", "--help"], ["recordings", "--help"]):
        result = run_odyc(args, odyc_env(None, state_dir))
        assert result.returncode == 0
        for code in ("0", "3", "4", "5", "130"):
            assert f"\n  {code} " in result.stdout
        assert "ODYSSEY_API_KEY" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "list", "--json"],
        ["jobs", "list"],
        ["jobs", "list", "--local"],
        ["jobs", "list", "--local", "--json"],
        ["jobs", "status", "JOB"],
        ["jobs", "status", "JOB", "--json"],
        ["jobs", "wait", "JOB", "--json"],
        ["jobs", "wait", "JOB"],
        ["recordings", "list"],
        ["recordings", "get", "STREAM", "--json"],
    ],
)
def test_a_closed_stdout_ends_every_command_quietly(
    args: list[str], emulator: RunningEmulator, state_dir: Path
) -> None:
    (job_id,) = submit_directly(emulator)
    finish_directly(emulator, job_id)
    stream_id = emulator.state.jobs[job_id].streams[0].stream_id
    journal.append_record(journal.SubmittedRecord(job_id, emulator.url), state_dir / "jobs.jsonl")
    args = [{"JOB": job_id, "STREAM": stream_id}.get(arg, arg) for arg in args]
    code, stderr = run_odyc_into_closed_pipe(args, odyc_env(emulator.url, state_dir))
    assert code == 2, stderr  # checked: no traceback, no "Exception ignored"
    assert "odyc: error" not in stderr and "internal error" not in stderr


def journal_of_many_jobs(state_dir: Path, count: int = 1000) -> None:
    path = state_dir / "jobs.jsonl"
    for index in range(count):
        journal.append_record(journal.SubmittedRecord(f"job-{index:04}", "http://h"), path)


def test_head_reading_part_of_a_long_listing(state_dir: Path) -> None:
    """`odyc jobs list --local --all --json | head -c 100`: the reader leaves mid-output."""
    import subprocess
    import sys

    journal_of_many_jobs(state_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "odyssey_dsl", "jobs", "list", "--local", "--all", "--json"],
        env=odyc_env(None, state_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100).startswith(b"[")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2
    assert stderr == ""


def test_a_listing_cut_by_a_file_size_limit_is_an_error(state_dir: Path, tmp_path: Path) -> None:
    journal_of_many_jobs(state_dir)
    out = tmp_path / "jobs.json"
    out.touch()
    args = ["jobs", "list", "--local", "--all", "--json"]
    env = odyc_env(None, state_dir)
    code, stderr = run_odyc_to(args, env, out, preexec_fn=file_size_limit(64 * 1024))
    assert code == 2
    assert stderr == "odyc: error: cannot write to standard output: File too large\n"
    code, stderr = run_odyc_to(args, env, out, preexec_fn=file_size_limit(1024 * 1024))
    assert code == 0, stderr
    assert len(json.loads(out.read_text())) == 1000


def test_list_local_shows_the_most_recent_jobs(state_dir: Path) -> None:
    journal_of_many_jobs(state_dir, 30)
    env = odyc_env(None, state_dir)

    def listed(*options: str) -> tuple[list[str], str]:
        result = run_odyc(["jobs", "list", "--local", "--json", *options], env)
        assert result.returncode == 0, result.stderr
        return [entry["job_id"] for entry in json.loads(result.stdout)], result.stderr

    ids, note = listed()
    assert ids == [f"job-{index:04}" for index in range(10, 30)]  # the default --limit, 20
    assert "showing the 20 most recent jobs; use --all for every one, or --offset 20" in note
    ids, _ = listed("--limit", "5", "--offset", "5")
    assert ids == [f"job-{index:04}" for index in range(20, 25)]
    ids, note = listed("--all")
    assert len(ids) == 30 and note == ""


def test_a_journal_that_is_a_link_is_refused_and_the_job_still_followed(
    emulator: RunningEmulator, state_dir: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    state_dir.mkdir()
    (state_dir / "jobs.jsonl").symlink_to(victim)
    env = odyc_env(emulator.url, state_dir)

    listed = run_odyc(["jobs", "list", "--local"], env)
    assert listed.returncode == 2
    assert "jobs.jsonl is a symbolic link; odyc does not follow it" in listed.stderr

    args = ["jobs", "submit", "--script-url", "https://e.com/s.json", "--poll-interval", "0.05"]
    submitted = run_odyc(args, env)
    job_id = submitted_job_id(submitted.stderr)
    assert f"odyc: error: could not record job {job_id} in the job journal" in submitted.stderr
    assert f"job {job_id} completed: 1 recording" in submitted.stdout  # the wait went on
    assert submitted.returncode == 2  # but the journal did not get the job
    assert victim.read_text() == "precious\n"


def test_the_cancel_failure_hint_names_the_job(emulator: RunningEmulator, state_dir: Path) -> None:
    (job_id,) = submit_directly(emulator)
    finish_directly(emulator, job_id)
    result = run_odyc(["jobs", "cancel", job_id], odyc_env(emulator.url, state_dir))
    assert result.returncode == 5
    assert f"hint: `odyc jobs status {job_id}` shows where the job is" in result.stderr
    assert "JOB_ID" not in result.stderr


def test_waiting_for_a_job_that_ended_long_ago_says_when_it_ended(
    emulator: RunningEmulator, state_dir: Path
) -> None:
    (job_id,) = submit_directly(emulator)
    finish_directly(emulator, job_id)
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        completed_at = client.get_status(job_id).completed_at
    result = run_odyc(["jobs", "wait", job_id], odyc_env(emulator.url, state_dir))
    assert result.returncode == 0, result.stderr
    assert f"job {job_id}: completed · ended {completed_at}" in result.stderr
    assert "· 0s" not in result.stderr


def test_recordings_get_names_files_like_jobs_wait(
    emulator: RunningEmulator, state_dir: Path, tmp_path: Path
) -> None:
    scene = tmp_path / "duet.ody"
    scene.write_text(
        'script "first":\n  at 0s: start "a"\n  at 1s: end\n'
        'script "second":\n  at 0s: start "b"\n  at 1s: end\n'
    )
    env = odyc_env(emulator.url, state_dir)
    waited = run_odyc([str(scene), "--submit", "--poll-interval", "0.05"], env)
    assert waited.returncode == 0, waited.stderr
    job_id = submitted_job_id(waited.stderr)
    second = emulator.state.jobs[job_id].streams[1]
    out = tmp_path / "out"
    result = run_odyc(["recordings", "get", second.stream_id, "--download", str(out)], env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"duet.second.{second.stream_id}.{kind}"
        for kind in ("video.mp4", "thumbnail.jpg", "preview.mp4", "events.json")
    )


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_tables_on_an_80_column_terminal_show_whole_ids_and_statuses(
    emulator_factory: StartEmulator, state_dir: Path, tmp_path: Path
) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    pending, cancelled = submit_directly(emulator, 2)
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        client.cancel(cancelled)
    env = odyc_env(emulator.url, state_dir)
    env.update({"TERM": "xterm", "COLUMNS": "80"})
    path = state_dir / "jobs.jsonl"
    journal.append_record(journal.SubmittedRecord(pending, emulator.url, scene="a" * 60), path)
    journal.append_record(journal.FinishedRecord(pending, "completed"), path)

    code, screen = run_on_terminal(["jobs", "list"], env, tmp_path)
    assert code == 0 and "┃" in screen, screen
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in screen.splitlines()]
    assert max(len(line) for line in lines) <= 80
    assert any(pending in line and " pending " in line for line in lines), screen
    assert any(cancelled in line and " cancelled " in line for line in lines), screen

    code, screen = run_on_terminal(["jobs", "list", "--local"], env, tmp_path)
    assert code == 0, screen
    assert any(pending in line and " completed " in line for line in screen.splitlines()), screen

    finished = emulator_factory(FAST_EMULATOR)
    (job_id,) = submit_directly(finished)
    finish_directly(finished, job_id)
    stream_id = finished.state.jobs[job_id].streams[0].stream_id
    env["ODYSSEY_API_URL"] = finished.url
    code, screen = run_on_terminal(["recordings", "list"], env, tmp_path)
    assert code == 0, screen
    assert any(stream_id in line for line in screen.splitlines()), screen
