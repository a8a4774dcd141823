"""The settings that apply to one scene: defaults, then its configuration file, then the
command line; each value remembers where it came from (`origins`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from odyssey_dsl.config.reading import ConfigFile
from odyssey_dsl.diagnostics.selection import ALL_WARNINGS, RuleSelection
from odyssey_dsl.fmt.options import FormatSettings, LineEnding

__all__ = ["FormatSettings", "LineEnding"]
from odyssey_dsl.timeline.limits import DEFAULT_MAX_ENTRIES, DEFAULT_MIN_GAP_MS

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

DEFAULT = "default"
"""The origin of a value nobody set."""


@dataclass(frozen=True)
class Settings:
    """Everything the configuration decides for the scenes under one configuration file."""

    select: tuple[str, ...] = (ALL_WARNINGS,)
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_gap_ms: int = DEFAULT_MIN_GAP_MS
    max_entries: int = DEFAULT_MAX_ENTRIES
    werror: bool = False
    variables: Mapping[str, object] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    format: FormatSettings = field(default_factory=FormatSettings)
    config_file: Path | None = None
    """The file these settings were read from (None: defaults only)."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where each key's value came from: a file's path, a command-line option, or absent
    (the default). Variables are keyed `vars.NAME`, format keys `format.KEY`."""

    @property
    def root(self) -> Path | None:
        """The folder that `exclude` and `per-file-ignores` globs are relative to."""
        return self.config_file.parent if self.config_file is not None else None

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULT)

    def per_file_codes(self, path: Path | None) -> tuple[str, ...]:
        """The codes `per-file-ignores` ignores in the scene `path`."""
        if path is None or not self.per_file_ignores:
            return ()
        relative = self.relative_path(path)
        if relative is None:
            return ()
        codes: list[str] = []
        for spec, (_, ignored) in zip(self._per_file_specs, self.per_file_ignores, strict=True):
            if spec.match_file(relative):
                codes.extend(ignored)
        return tuple(codes)

    @functools.cached_property
    def _per_file_specs(self) -> list[GitIgnoreSpec]:
        from pathspec import GitIgnoreSpec

        return [GitIgnoreSpec.from_lines([glob]) for glob, _ in self.per_file_ignores]

    @functools.cached_property
    def _exclude_spec(self) -> GitIgnoreSpec:
        from pathspec import GitIgnoreSpec

        return GitIgnoreSpec.from_lines(self.exclude)

    def relative_path(self, path: Path) -> str | None:
        """`path` relative to the configuration's folder, as the globs see it (None when
        it lies outside that folder)."""
        root = self.root if self.root is not None else Path.cwd()
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            return None
        return PurePosixPath(*relative.parts).as_posix()

    def rule_selection(self, path: Path | None = None) -> RuleSelection:
        """What the compiler reports for the scene `path`: `select`, less `ignore`,
        `extend-ignore` and the `per-file-ignores` that match `path`."""
        ignored = (*self.ignore, *self.extend_ignore, *self.per_file_codes(path))
        return RuleSelection(self.select, ignored)

    def is_excluded(self, path: Path) -> bool:
        """Whether `exclude` leaves out `path` (a scene or a folder) when folders are searched."""
        if not self.exclude:
            return False
        relative = self.relative_path(path)
        if relative is None:
            return False
        spec = self._exclude_spec
        return spec.match_file(relative) or (path.is_dir() and spec.match_file(relative + "/"))


_FIELDS = {
    "select": "select",
    "ignore": "ignore",
    "extend-ignore": "extend_ignore",
    "per-file-ignores": "per_file_ignores",
    "min-gap": "min_gap_ms",
    "max-entries": "max_entries",
    "werror": "werror",
    "exclude": "exclude",
}


def settings_from_file(config: ConfigFile | None) -> Settings:
    """The settings of `config` (the defaults when None)."""
    if config is None:
        return Settings()
    origin = str(config.path)
    changes: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, value in config.values.items():
        if key == "vars":
            changes["variables"] = dict(value)
            origins.update({f"vars.{name}": origin for name in value})
        elif key == "format":
            changes["format"] = FormatSettings(
                indent_width=value.get("indent-width", FormatSettings().indent_width),
                line_ending=value.get("line-ending", FormatSettings().line_ending),
            )
            origins.update({f"format.{name}": origin for name in value})
        else:
            changes[_FIELDS[key]] = value
            origins[key] = origin
    return Settings(config_file=config.path, origins=origins, **changes)


@dataclass(frozen=True)
class Overrides:
    """What the command line sets; None (or empty) leaves the file's value.

    `select` and `ignore` replace the file's lists; `extend_ignore` adds to them. Variables
    are set one by one over the file's `[vars]`, each with its origin (`--vars FILE`, `--var`).
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_ignore: tuple[str, ...] = ()
    min_gap_ms: int | None = None
    max_entries: int | None = None
    werror: bool | None = None
    variables: Mapping[str, tuple[object, str]] = field(default_factory=dict)
    """NAME -> (value, the option that set it)."""

    def apply(self, settings: Settings) -> Settings:
        """`settings` with the command line's values on top."""
        origins = dict(settings.origins)
        changes: dict[str, Any] = {}
        for key, name, option in (
            ("select", "select", "--select"),
            ("ignore", "ignore", "--ignore"),
            ("min-gap", "min_gap_ms", "--min-gap"),
            ("max-entries", "max_entries", "--max-entries"),
            ("werror", "werror", "--werror" if self.werror else "--no-werror"),
        ):
            value = getattr(self, name)
            if value is not None:
                changes[name] = value
                origins[key] = option
        if self.extend_ignore:
            changes["extend_ignore"] = (*settings.extend_ignore, *self.extend_ignore)
            origins["extend-ignore"] = _joined(settings.origin("extend-ignore"), "--extend-ignore")
        if self.variables:
            variables = dict(settings.variables)
            for name, (value, option) in self.variables.items():
                variables[name] = value
                origins[f"vars.{name}"] = option
            changes["variables"] = variables
        return replace(settings, origins=origins, **changes)


def _joined(before: str, option: str) -> str:
    return option if before == DEFAULT else f"{before} and {option}"
