"""`odyc check DIR`: folders are searched for `*.ody`, skipping hidden folders, `.venv`,
`node_modules` and the configuration's `exclude` globs (the search `odyc fmt` will share)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from odyssey_dsl.config import ConfigResolver
from odyssey_dsl.config.scenes import find_scenes
from tests.cli_support import odyc_env, run_odyc

GOOD = 'at 0s: start "a"\nat 1s: end\n'
BAD = 'at 0s: start "a"\n'


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


LAYOUT = {
    "a.ody": GOOD,
    "notes.txt": "not a scene",
    "sub/b.ody": GOOD,
    "sub/deeper/c.ody": GOOD,
    ".hidden/h.ody": BAD,
    ".venv/lib/v.ody": BAD,
    "node_modules/pkg/n.ody": BAD,
    "archive/old.ody": BAD,
    "sub/draft.tmp.ody": BAD,
}


def test_folders_are_searched_and_the_usual_folders_skipped(tmp_path: Path) -> None:
    tree(tmp_path, LAYOUT)
    found = find_scenes([str(tmp_path)], ConfigResolver(isolated=True)).scenes
    names = sorted(os.path.relpath(f, tmp_path) for f in found)
    assert names == [
        "a.ody",
        "archive/old.ody",
        "sub/b.ody",
        "sub/deeper/c.ody",
        "sub/draft.tmp.ody",
    ]


def test_exclude_globs_are_relative_to_the_configuration(tmp_path: Path) -> None:
    tree(tmp_path, {**LAYOUT, "odyc.toml": 'exclude = ["archive/", "*.tmp.ody"]\n'})
    tree(tmp_path, {"sub/deeper/odyc.toml": 'exclude = ["c.ody"]\n', "sub/deeper/d.ody": GOOD})
    found = find_scenes([str(tmp_path)], ConfigResolver()).scenes
    names = sorted(os.path.relpath(f, tmp_path) for f in found)
    assert names == ["a.ody", "sub/b.ody", "sub/deeper/d.ody"]


def test_named_files_are_always_taken_and_order_is_kept(tmp_path: Path) -> None:
    tree(tmp_path, {**LAYOUT, "odyc.toml": 'exclude = ["archive/"]\n'})
    named = [str(tmp_path / "sub"), str(tmp_path / "archive" / "old.ody"), "-"]
    found = find_scenes(named, ConfigResolver()).scenes
    assert [os.path.relpath(f, tmp_path) if f != "-" else f for f in found] == [
        "sub/b.ody",
        "sub/deeper/c.ody",
        "sub/draft.tmp.ody",
        "archive/old.ody",
        "-",
    ]


def test_check_dir_checks_every_scene_and_names_them_as_found(tmp_path: Path) -> None:
    tree(tmp_path, {**LAYOUT, "odyc.toml": 'exclude = ["archive/", "*.tmp.ody"]\n'})
    completed = run_odyc(["check", "."], odyc_env(None, tmp_path / "state"), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "All checks passed (3 files checked)" in completed.stderr
    tree(tmp_path, {"sub/broken.ody": BAD})
    failed = run_odyc(
        ["check", "--format", "json", "sub"], odyc_env(None, tmp_path / "state"), cwd=tmp_path
    )
    assert failed.returncode == 1
    assert [d["file"] for d in json.loads(failed.stdout)] == [os.path.join("sub", "broken.ody")]


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    completed = run_odyc(["check", "empty"], odyc_env(None, tmp_path / "state"), cwd=tmp_path)
    assert completed.returncode == 0
    assert "odyc: warning: no *.ody scene in 'empty'" in completed.stderr


def test_a_fifo_or_a_device_in_a_folder_is_not_read(tmp_path: Path) -> None:
    tree(tmp_path, {"good.ody": 'at 0s: start "a"\nat 1s: end\n'})
    os.mkfifo(tmp_path / "pipe.ody")  # opening it would wait for a writer forever
    (tmp_path / "zero.ody").symlink_to("/dev/zero")  # reading it would never end
    completed = run_odyc(["check", "."], odyc_env(None, tmp_path / "state"), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == "All checks passed\n"  # one file: no count
