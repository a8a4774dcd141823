"""`odyc emulator`: run a local emulator of the Odyssey Simulate API until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from odyssey_dsl.cli.argument_types import byte_size, whole_number
from odyssey_dsl.cli.colour import add_colour_option
from odyssey_dsl.cli.output import ArgumentParser

if TYPE_CHECKING:
    from odyssey_dsl.emulator.config import PlannedFault
    from odyssey_dsl.emulator.state import RequestRecord

DEFAULT_MAX_BODY_SIZE_HELP = "64 MiB"
DEFAULT_MAX_FINISHED_JOBS_HELP = "10000"
"""The defaults of `EmulatorConfig`, in words: the emulator (and with it uvicorn) is imported
only once the options are read; a test keeps these in step."""

DESCRIPTION = """\
Run a local emulator of the Odyssey Simulate API, for trying odyc without an account or a
network. It answers every endpoint odyc and the official SDK use (auth token, simulation
jobs, recordings) with the real API's JSON shapes; jobs go pending -> dispatched ->
processing -> completed on an emulated clock, and their recording URLs serve small
placeholder files from the emulator itself.

It listens on 127.0.0.1 (this machine only) unless --host says otherwise.
Point odyc at it with ODYSSEY_API_URL and any API key that starts with "ody_".
Stop it with Ctrl-C.
"""

EPILOG = """\
examples:
  odyc emulator
  ODYSSEY_API_URL=http://127.0.0.1:8765 ODYSSEY_API_KEY=ody_local \\
      odyc examples/cat_window.ody --submit --download out/

  odyc emulator --speed 5                      # jobs finish five times faster
  odyc emulator --fail-fraction 0.3 --seed 7   # about 30% of jobs fail, reproducibly
  odyc emulator --fault "POST /simulation-jobs#1=rate_limit"   # first submission gets 429

fault kinds (for --fault): rate_limit (429 + Retry-After), server_error (500),
  bad_gateway (502), unavailable (503 + Retry-After), gateway_timeout (504),
  slow (answers after --slow-seconds), drop (connection closed, request not handled),
  drop_after (request handled, e.g. the job IS created, then the connection closes),
  drop_midway (the response stops part-way through its body).
endpoints (for --fault): "POST /auth/token", "POST /simulation-jobs",
  "GET /simulation-jobs", "GET /simulation-jobs/{job_id}",
  "DELETE /simulation-jobs/{job_id}", "GET /recordings/{stream_id}",
  "GET /stream-recordings", "GET /media/{stream_id}/{name}",
  "HEAD /media/{stream_id}/{name}", or "*" (counts every request).

