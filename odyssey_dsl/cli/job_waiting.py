"""Following a submitted job to its end: shared by `odyc FILE --submit`, `odyc jobs submit`
and `odyc jobs wait`.

`follow_job` waits with a status display, then prints the recordings (or the final status as
JSON), downloads them if asked, records the outcome in the journal, and returns the exit code.
Ctrl-C while waiting leaves the job running and tells the user how to resume or cancel it —
unless `--cancel-on-interrupt` was given.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.cli.api_calls import describe_api_error
from odyssey_dsl.cli.colour import ColourChoice
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.output import print_result, reason
from odyssey_dsl.cli.submit import DEFAULT_POLL_INTERVAL
from odyssey_dsl.cli.terminal import (
    DownloadDisplay,
    StatusDisplay,
    print_error,
    print_note,
)
from odyssey_dsl.client import OdysseyClient, errors, journal
from odyssey_dsl.client.server_text import printable
from odyssey_dsl.client.wire import JobStatus, StreamInfo

if TYPE_CHECKING:
    from odyssey_dsl.client.downloads import DownloadLimits


@dataclass(frozen=True)
class WaitOptions:
    """How to wait for a job and what to do at the end."""

    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float | None = None
    json_output: bool = False
    download_dir: Path | None = None
    max_download_bytes: int | None = None
    """The largest file a download accepts (None: `DEFAULT_MAX_DOWNLOAD_BYTES`)."""
    cancel_on_interrupt: bool = False
    colour: ColourChoice = "auto"


@dataclass(frozen=True)
class RecordingNames:
    """What the downloaded files are named after (see `odyssey_dsl.client.downloads`)."""

    scene_stem: str
    script_names: tuple[str, ...] | None = None

    @classmethod
    def for_job(cls, job_id: str) -> RecordingNames:
        """Names for a job odyc may have submitted earlier: from the journal, else the id."""
        try:
            record = journal.find_submission(job_id)
        except OSError:
            record = None
        return cls.from_submission(job_id, record)

    @classmethod
    def from_submission(cls, job_id: str, record: journal.SubmittedRecord | None) -> RecordingNames:
        """Names after the scene of the journal's `record` of submitting `job_id`, if it has
        one, else after the job id."""
        if record is not None and record.scene:
            return cls(scene_stem_of(record.scene), record.script_names)
        return cls(f"job-{job_id}")


def scene_stem_of(scene_path: str) -> str:
    """The file-name stem downloads are named after (`stdin` for `-`)."""
    return "stdin" if scene_path == "-" else Path(scene_path).stem or "scene"


def resume_commands(job_id: str, download_dir: Path | None = None) -> tuple[str, str]:
    """The exact commands to continue waiting for a job, and to cancel it."""
    quoted = shlex.quote(job_id)
    wait = f"odyc jobs wait {quoted}"
    if download_dir is not None:
        wait += f" --download {shlex.quote(str(download_dir))}"
    return wait, f"odyc jobs cancel {quoted}"


def follow_job(
    client: OdysseyClient,
    job_id: str,
    options: WaitOptions,
    names: RecordingNames,
    *,
    just_submitted: bool = False,
    queue_estimate_minutes: float | None = None,
) -> int:
    """Wait for `job_id` to end, report it, download if asked; returns the exit code.

    `options.timeout` bounds the whole: waiting, then downloading. `just_submitted`: odyc
    submitted it a moment ago (the status line then counts the job's time, not only odyc's
    wait).
    """
    deadline = time.monotonic() + options.timeout if options.timeout is not None else None
    display = StatusDisplay(
        job_id,
        queue_estimate_minutes=queue_estimate_minutes,
        colour=options.colour,
        just_submitted=just_submitted,
    )
    try:
        with display:
            final = client.wait(
                job_id,
                poll_interval=options.poll_interval,
                timeout=options.timeout,
                on_update=display.update,
            )
    except KeyboardInterrupt:
        return _interrupted(client, job_id, options)
    except errors.JobFailedError as failure:
        record_in_journal(journal.FinishedRecord(job_id, "failed"))
        _print_final_json(failure.status, options)
        print_error(str(failure))  # "job ID failed: why" (+ each failed stream)
        return ExitCode.JOB_FAILED
    except errors.JobCancelledError as cancelled:
        record_in_journal(journal.FinishedRecord(job_id, "cancelled"))
        _print_final_json(cancelled.status, options)
        print_error(f"job {job_id} was cancelled")
        return ExitCode.JOB_CANCELLED
    except errors.WaitTimeoutError as timeout:
        wait, cancel = resume_commands(job_id, options.download_dir)
        last = printable(timeout.last_status.status) if timeout.last_status else "unknown"
        print_error(
            f"gave up waiting for job {job_id} after {options.timeout or 0:g}s "
            f"(last status: {last}); the job goes on"
        )
        print_note(f"  keep waiting: {wait}\n  cancel it:    {cancel}")
        return ExitCode.API_ERROR
    except errors.OdysseyError as error:
        message, hint = describe_api_error(error)
        print_error(message, hint)
        if isinstance(error, errors.NetworkError | errors.ServerError | errors.RateLimitedError):
            wait, _ = resume_commands(job_id, options.download_dir)
            print_note(f"job {job_id} goes on; resume waiting with: {wait}")
        return ExitCode.API_ERROR
    try:
        return _report_completed(final, options, names, deadline)
    except KeyboardInterrupt:
        wait, _ = resume_commands(job_id, options.download_dir)
        what = "finish downloading" if options.download_dir else "see its recordings"
        print_note(f"\ninterrupted: job {job_id} is complete; {what} with: {wait}")
        return ExitCode.INTERRUPTED


def _report_completed(
    final: JobStatus, options: WaitOptions, names: RecordingNames, deadline: float | None
) -> int:
    """Journal, download (if asked) and print a completed job; returns the exit code."""
    job_id = final.job_id
    streams = tuple((stream.stream_id, stream.script_index) for stream in final.streams)
    journaled = record_in_journal(journal.FinishedRecord(job_id, final.status, streams=streams))
    downloaded: list[dict[str, object]] = []
    if options.download_dir is not None:
        wait, _ = resume_commands(job_id, options.download_dir)
        limits = download_limits(options.max_download_bytes, deadline)
        saved = save_recordings(
            final.streams, options.download_dir, names, limits, wait, job_id, options.colour
        )
        if isinstance(saved, int):
            return saved
        downloaded = saved
    if options.json_output:
        document = final.model_dump(mode="json")
        if options.download_dir is not None:
            document["downloads"] = downloaded
        print_result(json.dumps(document, indent=2))
    else:
        print_recordings(final, names)
    return ExitCode.OK if journaled else ExitCode.USAGE


def print_recordings(status: JobStatus, names: RecordingNames) -> None:
    """The completed job's recordings, one line each, on stdout."""
    count = len(status.streams)
    print_result(f"job {status.job_id} completed: {count} recording{'s' if count != 1 else ''}")
    for stream in status.streams:
        print_result("  " + describe_stream(stream, names.script_names))


