"""`odyc check --show-settings FILE`: the resolved settings of a scene as TOML, each value
followed by where it came from."""

from __future__ import annotations

from pathlib import Path

from odyssey_dsl.config.reading import as_toml as _toml
from odyssey_dsl.config.settings import Settings
from odyssey_dsl.diagnostics.catalogue import CATALOGUE, Severity


def render_settings(settings: Settings, scene: Path | None, name: str) -> str:
    """The settings that apply to `scene` (shown as `name`), in `odyc.toml` syntax."""
    from odyssey_dsl.syntax.durations import format_duration

    source = str(settings.config_file) if settings.config_file else "none (defaults only)"
    selection = settings.rule_selection(scene)
    reported = [c for c, e in CATALOGUE.items() if e.severity is Severity.WARNING]
    reported = [code for code in reported if selection.enables(code)]
    lines = [
        f"# settings of {name}",
        f"# configuration file: {source}",
        f"# warnings reported: {', '.join(reported) or 'none'}",
    ]
    per_file = settings.per_file_codes(scene)
    if per_file:
        lines.append(f"# per-file-ignores matching this file: {', '.join(per_file)}")
    lines.append("")
    top: list[tuple[str, str]] = [
        ("select", _toml(list(settings.select))),
        ("ignore", _toml(list(settings.ignore))),
        ("extend-ignore", _toml(list(settings.extend_ignore))),
        ("per-file-ignores", _inline_table(settings.per_file_ignores)),
        ("min-gap", _toml(format_duration(settings.min_gap_ms) if settings.min_gap_ms else 0)),
        ("max-entries", _toml(settings.max_entries)),
        ("werror", _toml(settings.werror)),
        ("exclude", _toml(list(settings.exclude))),
    ]
    lines += _aligned([(f"{key} = {value}", settings.origin(key)) for key, value in top])
    lines += ["", "[vars]"]
    lines += _aligned(
        [
            (f"{name} = {_toml(value)}", settings.origin(f"vars.{name}"))
            for name, value in settings.variables.items()
        ]
    )
    lines += ["", "[format]"]
    lines += _aligned(
        [
            (
                f"indent-width = {settings.format.indent_width}",
                settings.origin("format.indent-width"),
            ),
            (
                f"line-ending = {_toml(settings.format.line_ending)}",
                settings.origin("format.line-ending"),
            ),
        ]
    )
    return "\n".join(lines) + "\n"


def _aligned(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(text) for text, _ in rows), default=0)
    return [f"{text.ljust(width)}  # {origin}" for text, origin in rows]


def _inline_table(entries: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    if not entries:
        return "{}"
    inner = ", ".join(f"{_toml(glob)} = {_toml(list(codes))}" for glob, codes in entries)
    return "{ " + inner + " }"