exit status: 0 after a clean stop (Ctrl-C or SIGTERM), 1 if the address cannot be used,
2 for invalid options.
"""


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more seconds, got {text}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number above zero")
    return value


def _at_least_one(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port between 0 and 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="odyc emulator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = parser.add_argument_group("where to listen")
    net.add_argument(
        "--host",
        default=None,
        help="address to listen on (default 127.0.0.1, this machine only; anything else "
        "exposes the emulator to your network)",
    )
    net.add_argument(
        "--port", type=_port, default=8765, help="port to listen on (default 8765; 0 picks one)"
    )
    net.add_argument("--quiet", action="store_true", help="do not print a line for every request")
    add_colour_option(parser, has_colour=False)

    auth = parser.add_argument_group("API keys and tokens")
    auth.add_argument(
        "--api-key",
        action="append",
        default=None,
        metavar="KEY",
        help="accept only this API key (repeatable; default: any key starting with ody_)",
    )
    auth.add_argument(
        "--deny-key",
        action="append",
        default=None,
        metavar="KEY",
        help="answer this key with 403 'access denied' (repeatable)",
    )
    auth.add_argument(
        "--token-expires-in",
        type=_positive,
        default=3600,
        metavar="SECONDS",
        help="lifetime of bearer tokens (default 3600; small values exercise token refresh)",
    )

    clock = parser.add_argument_group("job clock")
    clock.add_argument(
        "--speed",
        type=_positive,
        default=1.0,
        help="clock multiplier: 2 runs jobs twice as fast (default 1: a job takes about 5 s)",
    )
    clock.add_argument("--pending-seconds", type=_non_negative, default=1.0, metavar="S")
    clock.add_argument("--dispatched-seconds", type=_non_negative, default=1.0, metavar="S")
    clock.add_argument(
        "--processing-seconds",
        type=_non_negative,
        default=3.0,
        metavar="S",
        help="emulated duration of each job phase (defaults 1, 1 and 3 seconds)",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--max-body-size",
        type=byte_size,
        default=None,
        metavar="SIZE",
        help="answer a larger request body with 413, without reading it "
        f"(default {DEFAULT_MAX_BODY_SIZE_HELP}; e.g. 1M, 200M)",
    )
    limits.add_argument(
        "--max-finished-jobs",
        type=_at_least_one,
        default=None,
        metavar="N",
        help="finished jobs kept; beyond that the oldest are forgotten "
        f"(default {DEFAULT_MAX_FINISHED_JOBS_HELP})",
    )
    clock.add_argument(
        "--video-bytes",
        type=int,
        default=256 * 1024,
        metavar="N",
        help="size of each placeholder video file (default 262144)",
    )

    faults = parser.add_argument_group("fault injection (reproducible from --seed)")
    faults.add_argument(
        "--seed", type=int, default=0, help="seed of every random fault (default 0)"
    )
    faults.add_argument(
        "--fail-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of jobs that fail, with an error message",
    )
    faults.add_argument(
        "--stream-fail-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of streams that fail (their job fails and names them)",
    )
    faults.add_argument(
        "--rate-limit-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of API requests answered 429 with Retry-After",
    )
    faults.add_argument(
        "--retry-after",
        type=_non_negative,
        default=1.0,
        metavar="SECONDS",
        help="Retry-After sent with 429 and 503 answers (default 1)",
    )
    faults.add_argument(
        "--server-error-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of API requests answered 500, 502 or 503",
    )
    faults.add_argument(
        "--slow-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of API requests answered late",
    )
    faults.add_argument(
        "--slow-seconds",
        type=_non_negative,
        default=2.0,
        metavar="SECONDS",
        help="delay of a slow answer (default 2)",
    )
    faults.add_argument(
        "--drop-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of API requests whose connection is closed without an answer",
    )
    faults.add_argument(
        "--fault",
        action="append",
        default=None,
        metavar='"ENDPOINT#N=KIND"',
        help='the N-th request to ENDPOINT gets KIND, e.g. "GET /simulation-jobs/{job_id}#2=drop" '
        "(repeatable; see the lists below)",
    )
    faults.add_argument(
        "--fail-job",
        action="append",
        type=int,
        default=None,
        metavar="N",
        help="the N-th submitted job fails (repeatable)",
    )
    return parser


def parse_fault(text: str) -> PlannedFault:
    """A `PlannedFault` from "ENDPOINT#N=KIND" (raises ValueError with a readable message)."""
    from odyssey_dsl.emulator.config import PlannedFault

    target, equals, kind = text.rpartition("=")
    endpoint, hash_sign, nth = target.rpartition("#")
    if not equals or not hash_sign:
        raise ValueError(
            f'expected "ENDPOINT#N=KIND", e.g. "POST /simulation-jobs#1=rate_limit"; got {text!r}'
        )
    try:
        count = int(nth)
    except ValueError:
        raise ValueError(f"the request number in {text!r} must be a whole number") from None
    from odyssey_dsl.emulator.config import FAULT_KINDS

    kind = kind.strip()
    for known in FAULT_KINDS:
        if kind == known:
            return PlannedFault(endpoint.strip(), count, known)
    raise ValueError(f"unknown fault kind {kind!r}: use one of {', '.join(FAULT_KINDS)}")


def _or(given: int | None, default: int) -> int:
    return default if given is None else given


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _request_printer(out: Callable[[str], None]) -> Callable[[RequestRecord], None]:
    from odyssey_dsl.client.server_text import printable

    def report(record: RequestRecord) -> None:
        if record.client_gone:
            status = "client disconnected"
        else:
            status = "dropped" if record.status_code is None else str(record.status_code)
        fault = f"  [fault: {record.fault}]" if record.fault else ""
        clock = time.strftime("%H:%M:%S", time.localtime(record.at))
        # the path is the client's: printed with its control characters escaped
        path = printable(record.path, max_chars=200)
        out(f"{clock}  {printable(record.method, max_chars=20):<6} {path}  {status}{fault}")

    return report


def run(argv: list[str]) -> int:
    """Run the emulator in the foreground until SIGINT or SIGTERM."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from odyssey_dsl.emulator.config import (
            DEFAULT_MAX_BODY_BYTES,
            DEFAULT_MAX_FINISHED_JOBS,
            EmulatorConfig,
        )
        from odyssey_dsl.emulator.server import LOOPBACK, bind_socket, serve
        from odyssey_dsl.emulator.state import EmulatorState
    except ImportError as error:
        print(
            "odyc emulator: the emulator needs the optional packages Starlette and uvicorn"
            f" ({error}).\n"
            "Install them with: pip install 'odyssey-dsl[emulator]'",
            file=sys.stderr,
        )
        return 1
    try:
        plan = tuple(parse_fault(text) for text in args.fault or [])
        config = EmulatorConfig(
            api_keys=frozenset(args.api_key) if args.api_key else None,
            denied_api_keys=frozenset(args.deny_key or []),
            token_expires_in=args.token_expires_in,
            speed=args.speed,
            pending_seconds=args.pending_seconds,
            dispatched_seconds=args.dispatched_seconds,
            processing_seconds=args.processing_seconds,
            fail_fraction=args.fail_fraction,
            stream_fail_fraction=args.stream_fail_fraction,
            rate_limit_fraction=args.rate_limit_fraction,
            retry_after_seconds=args.retry_after,
            server_error_fraction=args.server_error_fraction,
            slow_fraction=args.slow_fraction,
            slow_seconds=args.slow_seconds,
            drop_fraction=args.drop_fraction,
            seed=args.seed,
            fault_plan=plan,
            failing_jobs=frozenset(args.fail_job or []),
            video_bytes=args.video_bytes,
            max_body_bytes=_or(args.max_body_size, DEFAULT_MAX_BODY_BYTES),
            max_finished_jobs=_or(args.max_finished_jobs, DEFAULT_MAX_FINISHED_JOBS),
        )
    except ValueError as error:
        parser.error(str(error))

    host = args.host if args.host is not None else LOOPBACK
    try:
        sock = bind_socket(host, args.port)
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"odyc emulator: cannot listen on {host}:{args.port}: {reason}.\n"
            "Is another emulator already running? Choose another port with --port "
            "(--port 0 picks a free one).",
            file=sys.stderr,
        )
        return 1

    def out(line: str) -> None:
        print(line, flush=True)

    def started(url: str) -> None:
        where = (
            "loopback only: reachable from this machine, not from your network"
            if _is_loopback(host)
            else f"{host}: reachable from other machines"
        )
        out(f"odyc emulator: serving the Odyssey Simulate API at {url} ({where})")
        out(
            "Accepted API keys: "
            + (
                "any key starting with ody_"
                if config.api_keys is None
                else f"{len(config.api_keys)} given with --api-key"
            )
        )
        out(f"A job takes about {config.job_seconds:g} s. Press Ctrl-C to stop.")
        example_key = "ody_local" if config.api_keys is None else "<one of your --api-key values>"
        out(
            f"Try:  ODYSSEY_API_URL={url} ODYSSEY_API_KEY={example_key}"
            " odyc examples/cat_window.ody --submit"
        )

    if not _is_loopback(host):
        print(
            f"odyc emulator: warning: listening on {host}, not on loopback: anyone who can reach "
            "this machine can use the emulator.",
            file=sys.stderr,
        )
    state = EmulatorState(config, on_request=None if args.quiet else _request_printer(out))
    try:
        serve(config, sock=sock, state=state, on_started=started)
    finally:
        sock.close()
    out(f"odyc emulator: stopped ({state.job_count} jobs, {state.request_count} requests served).")
    return 0
