"""The options that `odyc FILE` and `odyc check FILE...` share, and what they mean.

`add_compile_options` registers them on a parser; `compile_settings` turns the parsed
arguments into a `CommandLine` value, raising `UsageError` (exit 2) for values that
argparse alone cannot check (a `--vars` file that cannot be read, say). The settings of each
scene (`CommandLine.settings_for`) are its configuration file's (see `odyssey_dsl.config`)
with the command line's options on top.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from odyssey_dsl.diagnostics.selection import DEFAULT_SELECTION, RuleSelection, rule_entry_problem
from odyssey_dsl.timeline.limits import DEFAULT_MAX_ENTRIES, DEFAULT_MIN_GAP_MS

if TYPE_CHECKING:
    from odyssey_dsl.cli.colour import ColourChoice
    from odyssey_dsl.config import ConfigResolver, Overrides, Settings

DiagnosticFormat = Literal["text", "json", "github", "sarif"]
FORMATS: tuple[DiagnosticFormat, ...] = ("text", "json", "github", "sarif")


class UsageError(Exception):
    """A command line that cannot be carried out; the CLI prints it and exits with 2."""


@dataclass(frozen=True)
class CompileSettings:
    """Everything one scene's compile asks of the compiler and of the diagnostics output."""

    variables: Mapping[str, object] = field(default_factory=dict)
    """`--vars` and `--var`."""
    default_variables: Mapping[str, object] = field(default_factory=dict)
    """The configuration's `[vars]` (the options win over them)."""
    portrait: bool | None = None
    max_entries: int = DEFAULT_MAX_ENTRIES
    min_gap_ms: int = DEFAULT_MIN_GAP_MS
    werror: bool = False
    format: DiagnosticFormat = "text"
    rules: RuleSelection = DEFAULT_SELECTION


@dataclass(frozen=True)
class CommandLine:
    """What the shared options ask for; each scene's settings add its configuration file."""

    overrides: Overrides
    resolver: ConfigResolver
    portrait: bool | None = None
    format: DiagnosticFormat = "text"
    show_suppressed: bool = False
    colour: ColourChoice = "auto"

    def configuration(self, file: str) -> Settings:
        """The settings of the scene `file` ('-': standard input): its configuration file's,
        with the command line's options on top. Raises `UsageError` for a bad file."""
        from odyssey_dsl.config import ConfigError

        try:
            found = self.resolver.settings_for(None if file == "-" else Path(file))
        except ConfigError as error:
            raise UsageError(str(error)) from None
        return self.overrides.apply(found)

    def settings_for(self, file: str) -> CompileSettings:
        """What compiling the scene `file` asks of the compiler."""
        settings = self.configuration(file)
        explicit = {name: value for name, (value, _) in self.overrides.variables.items()}
        return CompileSettings(
            variables=explicit,
            default_variables={
                name: value for name, value in settings.variables.items() if name not in explicit
            },
            portrait=self.portrait,
            max_entries=settings.max_entries,
            min_gap_ms=settings.min_gap_ms,
            werror=settings.werror,
            format=self.format,
            rules=settings.rule_selection(None if file == "-" else Path(file)),
        )


