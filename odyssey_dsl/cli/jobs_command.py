"""`odyc jobs submit|list|status|wait|cancel`: manage Simulate API jobs."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from odyssey_dsl.cli.argument_types import add_paging_arguments, job_id
from odyssey_dsl.cli.colour import ColourChoice, add_colour_option
from odyssey_dsl.cli.exit_codes import EXIT_CODES_EPILOG, ExitCode
from odyssey_dsl.cli.output import ArgumentParser, print_result
from odyssey_dsl.cli.submit import add_api_url_argument, add_wait_arguments

if TYPE_CHECKING:
    from odyssey_dsl.cli.job_waiting import WaitOptions
    from odyssey_dsl.client import OdysseyClient
    from odyssey_dsl.client.wire import JobStatus, JobSummary

JOB_STATUSES = ("pending", "dispatched", "processing", "completed", "failed", "cancelled")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="odyc jobs",
        description="Submit, list, follow and cancel Simulate API jobs. The API key is read "
        "from the ODYSSEY_API_KEY environment variable.",
        epilog=EXIT_CODES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=EXIT_CODES_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_api_url_argument(sub)
        add_colour_option(sub)
        return sub

    submit = command(
        "submit",
        "submit a script hosted at a URL, then wait for it",
        "Submit a job whose script (a JSON array of ScriptEntry) is hosted at a URL, then "
        "wait for it like `odyc FILE --submit` (or return at once with --no-wait).",
    )
    submit.add_argument("--script-url", metavar="URL", required=True, help="where the script is")
    orientation = submit.add_mutually_exclusive_group()
    orientation.add_argument(
        "--portrait", dest="portrait", action="store_true", default=None, help="portrait video"
    )
    orientation.add_argument(
        "--landscape", dest="portrait", action="store_false", help="landscape video"
    )
    submit.add_argument(
        "--bypass-prompt-expansion",
        action="store_true",
        help="send the prompts as written (the API skips its prompt expansion)",
    )
    submit.add_argument("--no-wait", action="store_true", help="print the job id and return")
    add_wait_arguments(submit)

    listing = command(
        "list",
        "list your jobs",
        "List your jobs (one page unless --all); --local lists the jobs this "
        "machine submitted, from odyc's journal.",
    )
    listing.add_argument("--status", choices=JOB_STATUSES, help="only jobs with this status")
    listing.add_argument("--active", action="store_true", help="only jobs still queued or running")
    add_paging_arguments(listing, "jobs")
    listing.add_argument(
        "--local",
        action="store_true",
        help="list the jobs recorded in this machine's journal instead (no request is made): "
        "the --limit most recent (after skipping --offset), or --all",
    )
    listing.add_argument("--json", action="store_true", help="print JSON (for scripts)")

    status = command("status", "show a job's status", "Show a job's status and its streams.")
    status.add_argument("job_id", metavar="JOB_ID", type=job_id)
    status.add_argument("--json", action="store_true", help="print JSON (for scripts)")

    wait = command(
        "wait",
        "wait for a job to end (and download its recordings)",
        "Wait for a job to end, showing its progress, then print its recordings. Ctrl-C stops "
        "waiting without cancelling the job.",
    )
    wait.add_argument("job_id", metavar="JOB_ID", type=job_id)
    add_wait_arguments(wait)

    cancel = command(
        "cancel",
        "cancel a pending or dispatched job",
        "Cancel a job that has not started processing yet.",
    )
    cancel.add_argument("job_id", metavar="JOB_ID", type=job_id)
    cancel.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    return parser


def run(argv: list[str]) -> int:
    """Entry point of `odyc jobs`."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = {
        "submit": _submit,
        "list": _list,
        "status": _status,
        "wait": _wait,
        "cancel": _cancel,
    }[args.command]
    return handler(args)


def _submit(args: argparse.Namespace) -> int:
    from odyssey_dsl.cli.job_waiting import RecordingNames
    from odyssey_dsl.cli.submit import submit_and_follow

    if args.no_wait and args.download is not None:
        return _usage_error("--download needs to wait for the job: drop --no-wait")
    return submit_and_follow(
        lambda client: client.simulate(
            script_url=args.script_url,
            portrait=args.portrait,
            bypass_prompt_expansion=args.bypass_prompt_expansion,
        ),
        api_url=args.api_url,
        wait=not args.no_wait,
        wait_options=_wait_options(args),
        names=RecordingNames("script-url"),
        script_url=args.script_url,
    )


def _list(args: argparse.Namespace) -> int:
    if args.local:
        return _list_local(args)

    def fetch(client: OdysseyClient) -> int:
        status = args.status
        active = True if args.active else None
        if args.all:
            jobs = list(client.iter_simulations(status=status, active=active, page_size=args.limit))
            total = len(jobs)
        else:
            page = client.list_simulations(
                status=status, active=active, limit=args.limit, offset=args.offset
            )
            jobs, total = page.jobs, page.total
        if args.json:
            document = {
                "jobs": [job.model_dump(mode="json") for job in jobs],
                "total": total,
                "limit": args.limit,
                "offset": 0 if args.all else args.offset,
            }
            print_result(json.dumps(document, indent=2))
            return ExitCode.OK
        _print_job_table(jobs, args.color)
        shown = len(jobs)
        if not args.all and args.offset + shown < total:
            _note(
                f"showing {shown} of {total} jobs; use --all for every page, or "
                f"--offset {args.offset + shown} for the next one"
            )
        return ExitCode.OK

    return _api(args, fetch)


