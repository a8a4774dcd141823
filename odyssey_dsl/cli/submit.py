"""`odyc FILE --submit`: send a compiled scene to the Simulate API and follow the job.

How the compile command uses this module:

    parser = argparse.ArgumentParser(..., epilog=EXIT_CODES_EPILOG)   # from cli.exit_codes
    add_submit_arguments(parser)            # --submit, --no-wait, --json, --download, ...
    args = parser.parse_args(argv)
    submit_options = SubmitOptions.from_args(args, parser)  # usage errors exit 2 via argparse
    result = compile_file(...)
    ... print diagnostics; on errors return 1 (nothing is sent) ...
    if submit_options.submit:
        return run_submit(result, args.file, submit_options)   # instead of printing the JSON

`run_submit` prints the job id on stderr at once and records it in the journal before
waiting; stdout holds only the result (recordings, or the final status as JSON with --json).
It returns an exit code of `ExitCode`. The API key comes only from ODYSSEY_API_KEY: there is
deliberately no flag for it (it would show in shell history and `ps`).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.cli.argument_types import byte_size, positive_seconds
from odyssey_dsl.cli.colour import ColourChoice
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.output import print_result

if TYPE_CHECKING:
    from odyssey_dsl.cli.job_waiting import RecordingNames, WaitOptions
    from odyssey_dsl.client import OdysseyClient, journal
    from odyssey_dsl.client.wire import SubmittedJob
    from odyssey_dsl.compiler import CompileResult

DEFAULT_POLL_INTERVAL = 5.0


def add_wait_arguments(parser: argparse.ArgumentParser, *, download: bool = True) -> None:
    """Options of anything that waits for a job: --no-wait is not among them."""
    group = parser.add_argument_group("waiting for the job")
    group.add_argument(
        "--json",
        dest="submit_json",
        action="store_true",
        help="print the job's final status as JSON on stdout (for scripts)",
    )
    if download:
        group.add_argument(
            "--download",
            metavar="DIR",
            type=Path,
            help="save each recording's video, thumbnail, preview and events files into DIR "
            "(atomic and resumable: files already there are not fetched again)",
        )
        add_max_download_size_argument(group)
    group.add_argument(
        "--poll-interval",
        metavar="SECONDS",
        type=positive_seconds,
        default=DEFAULT_POLL_INTERVAL,
        help=f"seconds between status checks, growing gently while the job runs "
        f"(default: {DEFAULT_POLL_INTERVAL:g})",
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=positive_seconds,
        help="stop waiting, and downloading, after this long (exit 5; the job goes on, and "
        "a download continues where it stopped when run again). Default: no limit",
    )
    group.add_argument(
        "--cancel-on-interrupt",
        action="store_true",
        help="on Ctrl-C, cancel the job (by default Ctrl-C only stops waiting)",
    )


DEFAULT_MAX_DOWNLOAD_SIZE_HELP = "2 GiB"
"""`client.downloads.DEFAULT_MAX_DOWNLOAD_BYTES` in words (that module is not imported here:
compiling never loads the HTTP client; a test keeps the two in step)."""


def add_max_download_size_argument(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
) -> None:
    """`--max-download-size SIZE`: the largest file a download accepts."""
    parser.add_argument(
        "--max-download-size",
        metavar="SIZE",
        type=byte_size,
        help="refuse any recording file larger than SIZE, e.g. 500M or 4G "
        f"(default: {DEFAULT_MAX_DOWNLOAD_SIZE_HELP})",
    )


API_URL_HELP = "Simulate API base URL (default: $ODYSSEY_API_URL, else https://api.odyssey.ml)"


def add_api_url_argument(parser: argparse.ArgumentParser) -> None:
    """`--api-url`; the key is deliberately not a flag (see the module docstring)."""
    parser.add_argument("--api-url", metavar="URL", help=API_URL_HELP)


def add_submit_arguments(parser: argparse.ArgumentParser) -> None:
    """Register `--submit` and its options on the compile command's parser."""
    group = parser.add_argument_group(
        "submitting to the Simulate API (the key is read from ODYSSEY_API_KEY)"
    )
    group.add_argument(
        "--submit",
        action="store_true",
        help="after a successful compile, submit the job and wait for its recordings",
    )
    group.add_argument(
        "--no-wait",
        action="store_true",
        help="with --submit: print the job id and return at once",
    )
    group.add_argument(
        "--bypass-prompt-expansion",
        action="store_true",
        help="with --submit: send the prompts as written (the API skips its prompt expansion)",
    )
    group.add_argument("--api-url", metavar="URL", help=API_URL_HELP)
    add_wait_arguments(parser)


