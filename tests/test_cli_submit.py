"""`odyc FILE --submit` as a subprocess against the emulator: submit, wait, Ctrl-C, download."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_support import (
    CANARY_KEY,
    SMALL_SCENE,
    RunningOdyc,
    assert_no_key_in_tree,
    logged_requests,
    odyc_env,
    run_odyc,
    run_on_terminal,
    submitted_job_id,
)
from conftest import FAST_EMULATOR

from odyssey_dsl.client import OdysseyClient, journal
from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator

StartEmulator = Callable[[EmulatorConfig], RunningEmulator]
SLOW_EMULATOR = dataclasses.replace(FAST_EMULATOR, pending_seconds=60)
"""Jobs stay pending for a minute: odyc is still waiting when the test interrupts it."""

MEDIA = "GET /media/{stream_id}/{name}"
BATCH_SCENE = """\
script "intro":
  at 0s: start "a cat"
  at 2s: end
script "the end":
  at 0s: start "a dog"
  at 2s: end
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder with the scenes; everything written under it is checked for the key."""
    (tmp_path / "cat.ody").write_text(SMALL_SCENE)
    (tmp_path / "batch.ody").write_text(BATCH_SCENE)
    (tmp_path / "broken.ody").write_text('at 0s: start "a cat"\nat 1s: interact\n')
    yield tmp_path
    assert_no_key_in_tree(tmp_path)


def journal_of(workdir: Path) -> list[journal.JournalEntry]:
    return journal.summarize(journal.read_records(workdir / "state" / "jobs.jsonl")[0])


def test_submit_waits_and_prints_each_recording(emulator: RunningEmulator, workdir: Path) -> None:
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["batch.ody", "--submit", "--poll-interval", "0.05"], env, cwd=workdir)
    assert result.returncode == 0, result.stderr
    job_id = submitted_job_id(result.stderr)
    assert result.stderr.splitlines()[0] == f"submitted job {job_id}"  # before any waiting
    lines = result.stdout.splitlines()
    assert lines[0] == f"job {job_id} completed: 2 recordings"
    streams = emulator.state.jobs[job_id].streams
    assert f'script "intro" (#0) · stream {streams[0].stream_id} · 2s · http' in lines[1]
    assert f'script "the end" (#1) · stream {streams[1].stream_id}' in lines[2]
    (entry,) = journal_of(workdir)
    assert entry.submitted.job_id == job_id
    assert entry.submitted.scene == "batch.ody"
    assert entry.submitted.script_names == ("intro", "the end")
    assert entry.final_status == "completed"


def test_submit_json_prints_the_final_status(emulator: RunningEmulator, workdir: Path) -> None:
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(
        ["cat.ody", "--submit", "--json", "--poll-interval", "0.05"], env, cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["status"] == "completed"
    assert status["job_id"] == submitted_job_id(result.stderr)
    (stream,) = status["streams"]
    assert stream["script_index"] == 0 and stream["duration_seconds"] == 3


def test_no_wait_returns_after_submitting(emulator_factory: StartEmulator, workdir: Path) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["cat.ody", "--submit", "--no-wait"], env, cwd=workdir)
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    assert emulator.state.status_of(job_id) == "pending"
    assert [e.submitted.job_id for e in journal_of(workdir)] == [job_id]


def test_compile_errors_send_nothing(emulator: RunningEmulator, workdir: Path) -> None:
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["broken.ody", "--submit"], env, cwd=workdir)
    assert result.returncode == 1
    assert "broken.ody:2:" in result.stderr
    assert not logged_requests(emulator, "POST /simulation-jobs")
    assert emulator.state.request_count == 0
    assert not (workdir / "state" / "jobs.jsonl").exists()


def test_failed_job_exits_3(emulator_factory: StartEmulator, workdir: Path) -> None:
    config = dataclasses.replace(FAST_EMULATOR, failing_jobs=frozenset({1}))
    emulator = emulator_factory(config)
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["cat.ody", "--submit", "--poll-interval", "0.05"], env, cwd=workdir)
    assert result.returncode == 3
    job_id = submitted_job_id(result.stderr)
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        message = client.get_status(job_id).error_message
    assert message and f"job {job_id} failed: " in result.stderr and message in result.stderr
    assert journal_of(workdir)[0].final_status == "failed"


def test_job_cancelled_elsewhere_exits_4(emulator_factory: StartEmulator, workdir: Path) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    env = odyc_env(emulator.url, workdir / "state")
    odyc = RunningOdyc.start(["cat.ody", "--submit", "--poll-interval", "0.05"], env, cwd=workdir)
    try:
        job_id = odyc.wait_for_stderr("submitted job ").split()[-1]
        with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
            client.cancel(job_id)
        code, _, stderr = odyc.finish()
    finally:
        odyc.kill()
    assert code == 4
    assert f"job {job_id} was cancelled" in stderr


def test_rejected_key_exits_5_before_any_job(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    config = dataclasses.replace(FAST_EMULATOR, api_keys=frozenset({"ody_the_right_one"}))
    emulator = emulator_factory(config)
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["cat.ody", "--submit"], env, cwd=workdir)
    assert result.returncode == 5
    assert result.stderr.startswith("odyc: error: ")
    assert "ODYSSEY_API_KEY" in result.stderr
    assert emulator.state.job_count == 0


def test_ctrl_c_leaves_the_job_running(emulator_factory: StartEmulator, workdir: Path) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    env = odyc_env(emulator.url, workdir / "state")
    odyc = RunningOdyc.start(["cat.ody", "--submit", "--poll-interval", "0.1"], env, workdir)
    try:
        job_id = odyc.wait_for_stderr("submitted job ").split()[-1]
        odyc.wait_for_stderr(": pending")  # waiting has begun
        # journaled (and fsynced) before waiting: a closed terminal would not lose it
        assert [e.submitted.job_id for e in journal_of(workdir)] == [job_id]
        odyc.process.send_signal(signal.SIGINT)
        code, _, stderr = odyc.finish()
    finally:
        odyc.kill()
    assert code == 130
    assert f"job {job_id} was NOT cancelled" in stderr
    assert f"odyc jobs wait {job_id}" in stderr
    assert f"odyc jobs cancel {job_id}" in stderr
    assert emulator.state.status_of(job_id) == "pending"
    assert not logged_requests(emulator, "DELETE /simulation-jobs/{job_id}")
    assert [e.submitted.job_id for e in journal_of(workdir)] == [job_id]


def test_ctrl_c_with_cancel_on_interrupt_cancels(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    env = odyc_env(emulator.url, workdir / "state")
    args = ["cat.ody", "--submit", "--poll-interval", "0.1", "--cancel-on-interrupt"]
    odyc = RunningOdyc.start(args, env, workdir)
    try:
        job_id = odyc.wait_for_stderr("submitted job ").split()[-1]
        odyc.wait_for_stderr(": pending")
        odyc.process.send_signal(signal.SIGINT)
        code, _, stderr = odyc.finish()
    finally:
        odyc.kill()
    assert code == 130
    assert f"cancelled job {job_id}" in stderr
    assert emulator.state.status_of(job_id) == "cancelled"
    assert journal_of(workdir)[0].final_status == "cancelled"


def test_download_names_content_and_second_run(emulator: RunningEmulator, workdir: Path) -> None:
    env = odyc_env(emulator.url, workdir / "state")
    out = workdir / "out"
    args = ["batch.ody", "--submit", "--poll-interval", "0.05", "--download", str(out)]
    result = run_odyc(args, env, cwd=workdir)
    assert result.returncode == 0, result.stderr
    job_id = submitted_job_id(result.stderr)
    streams = emulator.state.jobs[job_id].streams
    expected = sorted(
        f"batch.{label}.{stream.stream_id}.{kind}"
        for stream, label in zip(streams, ["intro", "the_end"], strict=True)
        for kind in ("video.mp4", "thumbnail.jpg", "preview.mp4", "events.json")
    )
    assert sorted(p.name for p in out.iterdir()) == expected
    for stream, label in zip(streams, ["intro", "the_end"], strict=True):
        video = out / f"batch.{label}.{stream.stream_id}.video.mp4"
        assert video.stat().st_size == emulator.config.video_bytes
        events = json.loads((out / f"batch.{label}.{stream.stream_id}.events.json").read_text())
        assert events["stream_id"] == stream.stream_id
    fetched = len(logged_requests(emulator, MEDIA, at_least=8))
    assert fetched == 8

    again = run_odyc(["jobs", "wait", job_id, "--download", str(out), "--json"], env)
    assert again.returncode == 0, again.stderr
    assert all(d["skipped"] for d in json.loads(again.stdout)["downloads"])
    assert len(logged_requests(emulator, MEDIA)) == fetched  # nothing fetched again
    # names come from the journal: the same files, not a second set named after the job id
    assert sorted(p.name for p in out.iterdir()) == expected


def test_interrupted_download_is_resumed_with_range(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    from odyssey_dsl.emulator.config import PlannedFault

    config = dataclasses.replace(
        FAST_EMULATOR, fault_plan=(PlannedFault(MEDIA, nth=1, kind="drop_midway"),)
    )
    emulator = emulator_factory(config)
    env = odyc_env(emulator.url, workdir / "state")
    out = workdir / "out"
    args = ["cat.ody", "--submit", "--poll-interval", "0.05", "--download", str(out)]
    result = run_odyc(args, env, cwd=workdir)
    assert result.returncode == 0, result.stderr
    first, second = logged_requests(emulator, MEDIA, at_least=2)[:2]
    assert first.fault == "drop_midway" and first.path == second.path
    assert second.status_code == 206
    assert "resumed at" in result.stderr
    (video,) = out.glob("*.video.mp4")
    assert video.stat().st_size == config.video_bytes
    assert not list(out.glob("*.part"))


def test_submit_options_need_submit(workdir: Path) -> None:
    result = run_odyc(["cat.ody", "--no-wait"], odyc_env(None, workdir / "state"), cwd=workdir)
    assert result.returncode == 2
    assert "--submit" in result.stderr


def test_help_documents_submit_and_exit_codes(workdir: Path) -> None:
    result = run_odyc(["--help"], odyc_env(None, workdir / "state"), cwd=workdir)
    assert result.returncode == 0
    for flag in ("--submit", "--no-wait", "--download", "--cancel-on-interrupt", "--api-url"):
        assert flag in result.stdout
    assert "--api-key" not in result.stdout
    assert "130" in result.stdout


def test_timeout_stops_waiting_but_not_the_job(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    emulator = emulator_factory(SLOW_EMULATOR)
    env = odyc_env(emulator.url, workdir / "state")
    args = ["cat.ody", "--submit", "--poll-interval", "0.1", "--timeout", "0.5"]
    result = run_odyc(args, env, cwd=workdir)
    assert result.returncode == 5
    job_id = submitted_job_id(result.stderr)
    assert "gave up waiting" in result.stderr
    assert f"odyc jobs wait {job_id}" in result.stderr
    assert emulator.state.status_of(job_id) == "pending"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_on_a_terminal_a_live_line_progress_bars_and_tables(
    emulator: RunningEmulator, workdir: Path
) -> None:
    env = odyc_env(emulator.url, workdir / "state")
    env.update({"TERM": "xterm", "COLUMNS": "160"})
    out = workdir / "out"
    args = ["cat.ody", "--submit", "--poll-interval", "0.05", "--download", str(out)]
    code, screen = run_on_terminal(args, env, workdir)
    assert code == 0, screen
    assert CANARY_KEY not in screen and "Traceback" not in screen
    assert "\r\x1b[2K" in screen  # the status line is redrawn in place
    assert " · 0s" in screen and ": completed · " in screen
    assert "━" in screen and "kB" in screen  # rich progress bars with the sizes
    assert len(list(out.iterdir())) == 4
    code, screen = run_on_terminal(["jobs", "list"], env, workdir)
    assert code == 0 and "┃" in screen and "JOB ID" in screen  # a rich table


def test_ctrl_c_while_downloading_then_resume(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    from odyssey_dsl.emulator.config import PlannedFault

    slow_video = PlannedFault(MEDIA, nth=1, kind="slow", seconds=4)
    emulator = emulator_factory(dataclasses.replace(FAST_EMULATOR, fault_plan=(slow_video,)))
    env = odyc_env(emulator.url, workdir / "state")
    out = workdir / "out"
    args = ["cat.ody", "--submit", "--poll-interval", "0.05", "--download", str(out)]
    odyc = RunningOdyc.start(args, env, workdir)
    try:
        job_id = odyc.wait_for_stderr("submitted job ").split()[-1]
        odyc.wait_for_stderr(": completed")
        time.sleep(1)  # let the (slowed down) download of the video begin
        odyc.process.send_signal(signal.SIGINT)
        code, _, stderr = odyc.finish()
    finally:
        odyc.kill()
    assert code == 130
    resume = f"odyc jobs wait {job_id} --download {out}"
    assert resume in stderr

    again = run_odyc(resume.split()[1:], env, cwd=workdir)
    assert again.returncode == 0, again.stderr
    assert len([p for p in out.iterdir() if not p.name.endswith(".part")]) == 4


def test_a_lost_answer_to_the_submission_is_reported_not_resent(
    emulator_factory: StartEmulator, workdir: Path
) -> None:
    from odyssey_dsl.emulator.config import PlannedFault

    lost_answer = PlannedFault("POST /simulation-jobs", nth=1, kind="drop_after")
    emulator = emulator_factory(dataclasses.replace(FAST_EMULATOR, fault_plan=(lost_answer,)))
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["cat.ody", "--submit"], env, cwd=workdir)
    assert result.returncode == 5
    assert "odyc jobs list --active" in result.stderr
    assert len(logged_requests(emulator, "POST /simulation-jobs", at_least=1)) == 1
    assert emulator.state.job_count == 1  # created once, never twice


def test_a_busy_server_is_waited_out(emulator_factory: StartEmulator, workdir: Path) -> None:
    from odyssey_dsl.emulator.config import PlannedFault

    faults = (
        PlannedFault("POST /simulation-jobs", nth=1, kind="rate_limit", seconds=0.1),
        PlannedFault("GET /simulation-jobs/{job_id}", nth=1, kind="unavailable", seconds=0.1),
    )
    emulator = emulator_factory(dataclasses.replace(FAST_EMULATOR, fault_plan=faults))
    env = odyc_env(emulator.url, workdir / "state")
    result = run_odyc(["cat.ody", "--submit", "--poll-interval", "0.05"], env, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert emulator.state.job_count == 1
    assert "completed: 1 recording" in result.stdout
