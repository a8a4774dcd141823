"""`odyc rule CODE` / `--all`: the catalogue's explanation of a code, in the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from odyssey_dsl.diagnostics import CATALOGUE
from odyssey_dsl.diagnostics.docs import help_uri
from tests.cli_support import odyc_env, run_odyc


def rule(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    completed = run_odyc(["rule", *args], odyc_env(None, tmp_path))
    return completed.returncode, completed.stdout, completed.stderr


@pytest.mark.parametrize("name", ["E501", "e501", "time-goes-backwards"])
def test_one_code_with_its_summary_fix_example_and_report(tmp_path: Path, name: str) -> None:
    code, out, _ = rule(tmp_path, name)
    entry = CATALOGUE["E501"]
    assert code == 0
    assert out.startswith("E501 time-goes-backwards (error)\n")
    assert entry.summary in out
    assert f"Fix: {entry.fix}" in out
    assert "Example (reported at line 3, column 1):" in out
    assert "   3 | at 5s: end" in out
    # what odyc says of the example, as `odyc check` prints it
    assert "example.ody:3:1: error[E501]: this entry at 5s comes before" in out
    # a link only to where the project says the docs are published, none made up
    link = help_uri("E501")
    assert out.rstrip().endswith(f"More: {link}") if link else "More:" not in out


def test_square_brackets_in_the_text_are_printed_as_written(tmp_path: Path) -> None:
    _, out, _ = rule(tmp_path, "W107")
    assert "`# odyc: ignore[...]`" in out
    assert "# odyc: ignore[CODE, ...]" in out


def test_all_codes(tmp_path: Path) -> None:
    code, out, _ = rule(tmp_path, "--all")
    assert code == 0
    starts = [
        line.split(" ")[0]
        for line in out.splitlines()
        if " (error)" in line or " (warning)" in line
    ]
    assert starts == list(CATALOGUE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["E5011"], "no diagnostic code 'E5011'; did you mean E501?"),
        (["time-goes-backward"], "did you mean time-goes-backwards?"),
        ([], "give one CODE, or --all"),
        (["E501", "--all"], "give one CODE, or --all"),
    ],
)
def test_unknown_codes_and_bad_usage_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = rule(tmp_path, *args)
    assert code == 2 and message in err
