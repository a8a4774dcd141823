"""Huge and degenerate scenes through the real `odyc`: bounded memory, a clear diagnostic,
never a hang and never an internal error (issue 7, "huge or degenerate input")."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_support import assert_bounded, run_measured


def test_a_line_of_megabytes_of_nul_bytes_is_reported_in_bounded_memory(tmp_path: Path) -> None:
    scene = tmp_path / "nul.ody"
    scene.write_bytes(b"\0" * 6_000_000)
    measured = run_measured(["check", str(scene)])
    assert measured.returncode == 1
    assert_bounded(measured)
    assert f"{scene}:1:1: error[E" in measured.stderr
    source_line = measured.stderr.splitlines()[2]
    assert source_line.endswith("\u2400…") and len(source_line) < 200


def test_a_line_of_ten_thousand_tabs_is_shown_cut(tmp_path: Path) -> None:
    scene = tmp_path / "tabs.ody"
    scene.write_text("\t" * 10_000 + "\n", encoding="utf-8")
    measured = run_measured(["check", str(scene)])
    assert measured.returncode == 1
    assert_bounded(measured)
    assert "error[E103]" in measured.stderr
    assert max(len(line) for line in measured.stderr.splitlines()) < 200


def test_text_stops_after_200_diagnostics_of_a_file_and_json_keeps_them_all(
    tmp_path: Path,
) -> None:
    scene = tmp_path / "bad.ody"
    scene.write_text("nonsense here\n" * 1_000, encoding="utf-8")
    text = run_measured(["check", str(scene)])
    assert text.returncode == 1
    assert text.stderr.count(": error[E") == 200
    assert "… and 800 more errors not shown; `--format json` lists them all" in text.stderr
    assert text.stderr.rstrip().endswith("1,000 errors in " + str(scene))
    machine = run_measured(["check", "--format", "json", str(scene)])
    assert len(json.loads(machine.stdout)) == 1_000
