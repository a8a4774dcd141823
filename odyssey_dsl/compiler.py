"""The whole pipeline as one library call: parse → names → expand → check → emit.

`compile_source` and `compile_file` never raise for bad input: every problem, including an
internal failure of odyc itself, comes back as a `Diagnostic` in the `CompileResult`.
`expand_timeline` runs the same pipeline up to the checks and returns the expanded timeline
with its links to the source; `scene_names` returns the names of a scene.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict, Unpack

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.diagnostics.selection import DEFAULT_SELECTION, RuleSelection
from odyssey_dsl.syntax.text import MAX_SCENE_BYTES, SourceFile, decode_source
from odyssey_dsl.timeline.limits import DEFAULT_MAX_ENTRIES, DEFAULT_MIN_GAP_MS, Limits

if TYPE_CHECKING:  # the models (pydantic) load only when a job is built: `odyc check` is lean
    from odyssey_dsl.diagnostics.suppression import SuppressedDiagnostic
    from odyssey_dsl.emit.compiled import CompiledJob
    from odyssey_dsl.emit.models import Job
    from odyssey_dsl.semantics.images import ImageLoader
    from odyssey_dsl.semantics.names import NameTable
    from odyssey_dsl.timeline.entries import Expansion
    from odyssey_dsl.timeline.view import ExpandedTimeline


@dataclass(frozen=True)
class CompileResult:
    """What compiling one file produced: the compiled job (None on errors), every diagnostic
    reported, and the warnings that `# odyc: ignore[...]` comments silenced."""

    compiled: CompiledJob | None
    """The job as plain values, which `emit.json_text` writes as JSON."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: SourceFile | None = None
    suppressed: list[SuppressedDiagnostic] = field(default_factory=list)

    @functools.cached_property
    def job(self) -> Job | None:
        """The compiled job as the validated pydantic `Job` (built on first use: the models
        load only then); None on errors or with `emit_job=False`."""
        if self.compiled is None:
            return None
        from odyssey_dsl.emit.job import build_job

        return build_job(self.compiled)

    @property
    def ok(self) -> bool:
        """No errors (with `emit_job`, the job is then set)."""
        return not self.errors

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def compile_source(
    text: str,
    *,
    filename: str | None = None,
    variables: Mapping[str, object] | None = None,
    base_dir: str | Path | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    min_gap_ms: int = DEFAULT_MIN_GAP_MS,
    werror: bool = False,
    portrait: bool | None = None,
    emit_job: bool = True,
    images: ImageLoader | None = None,
    rules: RuleSelection = DEFAULT_SELECTION,
    default_variables: Mapping[str, object] | None = None,
) -> CompileResult:
    """Compile the text of a scene; `emit_job=False` runs every check without building the job.

    `variables` override the scene's `let`s of the same name (as `--var` does; one that the
    scene does not use is warning W105); `base_dir` is where relative image paths are looked
    up (default: the file's folder, else the current directory). `images` reads image files
    and keeps them for the next call (pass the same `ImageLoader` to every compile of a
    scene that is checked again and again); by default each call reads them afresh.
    `rules` says which warnings are reported; `# odyc: ignore[CODE]` comments silence
    warnings on their line (see `diagnostics.suppression`). `default_variables` (a project's
    `[vars]`) act like `variables` that `variables` win over, and are never W105.
    """
    source = _source(text, filename)
    limits = Limits(max_entries, min_gap_ms, werror, portrait, emit_job)
    given = _Variables(variables or {}, default_variables or {})
    outcome = _run(source, given, _base_dir(filename, base_dir), limits, images, rules)
    return CompileResult(outcome.compiled, outcome.diagnostics, source, outcome.suppressed)