def add_compile_options(parser: argparse.ArgumentParser) -> None:
    """Register --var, --vars, --portrait/--landscape, --max-entries, --min-gap, --werror,
    --format, the rule selection and the configuration options on `parser`."""
    values = parser.add_argument_group("variables")
    values.add_argument(
        "--var",
        dest="var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=variable_assignment,
        help="set variable NAME, overriding the scene's `let NAME = ...` (repeatable). "
        'VALUE is read as JSON when it is valid JSON (3, 1.5, true, [1, 2], "text"), '
        "otherwise taken as a string (--var subject=cat)",
    )
    values.add_argument(
        "--vars",
        dest="vars_files",
        action="append",
        default=[],
        metavar="FILE",
        type=Path,
        help="set variables from a JSON or TOML file holding one object/table of "
        "NAME = VALUE (repeatable; later files and --var win)",
    )
    checks = parser.add_argument_group("checks and diagnostics")
    orientation = checks.add_mutually_exclusive_group()
    orientation.add_argument(
        "--portrait",
        dest="portrait",
        action="store_const",
        const=True,
        default=None,
        help="render in portrait, whatever the scene's `portrait:` says",
    )
    orientation.add_argument(
        "--landscape",
        dest="portrait",
        action="store_const",
        const=False,
        help="render in landscape, whatever the scene's `portrait:` says",
    )
    checks.add_argument(
        "--max-entries",
        metavar="N",
        type=positive_count,
        default=None,
        help=f"most entries a job may have after loops are expanded "
        f"(default: {DEFAULT_MAX_ENTRIES:,})",
    )
    checks.add_argument(
        "--min-gap",
        metavar="DURATION",
        type=minimum_gap,
        default=None,
        help=f"warn when two entries of one stream are closer than this "
        f"(default: {DEFAULT_MIN_GAP_MS}ms; 0 turns the warning off)",
    )
    checks.add_argument(
        "--werror",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="treat warnings as errors (exit 1; no JSON is written); --no-werror undoes a "
        "configuration's `werror = true`",
    )
    checks.add_argument(
        "--select",
        metavar="CODES",
        type=rule_entries,
        default=None,
        help="report only these warnings: codes or prefixes, comma-separated (W101,W103 or W1); "
        "replaces the configuration's `select`. Errors are always reported",
    )
    checks.add_argument(
        "--ignore",
        metavar="CODES",
        type=rule_entries,
        default=None,
        help="do not report these warnings (codes or prefixes, comma-separated); replaces the "
        "configuration's `ignore`",
    )
    checks.add_argument(
        "--extend-ignore",
        metavar="CODES",
        type=rule_entries,
        default=None,
        help="do not report these warnings either, in addition to the configuration's",
    )
    checks.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how diagnostics are shown: text for people (default, on stderr); json, an "
        "array of objects; github, GitHub Actions annotations; or sarif, a SARIF 2.1.0 log for "
        "code scanning (all three on stdout, unless the compiled JSON goes there: then on "
        "stderr)",
    )
    checks.add_argument(
        "--show-suppressed",
        action="store_true",
        help="json and sarif: also list the warnings that `# odyc: ignore[...]` comments "
        'silenced, marked as suppressed ("suppressed": true in json; a suppression of kind '
        "inSource in sarif)",
    )
    from odyssey_dsl.cli.colour import add_colour_option

    add_colour_option(checks)
    add_config_options(parser)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Register `--config PATH` and `--isolated` (see `config_resolver`)."""
    config = parser.add_argument_group("configuration")
    config.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        default=None,
        help="use this configuration file (odyc.toml, or a pyproject.toml with [tool.odyc]) "
        "for every scene, instead of the nearest one above each scene",
    )
    config.add_argument(
        "--isolated",
        action="store_true",
        help="ignore every configuration file: defaults and the command line only",
    )


def compile_settings(args: argparse.Namespace) -> CommandLine:
    """The settings asked for by the options `add_compile_options` registered."""
    from odyssey_dsl.config import Overrides

    variables: dict[str, tuple[object, str]] = {}
    for path in args.vars_files:
        for name, value in read_variables_file(path).items():
            variables[name] = (value, f"--vars {path}")
    for name, value in args.var:
        variables[name] = (value, "--var")
    from odyssey_dsl.semantics.scopes import from_json

    for name, (value, _) in variables.items():
        try:
            from_json(value)
        except ValueError as error:
            raise UsageError(f"variable '{name}': {error}") from None
    overrides = Overrides(
        select=args.select,
        ignore=args.ignore,
        extend_ignore=args.extend_ignore or (),
        min_gap_ms=args.min_gap,
        max_entries=args.max_entries,
        werror=args.werror,
        variables=variables,
    )
    return CommandLine(
        overrides,
        config_resolver(args),
        portrait=args.portrait,
        format=args.format,
        show_suppressed=args.show_suppressed,
        colour=args.color,
    )


def config_resolver(args: argparse.Namespace) -> ConfigResolver:
    """What `--config` and `--isolated` ask for (`UsageError` for a bad configuration)."""
    from odyssey_dsl.config import ConfigError, ConfigResolver

    try:
        return ConfigResolver(explicit=args.config, isolated=args.isolated)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def rule_entries(text: str) -> tuple[str, ...]:
    """Comma-separated warning codes or prefixes (`--select W101,W103`)."""
    entries = tuple(part.strip() for part in text.split(",") if part.strip())
    if not entries:
        raise argparse.ArgumentTypeError("expected warning codes, such as W101,W103 or W1")
    for entry in entries:
        problem = rule_entry_problem(entry)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
    return entries


def variable_assignment(text: str) -> tuple[str, object]:
    """`NAME=VALUE` of `--var`: VALUE as JSON when it parses, else the text itself."""
    name, equals, raw = text.partition("=")
    name = name.strip()
    if not equals:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE, got {text!r} (for example --var subject=cat)"
        )
    if not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a variable name (letters, digits and _, not starting with a digit)"
        )
    try:
        value: object = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


def read_variables_file(path: Path) -> dict[str, object]:
    """The object of a `--vars` file: JSON, or TOML (by the `.toml` suffix, or when the
    text is not JSON). Raises `UsageError` with the reason."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot read --vars file '{path}': {reason}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"--vars file '{path}' is not UTF-8 text") from None
    if path.suffix.lower() == ".toml":
        return _toml_object(path, text)
    try:
        loaded = json.loads(text)
    except ValueError as json_error:
        if path.suffix.lower() == ".json":
            raise UsageError(f"--vars file '{path}' is not valid JSON: {json_error}") from None
        return _toml_object(path, text, json_error)
    if not isinstance(loaded, dict):
        raise UsageError(
            f"--vars file '{path}' must hold a JSON object of NAME: VALUE, not {_json_kind(loaded)}"
        )
    return _checked_names(path, loaded)


def _toml_object(path: Path, text: str, json_error: ValueError | None = None) -> dict[str, object]:
    import tomllib

    try:
        loaded = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        if json_error is not None:
            raise UsageError(
                f"--vars file '{path}' is neither JSON ({json_error}) nor TOML ({error})"
            ) from None
        raise UsageError(f"--vars file '{path}' is not valid TOML: {error}") from None
    return _checked_names(path, loaded)


def _checked_names(path: Path, loaded: dict[str, object]) -> dict[str, object]:
    for name in loaded:
        if not name.isidentifier():
            raise UsageError(f"--vars file '{path}': {name!r} is not a variable name")
    return loaded


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def positive_count(text: str) -> int:
    """A whole number of at least 1 (`--max-entries`)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {text}")
    return value


def minimum_gap(text: str) -> int:
    """A duration such as `100ms` or `1s` (`--min-gap`), in milliseconds; `0` is allowed."""
    from odyssey_dsl.syntax.durations import DurationError, parse_duration

    if text.strip() == "0":
        return 0
    try:
        return parse_duration(text.strip())
    except DurationError as error:
        hint = " (a duration needs a unit, e.g. 100ms or 1s)" if _is_number(text) else ""
        raise argparse.ArgumentTypeError(f"{error.message}{hint}") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