def describe_stream(stream: StreamInfo, script_names: tuple[str, ...] | None) -> str:
    """`script "intro" (#0) · stream s_1 · 9.0s · http://...video.mp4`"""
    index = stream.script_index
    if index is not None and script_names is not None and 0 <= index < len(script_names):
        script = f'script "{script_names[index]}" (#{index})'
    elif index is not None:
        script = f"script #{index}"
    else:
        script = "script"
    parts = [script, f"stream {printable(stream.stream_id)}"]
    if stream.duration_seconds is not None:
        parts.append(f"{stream.duration_seconds:g}s")
    if stream.failure_message:
        parts.append(f"failed: {printable(stream.failure_message)}")
    parts.append(printable(stream.video_url) if stream.video_url else "(no recording yet)")
    return " · ".join(parts)


def download_limits(max_bytes: int | None, deadline: float | None) -> DownloadLimits:
    """The limits of a download: `--max-download-size` (else the default) and a deadline."""
    from odyssey_dsl.client.downloads import DEFAULT_MAX_DOWNLOAD_BYTES, DownloadLimits

    return DownloadLimits(
        max_bytes=max_bytes if max_bytes is not None else DEFAULT_MAX_DOWNLOAD_BYTES,
        deadline=deadline,
    )


def save_recordings(
    streams: Sequence[StreamInfo],
    dest: Path,
    names: RecordingNames,
    limits: DownloadLimits,
    again: str,
    job_id: str | None = None,
    colour: ColourChoice = "auto",
) -> list[dict[str, object]] | int:
    """Download every file of `streams` (of job `job_id`, if known) into `dest`: what was
    saved (for `--json`), or the exit code after reporting why it failed (`again` is the
    command that continues)."""
    from odyssey_dsl.client.downloads import (
        DownloadError,
        DownloadTimedOut,
        DownloadTooLarge,
        download_all,
        plan_downloads,
    )

    items = plan_downloads(streams, dest, names.scene_stem, names.script_names)
    completed = f"job {job_id} completed, but " if job_id is not None else ""
    saved = "its recordings" if job_id is not None else "the recordings"
    try:
        with DownloadDisplay(colour=colour) as display:
            results = download_all(
                items, limits=limits, on_progress=display.on_progress, on_done=display.on_done
            )
    except OSError as error:
        print_error(
            f"{completed}{saved} could not be saved in '{dest}': {reason(error)}",
            f"make room (or fix the folder), then continue where it stopped: {again}",
        )
        return ExitCode.USAGE
    except DownloadTooLarge as error:
        print_error(
            f"{completed}downloading failed: {error}",
            "allow larger files with --max-download-size (e.g. --max-download-size 8G)",
        )
        return ExitCode.API_ERROR
    except DownloadTimedOut as error:
        print_error(
            f"{completed}gave up downloading at the --timeout: {error}", f"continue with: {again}"
        )
        return ExitCode.API_ERROR
    except DownloadError as error:
        print_error(
            f"{completed}downloading failed: {error}",
            f"run again to continue where it stopped: {again}",
        )
        return ExitCode.API_ERROR
    return [
        {
            "stream_id": r.item.stream_id,
            "kind": r.item.kind,
            "path": str(r.item.path),
            "bytes": r.size,
            "skipped": r.skipped,
        }
        for r in results
    ]


