"""Reading one configuration file: its TOML table, validated key by key.

Every problem is a `ConfigError` whose message names the file, the key and what is allowed;
the CLI reports it as a usage error (exit 2).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from odyssey_dsl.diagnostics.selection import rule_entry_problem
from odyssey_dsl.files import MAX_SETTINGS_FILE_BYTES, read_at_most

PYPROJECT = "pyproject.toml"
ODYC_TOML = "odyc.toml"

_MAY_HAVE_ODYC_TABLE = re.compile(
    r'^[ \t]*(\[[ \t]*tool[ \t]*(\]|\.[ \t]*"?odyc\b)|tool[ \t]*\.[ \t]*"?odyc\b)', re.MULTILINE
)
"""A `[tool]` or `[tool.odyc]` header, or a dotted `tool.odyc` key: only then is a
`pyproject.toml` parsed (most have none, and parsing is most of odyc's start-up cost)."""

LINE_ENDINGS = ("auto", "lf", "crlf")
MAX_INDENT_WIDTH = 8


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class ConfigFile:
    """The validated keys of one configuration file (TOML names, typed values)."""

    path: Path
    values: Mapping[str, Any]

    @property
    def root(self) -> Path:
        """The folder that the file's globs (`exclude`, `per-file-ignores`) are relative to."""
        return self.path.parent


def read_config_file(path: Path) -> ConfigFile:
    """Read and validate `path`: an `odyc.toml`, or a `pyproject.toml` with `[tool.odyc]`."""
    table = odyc_table(path)
    if table is None:
        raise ConfigError(f"{path}: has no [tool.odyc] table")
    return ConfigFile(path, validate_table(table, path))


def odyc_table(path: Path) -> dict[str, Any] | None:
    """The odyc table of `path` (None for a `pyproject.toml` without `[tool.odyc]`)."""
    try:
        text = read_at_most(path, MAX_SETTINGS_FILE_BYTES).decode("utf-8-sig")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    if path.name == PYPROJECT and not _MAY_HAVE_ODYC_TABLE.search(text):
        return None
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: is nested too deeply") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: is not valid TOML: {error}") from None
    if path.name != PYPROJECT:
        return data
    tool = data.get("tool")
    table = tool.get("odyc") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.odyc` must be a table ([tool.odyc])")
    return table


def validate_table(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The keys of `table` checked and converted (durations to milliseconds, lists to
    tuples); raises `ConfigError` at the first bad key."""
    values: dict[str, Any] = {}
    for key, raw in table.items():
        check = _TOP_LEVEL.get(key)
        if check is None:
            raise ConfigError(_unknown_key(path, key, _TOP_LEVEL))
        values[key] = check(raw, _Where(path, key))
    return values


@dataclass(frozen=True)
class _Where:
    """The file and key a value comes from, for messages."""

    path: Path
    key: str

    def error(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: `{self.key}` {problem}")

    def child(self, key: str) -> _Where:
        return _Where(self.path, f"{self.key}.{key}")


def _unknown_key(path: Path, key: str, known: Mapping[str, object], where: str = "") -> str:
    names = sorted(known)
    guess = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean `{guess[0]}`?)" if guess else ""
    table = f" in [{where}]" if where else ""
    return f"{path}: unknown key `{key}`{table}{hint}; the keys are {', '.join(names)}"


def _codes(raw: Any, where: _Where) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise where.error('must be a list of warning codes or prefixes, such as ["W101", "W1"]')
    for entry in raw:
        problem = rule_entry_problem(entry)
        if problem is not None:
            raise where.error(f"cannot hold {entry!r}: {problem}")
    return tuple(raw)


def _per_file_ignores(raw: Any, where: _Where) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        raise where.error('must be a table of glob = [codes], such as { "drafts/*" = ["W101"] }')
    return tuple((glob, _codes(codes, where.child(glob))) for glob, codes in raw.items())


def _min_gap(raw: Any, where: _Where) -> int:
    from odyssey_dsl.syntax.durations import DurationError, parse_duration

    if raw == 0 and not isinstance(raw, bool):
        return 0
    if isinstance(raw, str):
        try:
            return parse_duration(raw.strip())
        except DurationError as error:
            raise where.error(f'must be a duration such as "100ms": {error.message}') from None
    hint = " (a duration needs a unit, as a string)" if isinstance(raw, int | float) else ""
    raise where.error(f'must be a duration such as "100ms" or "1s", or 0 to turn it off{hint}')


def as_toml(value: Any) -> str:
    """`value` as it is written in TOML (`true`, `"yes"`, `[1, 2]`, `{ "a" = 1 }`): for
    messages (the file says `true`, so a message must not say Python's `True`) and for
    `--show-settings`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(map(as_toml, value)) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(key))} = {as_toml(item)}" for key, item in value.items())
        return "{ " + ", ".join(items) + " }" if value else "{}"
    if isinstance(value, date | time):  # TOML dates and times (datetime is a date)
        return value.isoformat()
    return str(value)  # numbers: TOML spells integers and floats as Python prints them


def _max_entries(raw: Any, where: _Where) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise where.error(f"must be a whole number of at least 1, not {as_toml(raw)}")
    return raw


def _boolean(raw: Any, where: _Where) -> bool:
    if not isinstance(raw, bool):
        raise where.error(f"must be true or false, not {as_toml(raw)}")
    return raw


def _globs(raw: Any, where: _Where) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise where.error('must be a list of glob patterns, such as ["drafts/", "*.tmp.ody"]')
    return tuple(raw)


def _variables(raw: Any, where: _Where) -> dict[str, object]:
    from odyssey_dsl.semantics.scopes import from_json

    if not isinstance(raw, dict):
        raise where.error("must be a table of NAME = value ([vars])")
    for name, value in raw.items():
        if not name.isidentifier():
            raise where.child(name).error(
                "is not a variable name (letters, digits and _, not starting with a digit)"
            )
        try:
            from_json(value)
        except ValueError as error:
            raise where.child(name).error(f"cannot be used: {error}") from None
    return dict(raw)


def _indent_width(raw: Any, where: _Where) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_INDENT_WIDTH:
        allowed = f"a whole number from 1 to {MAX_INDENT_WIDTH}"
        raise where.error(f"must be {allowed}, not {as_toml(raw)}")
    return raw


def _line_ending(raw: Any, where: _Where) -> str:
    if raw not in LINE_ENDINGS:
        allowed = ", ".join(f'"{choice}"' for choice in LINE_ENDINGS)
        raise where.error(f"must be one of {allowed}, not {as_toml(raw)}")
    return str(raw)


_FORMAT: dict[str, Callable[[Any, _Where], Any]] = {
    "indent-width": _indent_width,
    "line-ending": _line_ending,
}


def _format(raw: Any, where: _Where) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise where.error("must be a table ([format])")
    values = {}
    for key, value in raw.items():
        check = _FORMAT.get(key)
        if check is None:
            raise ConfigError(_unknown_key(where.path, key, _FORMAT, "format"))
        values[key] = check(value, where.child(key))
    return values


_TOP_LEVEL: dict[str, Callable[[Any, _Where], Any]] = {
    "select": _codes,
    "ignore": _codes,
    "extend-ignore": _codes,
    "per-file-ignores": _per_file_ignores,
    "min-gap": _min_gap,
    "max-entries": _max_entries,
    "werror": _boolean,
    "vars": _variables,
    "exclude": _globs,
    "format": _format,
}
