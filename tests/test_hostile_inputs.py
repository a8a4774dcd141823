"""Huge and degenerate scenes through the real `odyc`: bounded memory, a clear diagnostic,
never a hang and never an internal error (issue 7, "huge or degenerate input")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
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
    scene.write_text("\t" * 10_000 + "at 0s: end\n", encoding="utf-8")
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


def test_a_million_bad_lines_stop_after_a_thousand_errors(tmp_path: Path) -> None:
    scene = tmp_path / "bad.ody"
    scene.write_text("".join(f"nonsense{i} here\n" for i in range(1_000_000)), encoding="utf-8")
    text = run_measured(["check", str(scene)])
    assert text.returncode == 1
    assert_bounded(text)
    assert text.stderr.rstrip().endswith("1,001 errors in " + str(scene))
    assert "… and 800 more errors not shown; `--format json` lists them all" in text.stderr
    assert f"{scene}:1001:1: error[E117]: odyc stopped reading here" in text.stderr
    machine = run_measured(["check", "--format", "json", str(scene)])
    found = json.loads(machine.stdout)
    assert len(found) == 1_001
    assert (found[-1]["code"], found[-1]["line"]) == ("E117", 1_001)
    assert "the rest of the file is not checked" in found[-1]["message"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("0\n" * 10_000_000, 1_001),  # millions of short bad lines: the first thousand count
        ("0" * 20_000_000, 1),  # one line of twenty million zeros: one error
    ],
)
def test_twenty_megabytes_of_zeros_are_read_in_bounded_memory(
    tmp_path: Path, text: str, codes: int
) -> None:
    scene = tmp_path / "zeros.ody"
    scene.write_text(text, encoding="utf-8")
    measured = run_measured(["check", "--format", "json", str(scene)])
    assert measured.returncode == 1
    assert_bounded(measured)
    found = [d["code"] for d in json.loads(measured.stdout)]
    assert len(found) == codes and found[-1] == ("E117" if codes > 1 else "E100")


def test_a_scene_over_64_mib_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    scene = tmp_path / "zeros.ody"
    with scene.open("wb") as handle:  # 200 MB of NUL bytes, sparse on disk
        handle.truncate(200_000_000)
    expected = "the scene is larger than 64 MiB, the most odyc reads"
    for args in (["check", str(scene)], [str(scene)], ["check", "/dev/zero"]):
        measured = run_measured(args)
        assert measured.returncode == 1
        assert_bounded(measured)
        assert f"error[E116]: {expected}" in measured.stderr
    with scene.open("rb") as stdin:
        piped = subprocess.run(
            [sys.executable, "-m", "odyssey_dsl", "-"],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert piped.returncode == 1
    assert f"<stdin>:1:1: error[E116]: {expected}" in piped.stderr


FIVE_THOUSAND_DIGITS = "9" * 5_000


@pytest.mark.parametrize(
    ("scene", "code", "message"),
    [
        (f"let x = {FIVE_THOUSAND_DIGITS}\n", "E111", "the number `999999999999…99999999`"),
        (f"repeat {FIVE_THOUSAND_DIGITS} every 1s:\n", "E111", "the number `999999999999…"),
        (f"at {FIVE_THOUSAND_DIGITS}s: end\n", "E111", "the duration `999999999999…9999999s`"),
        (f"let t = {FIVE_THOUSAND_DIGITS}ms\n", "E111", "the duration `999999999999…999999ms`"),
        (f"at 1.{FIVE_THOUSAND_DIGITS}s: end\n", "E108", "the duration `1.9999999999…9999999s`"),
    ],
)
def test_a_five_thousand_digit_number_is_a_short_clear_error(
    tmp_path: Path, scene: str, code: str, message: str
) -> None:
    path = tmp_path / "big.ody"
    path.write_text(scene + 'at 0s: start "a"\nat 1s: end\n', encoding="utf-8")
    measured = run_measured(["check", "--format", "json", str(path)])
    first = json.loads(measured.stdout)[0]
    assert (first["code"], first["line"]) == (code, 1)
    assert first["message"].startswith(message) and len(first["message"]) < 120
    assert "(2000ms)" not in first["message"]  # rounded, so not the duration's value


@pytest.mark.parametrize(
    ("scene", "code"),
    [
        ('let x = "' + "a" * 5_000_000 + '" 1\n', "E100"),  # a 5 MB string, then a mistake
        ('let x = "' + "猫\\\\" * 1_000_000 + '"\nat 0s: start "{{ x[:2] }}"\nat 1s: end\n', None),
        ('at 0s: start """' + "a\n" * 1_000_000 + '"""\nat 1s: end\n', "E305"),
    ],
)
def test_megabytes_of_string_are_read_in_bounded_memory(
    tmp_path: Path, scene: str, code: str | None
) -> None:
    path = tmp_path / "long.ody"
    path.write_text(scene, encoding="utf-8")
    measured = run_measured(["check", "--format", "json", str(path)])
    assert_bounded(measured)
    assert [d["code"] for d in json.loads(measured.stdout or "[]")] == ([code] if code else [])