def _interrupted(client: OdysseyClient, job_id: str, options: WaitOptions) -> int:
    wait, cancel = resume_commands(job_id, options.download_dir)
    if options.cancel_on_interrupt:
        try:
            result = client.cancel(job_id)
        except errors.OdysseyError as error:
            message, hint = describe_api_error(error, job_id)
            print_error(f"interrupted, and could not cancel job {job_id}: {message}", hint)
            print_note(f"the job goes on; resume with: {wait}")
            return ExitCode.INTERRUPTED
        record_in_journal(journal.FinishedRecord(job_id, result.status))
        print_note(f"interrupted: cancelled job {job_id} (status: {printable(result.status)})")
        return ExitCode.INTERRUPTED
    print_note(
        f"\ninterrupted: job {job_id} was NOT cancelled and goes on.\n"
        f"  resume waiting: {wait}\n"
        f"  cancel it:      {cancel}"
    )
    return ExitCode.INTERRUPTED


def _print_final_json(status: JobStatus, options: WaitOptions) -> None:
    if options.json_output:
        print_result(json.dumps(status.model_dump(mode="json"), indent=2))


def record_in_journal(record: journal.JournalRecord) -> bool:
    """Append `record` to the job journal; when that fails, say so (the job itself goes on)
    and return False, so that the command ends with exit code 2 once its work is done."""
    try:
        journal.append_record(record)
    except journal.UnsafeJournalError as error:
        problem = str(error)
    except OSError as error:
        problem = f"cannot write {journal.journal_path()}: {reason(error)}"
    else:
        return True
    print_error(f"could not record job {record.job_id} in the job journal: {problem}")
    return False
