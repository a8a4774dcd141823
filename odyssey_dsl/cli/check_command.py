"""`odyc check FILE...`: report the diagnostics of scenes without writing any JSON."""

from __future__ import annotations

import argparse
import sys

from odyssey_dsl.cli.compile_options import UsageError, add_compile_options, compile_settings
from odyssey_dsl.cli.diagnostic_output import guarded, print_diagnostics, print_usage_error
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.compiler import CompileResult

DESCRIPTION = """\
Check Ody scenes for errors and warnings without writing any JSON: every diagnostic of every
file, then a one-line summary. The checks are exactly those of compiling."""

EPILOG = """\
examples:
  odyc check scene.ody                 check one scene
  odyc check examples/*.ody            check many; the summary counts them all
  odyc check --format json scene.ody   diagnostics as a JSON array on stdout (for editors)
  odyc check --format github *.ody     GitHub Actions annotations (for CI)
  odyc check --werror scene.ody        fail on warnings too

exit codes:
  0  no file has errors (warnings allowed, unless --werror)
  1  some file has errors
  2  usage error (unknown option, unreadable file)"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of `odyc check`."""
    parser = argparse.ArgumentParser(
        prog="odyc check",
        usage="odyc check [options] FILE...",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="scenes to check; '-' reads one from standard input",
    )
    add_compile_options(parser)
    return parser


def run(argv: list[str]) -> int:
    """Run `odyc check [options] FILE...`; returns the exit code."""
    return guarded(_run, argv)


def _run(argv: list[str]) -> int:
    from odyssey_dsl.cli.scene_input import compile_scene

    args = build_parser().parse_args(argv)
    try:
        settings = compile_settings(args)
    except UsageError as error:
        print_usage_error(str(error))
        return ExitCode.USAGE
    results: list[CompileResult] = []
    unreadable = False
    for file in args.files:
        try:
            results.append(compile_scene(file, settings, emit_job=False))
        except UsageError as error:
            print_usage_error(str(error))
            unreadable = True
    print_diagnostics(results, settings.format, machine_stream=sys.stdout, summary=bool(results))
    if unreadable:
        return ExitCode.USAGE
    return ExitCode.COMPILE_ERRORS if any(r.errors for r in results) else ExitCode.OK
