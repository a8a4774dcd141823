"""`odyc FILE`: compile a scene and print (or write) its JSON — the default command."""

from __future__ import annotations

import argparse
import sys

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.cli.compile_options import UsageError, add_compile_options, compile_settings
from odyssey_dsl.cli.diagnostic_output import print_diagnostics, print_usage_error
from odyssey_dsl.cli.exit_codes import EXIT_CODES_EPILOG, ExitCode
from odyssey_dsl.cli.output import ArgumentParser, reason, write_bytes
from odyssey_dsl.cli.scene_input import UnreadableScene, compile_scene
from odyssey_dsl.cli.submit import SubmitOptions, add_submit_arguments

USAGE = """\
odyc [options] FILE
       odyc COMMAND [options] ..."""

DESCRIPTION = """\
Compile an Ody scene (a .ody file) to the JSON script that the Odyssey Simulate API takes,
checking its timeline first. The JSON goes to stdout (or to -o PATH); errors and warnings go
to stderr, each with its line, column and a hint.

commands:
  odyc check FILE...    check scenes for errors and warnings, without writing JSON
  odyc fmt [PATH...]    format scenes in the canonical style (--check: only report)
  odyc jobs ...         submit, list, follow and cancel jobs of the Simulate API
  odyc recordings ...   look up the recordings of finished streams
  odyc emulator         run a local emulator of the Simulate API (for trying odyc out)
  odyc rule CODE        explain a diagnostic code (odyc rule --all: every code)
  odyc schema           the JSON Schema of odyc's output
  odyc lsp              the language server, for editors (speaks LSP on stdin/stdout)
Run 'odyc COMMAND --help' for the options of a command. A file named like a command is
compiled when given as a path: odyc ./check"""

EPILOG = f"""\
examples:
  odyc scene.ody                       print the script as JSON
  odyc scene.ody -o scene.json         write it to a file (only if it compiles)
  odyc scene.ody --emit request        print the API request body instead
  odyc scene.ody --var subject=dog     override the scene's `let subject = ...`
  cat scene.ody | odyc -               compile standard input
  odyc check examples/*.ody            check many scenes and print a summary
  odyc scene.ody --submit              compile, submit and wait for the recordings

{EXIT_CODES_EPILOG}"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of the compile command (also the parser of `odyc --help`)."""
    parser = ArgumentParser(
        prog="odyc",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        help="the scene to compile; '-' reads it from standard input",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"odyc {__version__}",
        help="print odyc's version and exit",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the JSON to PATH instead of stdout; the file is replaced in one step and "
        "only when the scene compiles, so a failed compile leaves it as it was",
    )
    output.add_argument(
        "--compact", action="store_true", help="print the JSON on one line (default: indented)"
    )
    output.add_argument(
        "--emit",
        choices=("script", "request"),
        default="script",
        help="script: the array of entries (an array of arrays for a batch; default); "
        'request: the API request body, {"portrait": ..., "script": [...]} or "scripts"',
    )
    add_compile_options(parser)
    add_submit_arguments(parser)
    return parser


def run(argv: list[str]) -> int:
    """Run `odyc [options] FILE`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    submit_options = SubmitOptions.from_args(args, parser)
    unreadable = False
    try:
        command_line = compile_settings(args)
        settings = command_line.settings_for(args.file)
        result = compile_scene(args.file, settings)
    except UnreadableScene as error:  # E902 in the chosen format, as `odyc check` reports it
        result, unreadable = error.as_result(), True
    except UsageError as error:
        print_usage_error(str(error))
        return ExitCode.USAGE
    job = result.compiled if result.ok else None
    submitting = submit_options.submit
    to_stdout = job is not None and args.output in (None, "-") and not submitting
    # stdout carries one thing: the compiled JSON, the submission's result, or diagnostics.
    stdout_taken = job is not None and (to_stdout or submitting)
    print_diagnostics(
        [result],
        settings.format,
        machine_stream=sys.stderr if stdout_taken else sys.stdout,
        summary=settings.format == "text" and bool(result.diagnostics),
        show_suppressed=command_line.show_suppressed,
        colour_choice=command_line.colour,
    )
    if job is None:
        return ExitCode.USAGE if unreadable else ExitCode.COMPILE_ERRORS
    from odyssey_dsl.emit.json_text import json_chunks

    # The JSON is made a chunk at a time as it is written: a long scene's never all at once.
    output = json_chunks(job, emit=args.emit, compact=args.compact)
    if args.output not in (None, "-"):
        from pathlib import Path

        from odyssey_dsl.cli.atomic_write import write_output_file

        try:
            write_output_file(Path(args.output), output)
        except OSError as error:
            print_usage_error(f"cannot write '{args.output}': {reason(error)}")
            return ExitCode.USAGE
    elif to_stdout:
        for chunk in output:
            write_bytes(sys.stdout, chunk)
    if submitting:
        from odyssey_dsl.cli.submit import run_submit

        return run_submit(result, args.file, submit_options)
    return ExitCode.OK
