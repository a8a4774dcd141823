"""`--color auto|always|never` on every command, with `NO_COLOR` and `FORCE_COLOR`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from odyssey_dsl.cli.colour import wants_colour
from tests.cli_support import odyc_env, run_odyc

ANSI = "\x1b["
UNENDED = 'at 0s: start "a"\nat 1s: interact "b"\n'


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "terminal", "environ", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_the_option_wins_over_the_environment(
    choice: str, terminal: bool, environ: dict[str, str], expected: bool
) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    assert wants_colour(choice, stream, environ) is expected  # type: ignore[arg-type]


def env_with(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = odyc_env(None, tmp_path / "state")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(variables)
    return env


def test_diagnostics_follow_the_option(tmp_path: Path) -> None:
    (tmp_path / "s.ody").write_text(UNENDED, encoding="utf-8")
    always = run_odyc(
        ["check", "--color", "always", "s.ody"], env_with(tmp_path, NO_COLOR="1"), cwd=tmp_path
    )
    assert always.returncode == 1 and ANSI in always.stderr
    never = run_odyc(["s.ody", "--color=never"], env_with(tmp_path, FORCE_COLOR="1"), cwd=tmp_path)
    assert never.returncode == 1 and "error[E505]" in never.stderr and ANSI not in never.stderr
    forced = run_odyc(["check", "s.ody"], env_with(tmp_path, FORCE_COLOR="1"), cwd=tmp_path)
    assert ANSI in forced.stderr
    piped = run_odyc(["check", "s.ody"], env_with(tmp_path), cwd=tmp_path)
    assert ANSI not in piped.stderr


def test_rule_follows_the_option(tmp_path: Path) -> None:
    always = run_odyc(["rule", "E505", "--color", "always"], env_with(tmp_path, NO_COLOR="1"))
    assert ANSI in always.stdout
    never = run_odyc(["rule", "E505", "--color", "never"], env_with(tmp_path, FORCE_COLOR="1"))
    assert ANSI not in never.stdout and "E505 stream-never-ended (error)" in never.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        [],
        ["rule"],
        ["schema"],
        ["emulator"],
        ["jobs", "list"],
        ["jobs", "wait"],
        ["recordings", "get"],
        ["recordings", "list"],
    ],
)
def test_every_command_takes_the_option(tmp_path: Path, command: list[str]) -> None:
    shown = run_odyc([*command, "--help"], env_with(tmp_path))
    assert shown.returncode == 0
    assert "--color {auto,always,never}" in shown.stdout


def test_a_bad_choice_is_a_usage_error(tmp_path: Path) -> None:
    completed = run_odyc(["schema", "--color", "sometimes"], env_with(tmp_path))
    assert completed.returncode == 2 and "invalid choice: 'sometimes'" in completed.stderr
    assert run_odyc(["schema", "--color", "never"], env_with(tmp_path)).returncode == 0
