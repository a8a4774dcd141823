"""Reading the scenes named on the command line (a path, or `-` for standard input)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.cli.compile_options import CompileSettings, UsageError
from odyssey_dsl.cli.diagnostic_output import print_usage_error
from odyssey_dsl.compiler import CompileResult, compile_bytes, compile_file
from odyssey_dsl.syntax.text import MAX_SCENE_BYTES

if TYPE_CHECKING:
    from odyssey_dsl.config import ConfigResolver

STDIN_NAME = "<stdin>"
"""How standard input is named in diagnostics."""


class UnreadableScene(UsageError):
    """A scene named on the command line cannot be read (exit 2)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(message)
        self.file = file

    def as_result(self) -> CompileResult:
        """The failure as a file's diagnostic (E902), for the outputs that list every file."""
        from odyssey_dsl.diagnostics.catalogue import make
        from odyssey_dsl.syntax.text import SourceFile

        name = display_name(self.file)
        span = SourceFile(name, "").span(0, 0)
        return CompileResult(None, [make("E902", str(self), name, span)])


def scene_paths(arguments: list[str], resolver: ConfigResolver) -> tuple[list[str], bool]:
    """The scenes the arguments name (folders searched, see `config.scenes`), and whether
    some folder could not be read (reported here, as is a folder without scenes)."""
    from odyssey_dsl.config import ConfigError
    from odyssey_dsl.config.scenes import find_scenes

    try:
        search = find_scenes(arguments, resolver)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    for folder in search.empty_folders:
        print(f"odyc: warning: no *.ody scene in '{folder}'", file=sys.stderr)
    for folder, reason in search.unreadable:
        print_usage_error(f"cannot read '{folder}': {reason}")
    return _distinct(search.scenes), bool(search.unreadable)


def _distinct(scenes: list[str]) -> list[str]:
    """`scenes` without repeats: a file reached twice (named twice, or through a symbolic
    link) is read once, under the first of its names."""
    seen: set[str] = set()
    kept = []
    for scene in scenes:
        key = scene if scene == "-" else os.path.realpath(scene)
        if key not in seen:
            seen.add(key)
            kept.append(scene)
    return kept


def compile_scene(
    file: str, settings: CompileSettings, *, emit_job: bool = True, stdin_name: str | None = None
) -> CompileResult:
    """Compile the scene `file` (`-` reads standard input, named `stdin_name` if given, its
    images then looked up from that path's folder, else from the current directory);
    `emit_job=False` only checks it. Raises `UnreadableScene` when the file cannot be read."""
    if file == "-":
        return _compile_stdin(settings, emit_job, stdin_name)
    if not file:
        raise UnreadableScene(file, "the file name is empty")
    try:
        return compile_file(
            Path(file),
            variables=settings.variables,
            default_variables=settings.default_variables,
            portrait=settings.portrait,
            max_entries=settings.max_entries,
            min_gap_ms=settings.min_gap_ms,
            werror=settings.werror,
            emit_job=emit_job,
            rules=settings.rules,
        )
    except OSError as error:
        raise UnreadableScene(file, f"cannot read '{file}': {_reason(error)}") from None


def display_name(file: str) -> str:
    """The name diagnostics use for the command-line argument `file`."""
    return STDIN_NAME if file == "-" else file


def _compile_stdin(
    settings: CompileSettings, emit_job: bool, stdin_name: str | None
) -> CompileResult:
    stream = sys.stdin
    if stream is None:
        raise UnreadableScene("-", "cannot read standard input: it is closed")
    try:
        data = stream.buffer.read(MAX_SCENE_BYTES + 1)  # more is E116: never read it all
    except OSError as error:
        raise UnreadableScene("-", f"cannot read standard input: {_reason(error)}") from None
    return compile_bytes(
        data,
        filename=stdin_name or STDIN_NAME,
        base_dir=Path(stdin_name).parent if stdin_name else Path.cwd(),
        variables=settings.variables,
        default_variables=settings.default_variables,
        portrait=settings.portrait,
        max_entries=settings.max_entries,
        min_gap_ms=settings.min_gap_ms,
        werror=settings.werror,
        emit_job=emit_job,
        rules=settings.rules,
    )


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