def expand_timeline(
    text: str,
    *,
    filename: str | None = None,
    variables: Mapping[str, object] | None = None,
    base_dir: str | Path | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    min_gap_ms: int = DEFAULT_MIN_GAP_MS,
    images: ImageLoader | None = None,
    rules: RuleSelection = DEFAULT_SELECTION,
    default_variables: Mapping[str, object] | None = None,
    werror: bool = False,
) -> ExpandedTimeline:
    """The expanded timeline of a scene, linked to its source (see `timeline.view`).

    The options are `compile_source`'s. It never raises for bad input: on a scene with
    errors it returns what could be expanded, with every diagnostic (exactly those of
    `compile_source(..., emit_job=False)` with the same options); when the scene has none,
    its entries are exactly the compiled job's.
    """
    from odyssey_dsl.timeline.view import timeline_of

    source = _source(text, filename)
    limits = Limits(max_entries, min_gap_ms, werror, emit_job=False)
    given = _Variables(variables or {}, default_variables or {})
    outcome = _run(source, given, _base_dir(filename, base_dir), limits, images, rules)
    return timeline_of(outcome.expansion, outcome.diagnostics, source)


def scene_names(
    text: str, *, filename: str | None = None, variables: Mapping[str, object] | None = None
) -> NameTable:
    """Every definition and use of a name in a scene (see `semantics.names`), read without
    expanding it: for hover, go to definition, find references and rename."""
    from odyssey_dsl.semantics.names import resolve_names
    from odyssey_dsl.syntax.parser import parse

    source = _source(text, filename)
    return resolve_names(parse(source).scene, source, variables or ())


def _source(text: str, filename: str | None) -> SourceFile:
    return SourceFile(filename or "<input>", text.removeprefix("\ufeff"))


def _base_dir(filename: str | None, base_dir: str | Path | None) -> Path:
    if base_dir is not None:
        return Path(base_dir)
    return Path(filename).parent if filename and filename != "-" else Path.cwd()


class CompileOptions(TypedDict, total=False):
    """The keyword options `compile_file` and `compile_bytes` pass on to `compile_source`."""

    variables: Mapping[str, object] | None
    base_dir: str | Path | None
    max_entries: int
    min_gap_ms: int
    werror: bool
    portrait: bool | None
    emit_job: bool
    images: ImageLoader | None
    rules: RuleSelection
    default_variables: Mapping[str, object] | None


def compile_file(path: str | Path, **options: Unpack[CompileOptions]) -> CompileResult:
    """Read and compile a `.ody` file (images relative to its folder unless `base_dir` is
    given). An unreadable file raises `OSError`."""
    path = Path(path)
    if options.get("base_dir") is None:
        options["base_dir"] = path.parent
    with path.open("rb") as scene:
        data = scene.read(MAX_SCENE_BYTES + 1)  # more would be E116: never read it all
    return compile_bytes(data, filename=str(path), **options)


def compile_bytes(
    data: bytes, *, filename: str | None = None, **options: Unpack[CompileOptions]
) -> CompileResult:
    """Compile a scene's bytes (UTF-8, optional BOM); bytes that are not UTF-8 are reported as
    diagnostic E109 at the first bad byte, more than `MAX_SCENE_BYTES` as E116."""
    name = filename or "<input>"
    if len(data) > MAX_SCENE_BYTES:
        message = (
            f"the scene is larger than {MAX_SCENE_BYTES // 1024 // 1024} MiB, the most odyc reads"
        )
        return CompileResult(
            None,
            [diag.make("E116", message, name, SourceFile(name, "").span(0, 0))],
            SourceFile(name, ""),
        )
    try:
        text = decode_source(data)
    except UnicodeDecodeError as error:
        source = SourceFile(name, data.decode("utf-8", errors="replace"))
        offset = len(data[: error.start].decode("utf-8", errors="replace"))
        return CompileResult(
            None,
            [
                diag.make(
                    "E109",
                    f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x} at byte offset "
                    f"{error.start})",
                    name,
                    source.span(offset, offset + 1),
                    help="save the file as UTF-8",
                )
            ],
            source,
        )
    return compile_source(text, filename=filename, **options)


