"""`odyc fmt [PATH...]`: format scenes in place (or check, or show the diff)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.cli.compile_options import UsageError, add_config_options, config_resolver
from odyssey_dsl.cli.diagnostic_output import print_usage_error
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.output import ArgumentParser

if TYPE_CHECKING:
    from odyssey_dsl.cli.colour import ColourChoice
    from odyssey_dsl.compiler import CompileResult
    from odyssey_dsl.config import ConfigResolver

DESCRIPTION = """\
Format Ody scenes in the one canonical style (docs/formatting.md): indentation, spacing,
lists, numbers, blank lines, comments. A scene is rewritten in place, atomically, and only
if it changes (a FIFO or another file that is not a regular one is formatted from standard
input instead: odyc fmt - < FILE). Formatting never changes what a scene does and never
loses a comment: every result is checked (it must compile to the same JSON, hold the same
comments in the same order, and stay the same when formatted again) before anything is
written.

A folder is searched recursively for *.ody files, skipping hidden folders, node_modules and
what the configuration's `exclude` globs match. A scene with syntax errors is not formatted:
its errors are printed and it is left as it is. Lines between `# odyc: fmt: off` and
`# odyc: fmt: on` are left as written."""

EPILOG = """\
examples:
  odyc fmt                             format every scene under the current folder
  odyc fmt scene.ody examples/         one scene, and every scene under examples/
  odyc fmt --check .                   change nothing; list the scenes that would change
  odyc fmt --diff scene.ody            change nothing; show what would change
  odyc fmt - < scene.ody               read standard input, write the result to stdout
  odyc fmt - --stdin-filename dir/scene.ody
                                       the same, with dir/'s configuration (for editors)

configuration:
  Each scene's [format] settings (indent-width, line-ending) come from the nearest odyc.toml
  (or pyproject.toml with a [tool.odyc] table) in its folder or above it.

exit codes:
  0  every scene is formatted (or was formatted now)
  1  with --check or --diff: some scene would change; in any case: some scene has syntax
     errors, or its formatting failed odyc's own safety check (a bug; nothing written)
  2  usage error, a file or folder that cannot be read, or a file that cannot be written"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of `odyc fmt`."""
    from odyssey_dsl.cli.colour import add_colour_option

    parser = ArgumentParser(
        prog="odyc fmt",
        usage="odyc fmt [options] [PATH...]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        metavar="PATH",
        nargs="*",
        help="scenes, or folders to search for *.ody scenes (default: the current folder); "
        "'-' reads a scene from standard input and writes it formatted to standard output",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the scenes that would be reformatted (on stdout), and exit "
        "with 1 if any",
    )
    mode.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print a unified diff of what would change, and exit with 1 if any",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with '-': the path of the scene on standard input, for its configuration and "
        "its name in messages (the file itself is not read)",
    )
    add_colour_option(parser)
    add_config_options(parser)
    return parser


class Outcome(NamedTuple):
    """What happened to one scene."""

    changed: bool = False
    errors: bool = False
    """Syntax errors, or a failed safety check: not formatted."""


class _Run(NamedTuple):
    resolver: ConfigResolver
    check: bool
    diff: bool
    colour: ColourChoice


def run(argv: list[str]) -> int:
    """Run `odyc fmt [options] [PATH...]`; returns the exit code."""
    args = build_parser().parse_args(argv)
    paths = args.files or ["."]
    try:
        if args.stdin_filename is not None and "-" not in paths:
            raise UsageError("--stdin-filename is for '-' (a scene on standard input)")
        if "-" in paths and len(paths) > 1:
            raise UsageError("'-' (standard input) cannot be formatted with other paths")
        context = _Run(config_resolver(args), args.check, args.diff, args.color)
        if paths == ["-"]:
            return _format_stdin(context, args.stdin_filename)
        from odyssey_dsl.cli.scene_input import scene_paths

        scenes, unreadable = scene_paths(paths, context.resolver)
    except UsageError as error:
        print_usage_error(str(error))
        return ExitCode.USAGE
    outcomes: list[Outcome] = []
    for scene in scenes:
        try:
            outcomes.append(_format_file(scene, context))
        except UsageError as error:
            print_usage_error(str(error))
            unreadable = True
    if outcomes:
        _print_summary(outcomes, context)
    if unreadable:
        return ExitCode.USAGE
    would_change = (args.check or args.diff) and any(o.changed for o in outcomes)
    failed = would_change or any(o.errors for o in outcomes)
    return ExitCode.COMPILE_ERRORS if failed else ExitCode.OK


