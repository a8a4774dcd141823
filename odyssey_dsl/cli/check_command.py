"""`odyc check PATH...`: report the diagnostics of scenes without writing any JSON."""

from __future__ import annotations

import argparse
import sys

from odyssey_dsl.cli.compile_options import (
    CommandLine,
    UsageError,
    add_compile_options,
    compile_settings,
)
from odyssey_dsl.cli.diagnostic_output import print_diagnostics, print_usage_error
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.compiler import CompileResult

DESCRIPTION = """\
Check Ody scenes for errors and warnings without writing any JSON: every diagnostic of every
file, then a one-line summary. The checks are exactly those of compiling. A folder is
searched recursively for *.ody files, skipping hidden folders, node_modules and what the
configuration's `exclude` globs match."""

EPILOG = """\
examples:
  odyc check scene.ody                 check one scene
  odyc check examples/*.ody            check many; the summary counts them all
  odyc check .                         every scene under the current folder
  odyc check --format json scene.ody   diagnostics as a JSON array on stdout (for editors)
  odyc check --format github *.ody     GitHub Actions annotations (for CI)
  odyc check --format sarif *.ody > odyc.sarif
                                       a SARIF log for code scanning
  odyc check --werror scene.ody        fail on warnings too
  odyc check --ignore W103 scene.ody   do not report repeated prompts
  odyc check --show-settings scene.ody the settings that apply to scene.ody, and where
                                       each comes from (odyc.toml, pyproject.toml, options)
  odyc check - --stdin-filename dir/scene.ody < scene.ody
                                       a scene from standard input, checked as dir/scene.ody
                                       would be (for editors)

configuration:
  Settings are read from the nearest odyc.toml (or pyproject.toml with a [tool.odyc]
  table) in each scene's folder or above it; options on the command line win. A warning is
  silenced on one line with a comment: # odyc: ignore[W103]

exit codes:
  0  no file has errors (warnings allowed, unless --werror)
  1  some file has errors
  2  usage error (unknown option), an unreadable FILE (reported as E902 with the rest), or
     the output could not be written"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of `odyc check`."""
    parser = argparse.ArgumentParser(
        prog="odyc check",
        usage="odyc check [options] PATH...",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        metavar="PATH",
        nargs="+",
        help="scenes, or folders to search for *.ody scenes; '-' reads one from standard input",
    )
    add_compile_options(parser)
    parser.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings that apply to FILE (and where each comes from), check nothing",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with '-': the path of the scene on standard input, for its configuration, its "
        "per-file-ignores, its images and its name in diagnostics (the file is not read)",
    )
    return parser


def run(argv: list[str]) -> int:
    """Run `odyc check [options] FILE...`; returns the exit code."""
    from odyssey_dsl.cli.scene_input import UnreadableScene, compile_scene, scene_paths

    args = build_parser().parse_args(argv)
    try:
        command_line = compile_settings(args)
        if args.show_settings:
            return _show_settings(args.files, command_line)
        stdin_name = args.stdin_filename
        if stdin_name is not None and "-" not in args.files:
            raise UsageError("--stdin-filename is for '-' (a scene on standard input)")
        files, unreadable = scene_paths(args.files, command_line.resolver)
        settings = {
            file: command_line.settings_for(stdin_name if file == "-" and stdin_name else file)
            for file in files
        }
    except UsageError as error:
        print_usage_error(str(error))
        return ExitCode.USAGE
    results: list[CompileResult] = []
    for file in files:
        try:
            results.append(
                compile_scene(file, settings[file], emit_job=False, stdin_name=stdin_name)
            )
        except UnreadableScene as error:
            results.append(error.as_result())  # E902: listed and counted with the rest
            unreadable = True
    print_diagnostics(
        results,
        command_line.format,
        machine_stream=sys.stdout,
        summary=bool(results),
        show_suppressed=command_line.show_suppressed,
        colour_choice=command_line.colour,
    )
    if unreadable:
        return ExitCode.USAGE
    return ExitCode.COMPILE_ERRORS if any(r.errors for r in results) else ExitCode.OK


def _show_settings(files: list[str], command_line: CommandLine) -> int:
    from pathlib import Path

    from odyssey_dsl.cli.output import write_utf8
    from odyssey_dsl.cli.scene_input import display_name
    from odyssey_dsl.config.show import render_settings

    if len(files) != 1:
        raise UsageError("--show-settings takes exactly one FILE")
    file = files[0]
    settings = command_line.configuration(file)
    scene = None if file == "-" else Path(file)
    write_utf8(sys.stdout, render_settings(settings, scene, display_name(file)))
    return ExitCode.OK