class _Outcome(NamedTuple):
    compiled: CompiledJob | None
    diagnostics: list[Diagnostic]
    expansion: Expansion | None
    suppressed: list[SuppressedDiagnostic]


class _Variables(NamedTuple):
    """The variables a caller gives: explicit ones (`--var`), and defaults they win over."""

    explicit: Mapping[str, object]
    defaults: Mapping[str, object]

    def merged(self) -> dict[str, object]:
        return {**self.defaults, **self.explicit}


def _run(
    source: SourceFile,
    variables: _Variables,
    base_dir: Path,
    limits: Limits,
    images: ImageLoader | None,
    rules: RuleSelection,
) -> _Outcome:
    try:
        return _compile(source, variables, base_dir, limits, images, rules)
    except RecursionError:
        help_text = "flatten the deepest blocks, lists or templates of the scene"
        return _failure(
            source, "the scene is nested too deeply for odyc to read", help_text, "E112"
        )
    except MemoryError:
        help_text = (
            "the scene needs more memory than odyc may use here: split it into smaller files"
        )
        return _failure(source, "odyc ran out of memory compiling this scene", help_text)
    except Exception as error:  # odyc's own bug: never a traceback for the user
        detail = "".join(traceback.format_exception(error)).strip().splitlines()[-1]
        help_text = (
            f"this is a bug in odyc; please report it with the scene that triggers it\n{detail}"
        )
        return _failure(source, f"internal error: {type(error).__name__}: {error}", help_text)


def _compile(
    source: SourceFile,
    variables: _Variables,
    base_dir: Path,
    limits: Limits,
    images: ImageLoader | None,
    rules: RuleSelection,
) -> _Outcome:
    from odyssey_dsl.diagnostics.suppression import apply_suppressions
    from odyssey_dsl.semantics.names import resolve_names
    from odyssey_dsl.syntax.comments import scene_comments
    from odyssey_dsl.syntax.parser import parse
    from odyssey_dsl.timeline.check import check_scene, check_timelines
    from odyssey_dsl.timeline.expand import expand, read_overrides
    from odyssey_dsl.timeline.rules import SceneFacts

    parsed = parse(source)
    found = list(parsed.diagnostics)
    complete_parse = not parsed.has_broken_lines
    scene = parsed.scene
    overrides, problems = read_overrides(variables.merged(), source)
    found += problems
    names = resolve_names(scene, source, overrides)
    explicit = tuple(name for name in overrides if name in variables.explicit)
    facts = SceneFacts(source, names, explicit, complete_parse)
    found += check_scene(facts, rules.enables)
    expanded = expand(
        scene,
        source,
        overrides,
        base_dir,
        limits,
        parsed.broken_names,
        complete_parse=complete_parse,
        images=images,
    )
    found += expanded.diagnostics
    compiled = None
    if complete_parse:
        found += check_timelines(expanded.scripts, source, limits, rules.enables)
        if limits.emit_job and not any(d.is_error for d in found):
            from odyssey_dsl.emit.compiled import compiled_job

            compiled = compiled_job(expanded, limits)
    outcome = apply_suppressions(rules.filter(found), scene_comments(parsed), source, rules)
    found = outcome.reported
    if limits.werror:
        found = diag.promote_warnings(found)
    result = diag.sort_diagnostics(found)
    if any(d.is_error for d in result):
        compiled = None
    suppressed = sorted(outcome.suppressed, key=lambda s: s.diagnostic.sort_key())
    return _Outcome(compiled, result, expanded, suppressed)


def _failure(source: SourceFile, message: str, help_text: str, code: str = "E999") -> _Outcome:
    """A compile that could not finish: one diagnostic for the whole scene."""
    found = diag.make(code, message, source.name, source.span(0, 0), help_text)
    return _Outcome(None, [found], None, [])