def _format_file(file: str, context: _Run) -> Outcome:
    from odyssey_dsl.cli.atomic_write import write_atomically
    from odyssey_dsl.cli.output import reason

    path = Path(file)
    if not (context.check or context.diff) and _not_regular(path):
        raise UsageError(  # writing in place would replace a FIFO, say, by a file
            f"cannot format '{file}' in place: it is not a regular file "
            f"(format it with `odyc fmt - < {file}`)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read '{file}': {reason(error)}") from None
    formatted = _formatted(data, file, path, context)
    if formatted is None:
        return Outcome(errors=True)
    text = data.decode("utf-8")
    if formatted == text:
        return Outcome()
    if context.check:
        print(f"would reformat {file}")
    elif context.diff:
        _print_diff(text, formatted, file)
    else:
        try:
            write_atomically(path, formatted.encode("utf-8"))
        except OSError as error:
            raise UsageError(f"cannot write '{file}': {reason(error)}") from None
    return Outcome(changed=True)


def _not_regular(path: Path) -> bool:
    """Whether `path` exists and is not a regular file (nor a link to one)."""
    import stat

    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # reading it says why


def _format_stdin(context: _Run, stdin_filename: str | None) -> int:
    from odyssey_dsl.cli.output import reason, write_bytes

    stream = sys.stdin
    if stream is None:
        raise UsageError("cannot read standard input: it is closed")
    try:
        data = stream.buffer.read()
    except OSError as error:
        raise UsageError(f"cannot read standard input: {reason(error)}") from None
    name = stdin_filename or "<stdin>"
    path = Path(stdin_filename) if stdin_filename else None
    formatted = _formatted(data, name, path, context)
    if formatted is None:
        return ExitCode.COMPILE_ERRORS
    changed = formatted != data.decode("utf-8")
    if context.diff:
        if changed:
            _print_diff(data.decode("utf-8"), formatted, name)
    elif not context.check:
        write_bytes(sys.stdout, formatted.encode("utf-8"))
    elif changed:
        print(f"would reformat {name}")
    return ExitCode.COMPILE_ERRORS if changed and (context.check or context.diff) else ExitCode.OK


def _formatted(data: bytes, name: str, path: Path | None, context: _Run) -> str | None:
    """The formatted text, or None after printing why the scene cannot be formatted."""
    from odyssey_dsl.config import ConfigError
    from odyssey_dsl.fmt import FormatError, format_source

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from odyssey_dsl.compiler import compile_bytes

        _print_result(compile_bytes(data, filename=name), context)  # E109, at the bad byte
        return None
    try:
        settings = context.resolver.settings_for(path)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    try:
        return format_source(
            text,
            options=settings.format,
            filename=name,
            check_compiled=True,
            variables=settings.variables,
            base_dir=path.parent if path is not None else Path.cwd(),
        )
    except FormatError as error:
        from odyssey_dsl.compiler import CompileResult
        from odyssey_dsl.syntax.text import SourceFile

        source = SourceFile(name, text)
        _print_result(CompileResult(None, error.diagnostics, source), context)
        return None


def _print_result(result: CompileResult, context: _Run) -> None:
    from odyssey_dsl.cli.diagnostic_output import print_diagnostics

    print_diagnostics(
        [result], "text", machine_stream=sys.stdout, summary=False, colour_choice=context.colour
    )


def _print_diff(before: str, after: str, name: str) -> None:
    import difflib

    from odyssey_dsl.cli.output import write_utf8

    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=name, tofile=name)
    # A last line without a line break gets the marker `patch` and `git apply` expect.
    marker = "\n\\ No newline at end of file\n"
    write_utf8(
        sys.stdout, "".join(line if line.endswith("\n") else line + marker for line in lines)
    )


def _lines(text: str) -> list[str]:
    """The lines of `text`, each with its `\n` (a `\r` before it stays part of the line), the
    way `patch` reads them: `str.splitlines` would also break at `\f` or U+2028 in a prompt."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _print_summary(outcomes: list[Outcome], context: _Run) -> None:
    changed = sum(o.changed for o in outcomes)
    errors = sum(o.errors for o in outcomes)
    unchanged = len(outcomes) - changed - errors
    verb = "would be reformatted" if context.check or context.diff else "reformatted"
    kept = "already formatted" if context.check or context.diff else "left unchanged"
    parts = [f"{_files(changed)} {verb}", f"{_files(unchanged)} {kept}"]
    if errors:
        parts.append(f"{_files(errors)} not formatted (errors)")
    print(", ".join(parts), file=sys.stderr)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"
