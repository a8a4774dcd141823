"""`odyc recordings get|list`: look up stream recordings."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.cli.argument_types import add_paging_arguments
from odyssey_dsl.cli.colour import add_colour_option
from odyssey_dsl.cli.exit_codes import EXIT_CODES_EPILOG, ExitCode
from odyssey_dsl.cli.output import ArgumentParser, print_result
from odyssey_dsl.cli.submit import add_api_url_argument, add_max_download_size_argument

if TYPE_CHECKING:
    from odyssey_dsl.cli.job_waiting import RecordingNames
    from odyssey_dsl.client import OdysseyClient
    from odyssey_dsl.client.wire import Recording


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="odyc recordings",
        description="Look up the recordings of your streams. The API key is read from the "
        "ODYSSEY_API_KEY environment variable.",
        epilog=EXIT_CODES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    get = commands.add_parser(
        "get",
        help="show one stream's recording (its download links)",
        description="Show a stream's recording: fresh links (valid about an hour) to its "
        "video, events, thumbnail and preview; --download saves them.",
        epilog=EXIT_CODES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    get.add_argument("stream_id", metavar="STREAM_ID")
    get.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    get.add_argument(
        "--download",
        metavar="DIR",
        type=Path,
        help="save the recording's files into DIR, named as `odyc jobs wait --download` names "
        "them (<scene>.<script>.<stream id>.<kind>.<ext>) when this machine's journal knows "
        "the stream's job, else recording.script.<stream id>.<kind>.<ext>",
    )
    add_max_download_size_argument(get)
    add_api_url_argument(get)
    add_colour_option(get)
    listing = commands.add_parser(
        "list",
        help="list your stream recordings",
        description="List your stream recordings (one page unless --all).",
        epilog=EXIT_CODES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paging_arguments(listing, "recordings")
    listing.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    add_api_url_argument(listing)
    add_colour_option(listing)
    return parser


def run(argv: list[str]) -> int:
    """Entry point of `odyc recordings`."""
    args = build_parser().parse_args(argv)
    action = _get if args.command == "get" else _list
    return _api(args, lambda client: action(client, args))


def _get(client: OdysseyClient, args: argparse.Namespace) -> int:
    from odyssey_dsl.client.server_text import printable

    recording = client.get_recording(args.stream_id)
    downloads: list[dict[str, object]] = []
    if args.download is not None:
        downloads_or_code = _download(recording, args)
        if isinstance(downloads_or_code, int):
            return downloads_or_code
        downloads = downloads_or_code
    if args.json:
        document = recording.model_dump(mode="json")
        if args.download is not None:
            document["downloads"] = downloads
        print_result(json.dumps(document, indent=2))
        return ExitCode.OK
    print_result(f"recording of stream {printable(recording.stream_id)}")
    for label, value in (
        ("duration", f"{recording.duration_seconds:g}s" if recording.duration_seconds else None),
        ("frames", recording.frame_count),
        ("video", recording.video_url),
        ("events", recording.events_url),
        ("thumbnail", recording.thumbnail_url),
        ("preview", recording.preview_url),
    ):
        if value is not None:
            print_result(f"  {label + ':':11}{printable(str(value))}")
    return ExitCode.OK


def _download(recording: Recording, args: argparse.Namespace) -> list[dict[str, object]] | int:
    import shlex

    from odyssey_dsl.cli.job_waiting import download_limits, save_recordings
    from odyssey_dsl.client.wire import StreamInfo

    names, script_index = _names_of(recording.stream_id)
    stream = StreamInfo.model_validate({**recording.model_dump(), "script_index": script_index})
    dest: Path = args.download
    again = shlex.join(["odyc", "recordings", "get", args.stream_id, "--download", str(dest)])
    limits = download_limits(args.max_download_size, deadline=None)
    return save_recordings([stream], dest, names, limits, again, colour=args.color)


def _names_of(stream_id: str) -> tuple[RecordingNames, int | None]:
    """How `jobs wait` named this stream's files: after its job's scene and script, when
    a wait on this machine saw the stream (the journal says), else `recording.script`."""
    from odyssey_dsl.cli.job_waiting import RecordingNames
    from odyssey_dsl.client import journal

    try:
        origin = journal.find_stream(stream_id)
    except OSError:
        origin = None
    if origin is None:
        return RecordingNames("recording"), None
    return RecordingNames.from_submission(origin.job_id, origin.submitted), origin.script_index


def _list(client: OdysseyClient, args: argparse.Namespace) -> int:
    from odyssey_dsl.cli.terminal import optional, print_table

    if args.all:
        recordings = list(client.iter_stream_recordings(page_size=args.limit))
        total = len(recordings)
    else:
        page = client.list_stream_recordings(limit=args.limit, offset=args.offset)
        recordings, total = page.recordings, page.total
    if args.json:
        document = {
            "recordings": [r.model_dump(mode="json") for r in recordings],
            "total": total,
            "limit": args.limit,
            "offset": 0 if args.all else args.offset,
        }
        print_result(json.dumps(document, indent=2))
        return ExitCode.OK
    print_table(
        ["STREAM ID", "SIZE", "STARTED", "ENDED", "DURATION"],
        [
            [
                r.stream_id,
                f"{r.width}x{r.height}" if r.width and r.height else "-",
                optional(r.started_at),
                optional(r.ended_at),
                optional(r.duration_seconds, lambda s: f"{s:g}s"),
            ]
            for r in recordings
        ],
        colour=args.color,
        whole=(0,),
    )
    return ExitCode.OK


def _api(args: argparse.Namespace, action: Callable[[OdysseyClient], int]) -> int:
    from odyssey_dsl.cli.api_calls import run_with_client

    return run_with_client(args.api_url, action)