def _list_local(args: argparse.Namespace) -> int:
    from odyssey_dsl.cli.output import reason
    from odyssey_dsl.cli.terminal import optional, print_error, print_table
    from odyssey_dsl.client import journal

    def wanted(entry: journal.JournalEntry) -> bool:
        if args.status and entry.final_status != args.status:
            return False
        return not (args.active and entry.final_status is not None)

    path = journal.journal_path()
    offset = 0 if args.all else args.offset
    try:
        recent = journal.recent_entries(
            None if args.all else args.limit, skip=offset, keep=wanted, path=path
        )
    except journal.UnsafeJournalError as error:
        print_error(str(error))
        return ExitCode.USAGE
    except OSError as error:
        print_error(f"cannot read the job journal {path}: {reason(error)}")
        return ExitCode.USAGE
    entries = recent.entries
    if args.json:
        document = [
            {
                **e.submitted.as_json(),
                "final_status": e.final_status,
                "finished_at": e.finished_at,
            }
            for e in entries
        ]
        print_result(json.dumps(document, indent=2))
    else:
        print_table(
            ["JOB ID", "SUBMITTED", "SCENE", "LAST KNOWN STATUS"],
            [
                [
                    e.submitted.job_id,
                    e.submitted.submitted_at,
                    optional(e.submitted.scene or e.submitted.script_url),
                    e.final_status or "(not seen finishing)",
                ]
                for e in entries
            ],
            whole=(0, 3),
            title=f"jobs in {path}",
            colour=args.color,
        )
    if recent.more:
        _note(
            f"showing the {len(entries)} most recent jobs; use --all for every one, or "
            f"--offset {offset + len(entries)} for older ones"
        )
    if recent.damaged:
        _note(f"odyc: warning: skipped {recent.damaged} damaged line(s) of {path}")
    return ExitCode.OK


def _status(args: argparse.Namespace) -> int:
    def fetch(client: OdysseyClient) -> int:
        status = client.get_status(args.job_id)
        if args.json:
            print_result(json.dumps(status.model_dump(mode="json"), indent=2))
        else:
            _print_status(status)
        return ExitCode.OK

    return _api(args, fetch)


def _wait(args: argparse.Namespace) -> int:
    from odyssey_dsl.cli.job_waiting import RecordingNames, follow_job

    return _api(
        args,
        lambda client: follow_job(
            client, args.job_id, _wait_options(args), RecordingNames.for_job(args.job_id)
        ),
    )


def _cancel(args: argparse.Namespace) -> int:
    from odyssey_dsl.cli.job_waiting import record_in_journal
    from odyssey_dsl.client import journal

    def cancel(client: OdysseyClient) -> int:
        from odyssey_dsl.client.server_text import printable

        result = client.cancel(args.job_id)
        journaled = record_in_journal(journal.FinishedRecord(result.job_id, result.status))
        if args.json:
            print_result(json.dumps(result.model_dump(mode="json"), indent=2))
        else:
            print_result(f"job {result.job_id}: {printable(result.status)}")
        return ExitCode.OK if journaled else ExitCode.USAGE

    return _api(args, cancel)


def _wait_options(args: argparse.Namespace) -> WaitOptions:
    from odyssey_dsl.cli.job_waiting import WaitOptions

    return WaitOptions(
        poll_interval=args.poll_interval,
        timeout=args.timeout,
        json_output=args.submit_json,
        download_dir=args.download,
        max_download_bytes=args.max_download_size,
        cancel_on_interrupt=args.cancel_on_interrupt,
        colour=args.color,
    )


def _print_job_table(jobs: Sequence[JobSummary], colour: ColourChoice) -> None:
    from odyssey_dsl.cli.terminal import optional, print_table

    print_table(
        ["JOB ID", "STATUS", "CREATED", "COMPLETED", "ERROR"],
        [
            [
                job.job_id,
                job.status,
                optional(job.created_at),
                optional(job.completed_at),
                optional(job.error_message),
            ]
            for job in jobs
        ],
        colour=colour,
        whole=(0, 1),
    )


def _print_status(status: JobStatus) -> None:
    from odyssey_dsl.cli.job_waiting import RecordingNames, describe_stream
    from odyssey_dsl.client.server_text import printable

    print_result(f"job {status.job_id}: {printable(status.status)}")
    for label, value in (
        ("created", status.created_at),
        ("dispatched", status.dispatched_at),
        ("started", status.started_at),
        ("completed", status.completed_at),
        ("region", status.assigned_region),
        ("error", status.error_message),
    ):
        if value:
            print_result(f"  {label + ':':12}{printable(value)}")
    names = RecordingNames.for_job(status.job_id)
    for stream in status.streams:
        print_result("  " + describe_stream(stream, names.script_names))


def _note(message: str) -> None:
    from odyssey_dsl.cli.terminal import print_note

    print_note(message)


def _usage_error(message: str) -> int:
    import sys

    print(f"odyc jobs submit: error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _api(args: argparse.Namespace, action: Callable[[OdysseyClient], int]) -> int:
    from odyssey_dsl.cli.api_calls import run_with_client

    return run_with_client(args.api_url, action, getattr(args, "job_id", None))