@dataclass(frozen=True)
class SubmitOptions:
    """What `--submit` and its options asked for."""

    submit: bool = False
    wait: bool = True
    json_output: bool = False
    download_dir: Path | None = None
    max_download_bytes: int | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float | None = None
    api_url: str | None = None
    bypass_prompt_expansion: bool = False
    cancel_on_interrupt: bool = False
    colour: ColourChoice = "auto"

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, parser: argparse.ArgumentParser | None = None
    ) -> SubmitOptions:
        """Read the options registered by `add_submit_arguments`.

        Submission options without `--submit`, or `--download` with `--no-wait`, are usage
        errors: reported through `parser.error` (exit 2) when a parser is given, else raised
        as `ValueError`.
        """
        options = cls(
            submit=args.submit,
            wait=not args.no_wait,
            json_output=args.submit_json,
            download_dir=args.download,
            max_download_bytes=args.max_download_size,
            poll_interval=args.poll_interval,
            timeout=args.timeout,
            api_url=args.api_url,
            bypass_prompt_expansion=args.bypass_prompt_expansion,
            cancel_on_interrupt=args.cancel_on_interrupt,
            colour=getattr(args, "color", "auto"),
        )
        problem = options.usage_problem(args)
        if problem is not None:
            if parser is not None:
                parser.error(problem)
            raise ValueError(problem)
        return options

    def usage_problem(self, args: argparse.Namespace) -> str | None:
        """Why this combination of options makes no sense, or None."""
        if not self.submit:
            given = [
                flag
                for flag, used in (
                    ("--no-wait", self.wait is False),
                    ("--json", self.json_output),
                    ("--download", self.download_dir is not None),
                    ("--max-download-size", self.max_download_bytes is not None),
                    ("--timeout", self.timeout is not None),
                    ("--api-url", self.api_url is not None),
                    ("--bypass-prompt-expansion", self.bypass_prompt_expansion),
                    ("--cancel-on-interrupt", self.cancel_on_interrupt),
                    ("--poll-interval", self.poll_interval != DEFAULT_POLL_INTERVAL),
                )
                if used
            ]
            if given:
                verb = "makes" if len(given) == 1 else "make"
                return f"{', '.join(given)} only {verb} sense with --submit"
        if not self.wait and self.download_dir is not None:
            return "--download needs to wait for the job: drop --no-wait"
        return None

    def wait_options(self) -> WaitOptions:
        from odyssey_dsl.cli.job_waiting import WaitOptions

        return WaitOptions(
            poll_interval=self.poll_interval,
            timeout=self.timeout,
            json_output=self.json_output,
            download_dir=self.download_dir,
            max_download_bytes=self.max_download_bytes,
            cancel_on_interrupt=self.cancel_on_interrupt,
            colour=self.colour,
        )


def run_submit(result: CompileResult, scene_path: str, options: SubmitOptions) -> int:
    """Submit a successfully compiled scene and follow it; returns the exit code.

    A result with errors is refused (exit 1) without sending anything.
    """
    from odyssey_dsl.cli.job_waiting import RecordingNames, scene_stem_of
    from odyssey_dsl.cli.terminal import print_error

    job = result.job
    if job is None or not result.ok:
        print_error("the scene has errors: nothing was submitted")
        return ExitCode.COMPILE_ERRORS
    names = RecordingNames(
        scene_stem_of(scene_path),
        tuple(job.script_names) if job.script_names is not None else None,
    )
    return submit_and_follow(
        lambda client: client.simulate(
            job, bypass_prompt_expansion=options.bypass_prompt_expansion
        ),
        api_url=options.api_url,
        wait=options.wait,
        wait_options=options.wait_options(),
        names=names,
        scene=scene_path,
    )


def resolved_api_url(api_url: str | None) -> str:
    """--api-url, else $ODYSSEY_API_URL, else the default (what the client will use)."""
    from odyssey_dsl.client.client import DEFAULT_API_URL

    return api_url or os.environ.get("ODYSSEY_API_URL") or DEFAULT_API_URL


def submit_and_follow(
    submit: Callable[[OdysseyClient], SubmittedJob],
    *,
    api_url: str | None,
    wait: bool,
    wait_options: WaitOptions,
    names: RecordingNames,
    scene: str | None = None,
    script_url: str | None = None,
) -> int:
    """Submit with `submit(client)`, announce and journal the job, then follow it."""
    from odyssey_dsl.cli.api_calls import open_client, report_api_error
    from odyssey_dsl.cli.job_waiting import follow_job, resume_commands
    from odyssey_dsl.cli.terminal import print_note
    from odyssey_dsl.client import errors, journal

    try:
        with open_client(api_url) as client:
            try:
                submitted = submit(client)
            except KeyboardInterrupt:
                print_note(
                    "interrupted while submitting: the job may or may not have been created; "
                    "check with: odyc jobs list --active"
                )
                return ExitCode.INTERRUPTED
            job_id = submitted.job_id
            record = journal.SubmittedRecord(
                job_id=job_id,
                api_url=resolved_api_url(api_url),
                scene=scene,
                script_names=names.script_names,
                script_url=script_url,
            )
            try:
                journaled = _announce(record)
            except KeyboardInterrupt:
                # the job exists now: it must not be lost, even to a Ctrl-C at this instant
                _announce(record)
                wait_command, cancel_command = resume_commands(job_id, wait_options.download_dir)
                print_note(
                    f"interrupted: job {job_id} goes on.\n  resume waiting: {wait_command}\n"
                    f"  cancel it:      {cancel_command}"
                )
                return ExitCode.INTERRUPTED
            if not wait:
                if wait_options.json_output:
                    print_result(json.dumps(submitted.model_dump(mode="json"), indent=2))
                else:
                    print_result(job_id)
                follow, _ = resume_commands(job_id)
                print_note(f"follow it with: {follow}")
                return ExitCode.OK if journaled else ExitCode.USAGE
            code = follow_job(
                client,
                job_id,
                wait_options,
                names,
                just_submitted=True,
                queue_estimate_minutes=submitted.estimated_wait_minutes,
            )
            return ExitCode.USAGE if code == ExitCode.OK and not journaled else code
    except errors.OdysseyError as error:
        return report_api_error(error)


def _announce(record: journal.SubmittedRecord) -> bool:
    """Print the new job's id on stderr and append it to the journal (fsynced); False when
    the journal could not take it (the failure is printed)."""
    from odyssey_dsl.cli.job_waiting import record_in_journal
    from odyssey_dsl.cli.terminal import print_note

    print_note(f"submitted job {record.job_id}")
    return record_in_journal(record)
