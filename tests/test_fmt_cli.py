"""`odyc fmt`, run as a subprocess: in place, --check, --diff, stdin, folders, configuration;
and `odyc check --stdin-filename`, the other command an editor pipes a scene to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import assert_clean_output, odyc_env

MESSY = 'let x=1\nrepeat 2 every 1s:\n  at 0s:  start "a"\n  after 1s: end\n'
TIDY = 'let x = 1\nrepeat 2 every 1s:\n    at 0s: start "a"\n    after 1s: end\n'


def odyc_fmt(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return odyc("fmt", *args, cwd=cwd, stdin=stdin)


def odyc(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = odyc_env(None, cwd / ".odyc-state")  # hidden: no folder search ever enters it
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert_clean_output(completed.stdout.decode(), completed.stderr.decode())
    return completed


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_formats_in_place_and_leaves_formatted_files_untouched(tmp_path: Path) -> None:
    messy = write(tmp_path / "messy.ody", MESSY)
    tidy = write(tmp_path / "tidy.ody", TIDY)
    os.utime(tidy, ns=(1_000_000_000, 1_000_000_000))
    before = tidy.stat()
    done = odyc_fmt("messy.ody", "tidy.ody", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert messy.read_text() == TIDY
    after = tidy.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert done.stderr.decode() == "1 file reformatted, 1 file left unchanged\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_check_lists_what_would_change_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "messy.ody", MESSY)
    write(tmp_path / "tidy.ody", TIDY)
    done = odyc_fmt("--check", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.decode() == f"would reformat {os.path.join('.', 'messy.ody')}\n"
    assert "1 file would be reformatted, 1 file already formatted" in done.stderr.decode()
    assert (tmp_path / "messy.ody").read_text() == MESSY
    (tmp_path / "messy.ody").write_text(TIDY)
    assert odyc_fmt("--check", ".", cwd=tmp_path).returncode == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "messy.ody", MESSY)
    done = odyc_fmt("--diff", "messy.ody", cwd=tmp_path)
    assert done.returncode == 1
    out = done.stdout.decode()
    assert out.startswith("--- messy.ody\n+++ messy.ody\n")
    assert "-let x=1\n+let x = 1\n" in out and '+    at 0s: start "a"\n' in out
    assert (tmp_path / "messy.ody").read_text() == MESSY


def test_the_diff_applies_with_patch_even_without_a_final_newline(tmp_path: Path) -> None:
    # A prompt may hold a form feed or U+2028: for `patch`, only \n ends a line.
    messy = 'let x=1\nat 0s:  start "a\f b \u2028 c"\nafter 1s:   end'
    scene = write(tmp_path / "messy.ody", messy)
    done = odyc_fmt("--diff", "messy.ody", cwd=tmp_path)
    assert done.returncode == 1
    assert b"-after 1s:   end\n\\ No newline at end of file\n" in done.stdout
    applied = subprocess.run(
        ["patch", "--quiet", str(scene)], input=done.stdout, capture_output=True, timeout=30
    )
    assert applied.returncode == 0, applied.stderr
    assert odyc_fmt("messy.ody", cwd=tmp_path).returncode == 0  # nothing left to change
    assert (
        scene.read_text(encoding="utf-8")
        == 'let x = 1\nat 0s: start "a\f b \u2028 c"\nafter 1s: end\n'
    )


def test_stdin_to_stdout_with_the_configuration_of_stdin_filename(tmp_path: Path) -> None:
    write(tmp_path / "two" / "odyc.toml", "[format]\nindent-width = 2\n")
    done = odyc_fmt("-", cwd=tmp_path, stdin=MESSY.encode())
    assert done.returncode == 0 and done.stdout.decode() == TIDY
    done = odyc_fmt("-", "--stdin-filename", "two/scene.ody", cwd=tmp_path, stdin=TIDY.encode())
    assert done.stdout.decode() == TIDY.replace("    ", "  ")
    done = odyc_fmt("-", "--check", cwd=tmp_path, stdin=MESSY.encode())
    assert done.returncode == 1 and done.stdout.decode() == "would reformat <stdin>\n"


def test_a_scene_with_syntax_errors_is_reported_and_left_as_it_is(tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.ody", "let x = \nat 0s: start 'a'\n")
    messy = write(tmp_path / "messy.ody", MESSY)
    done = odyc_fmt(".", cwd=tmp_path)
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "broken.ody:1:8: error[E100]" in err
    assert "1 file reformatted, 0 files left unchanged, 1 file not formatted (errors)" in err
    assert broken.read_text() == "let x = \nat 0s: start 'a'\n"
    assert messy.read_text() == TIDY
    done = odyc_fmt("-", "--stdin-filename", "x.ody", cwd=tmp_path, stdin=b"let x = \n")
    assert done.returncode == 1 and done.stdout == b"" and "x.ody:1:8" in done.stderr.decode()


def test_folders_skip_hidden_folders_node_modules_and_excluded_globs(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'exclude = ["generated/"]\n')
    found = write(tmp_path / "a" / "b" / "scene.ody", MESSY)
    skipped = [
        write(tmp_path / ".hidden" / "scene.ody", MESSY),
        write(tmp_path / "node_modules" / "scene.ody", MESSY),
        write(tmp_path / "generated" / "scene.ody", MESSY),
        write(tmp_path / "a" / "notes.txt", MESSY),
    ]
    done = odyc_fmt(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert found.read_text() == TIDY
    assert all(path.read_text() == MESSY for path in skipped)


def test_each_scene_gets_its_nearest_configuration(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", "[format]\nindent-width = 3\n")
    write(tmp_path / "two" / "pyproject.toml", "[tool.odyc.format]\nindent-width = 2\n")
    write(tmp_path / "crlf" / "odyc.toml", '[format]\nline-ending = "crlf"\n')
    top = write(tmp_path / "top.ody", TIDY)
    two = write(tmp_path / "two" / "scene.ody", TIDY)
    crlf = write(tmp_path / "crlf" / "scene.ody", TIDY)
    assert odyc_fmt(cwd=tmp_path).returncode == 0
    assert top.read_text() == TIDY.replace("    ", "   ")
    assert two.read_text() == TIDY.replace("    ", "  ")
    assert crlf.read_bytes() == TIDY.replace("\n", "\r\n").encode()
    assert odyc_fmt("--isolated", cwd=tmp_path).returncode == 0
    assert top.read_text() == two.read_text() == TIDY
    assert crlf.read_bytes() == TIDY.replace("\n", "\r\n").encode()  # auto keeps CRLF
    config = write(tmp_path / "elsewhere.toml", "[format]\nindent-width = 2\n")
    assert odyc_fmt("--config", str(config), "top.ody", cwd=tmp_path).returncode == 0
    assert top.read_text() == TIDY.replace("    ", "  ")


def test_line_endings_and_byte_order_mark_are_kept(tmp_path: Path) -> None:
    scene = write(tmp_path / "scene.ody", b"\xef\xbb\xbf" + MESSY.replace("\n", "\r\n").encode())
    assert odyc_fmt("scene.ody", cwd=tmp_path).returncode == 0
    assert scene.read_bytes() == b"\xef\xbb\xbf" + TIDY.replace("\n", "\r\n").encode()


def test_bad_paths_and_options_are_usage_errors(tmp_path: Path) -> None:
    done = odyc_fmt("missing.ody", cwd=tmp_path)
    assert done.returncode == 2
    assert "odyc: error: cannot read 'missing.ody'" in done.stderr.decode()
    write(tmp_path / "odyc.toml", "[format]\nindent-width = 0\n")
    done = odyc_fmt(".", cwd=tmp_path)
    assert done.returncode == 2 and "indent-width" in done.stderr.decode()
    done = odyc_fmt("--stdin-filename", "x.ody", "a.ody", cwd=tmp_path)
    assert done.returncode == 2 and "--stdin-filename" in done.stderr.decode()
    done = odyc_fmt("--check", "--diff", cwd=tmp_path)
    assert done.returncode == 2


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    scene = write(tmp_path / "scene.ody", b"let x = \xff\n")
    done = odyc_fmt("scene.ody", cwd=tmp_path)
    assert done.returncode == 1 and "E109" in done.stderr.decode()
    assert scene.read_bytes() == b"let x = \xff\n"


def test_help_describes_the_command(tmp_path: Path) -> None:
    done = odyc_fmt("--help", cwd=tmp_path)
    out = done.stdout.decode()
    assert done.returncode == 0
    for words in ("--check", "--diff", "--stdin-filename", "fmt: off", "exit codes"):
        assert words in out


def test_check_reads_stdin_as_the_scene_stdin_filename_names(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'per-file-ignores = { "quiet/*.ody" = ["W103"] }\n')
    repeated = b'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"\nat 3s: end\n'
    loud = odyc("check", "-", cwd=tmp_path, stdin=repeated)
    assert loud.returncode == 0 and "<stdin>:3:" in loud.stderr.decode()
    assert "W103" in loud.stderr.decode()
    quiet = odyc("check", "-", "--stdin-filename", "quiet/s.ody", cwd=tmp_path, stdin=repeated)
    assert quiet.returncode == 0 and "W103" not in quiet.stderr.decode()
    broken = odyc(
        "check", "-", "--stdin-filename", "quiet/s.ody", cwd=tmp_path, stdin=b"at 3: end\n"
    )
    assert broken.returncode == 1 and "quiet/s.ody:1:4: error[E107]" in broken.stderr.decode()
    lost = odyc("check", "--stdin-filename", "x.ody", "a.ody", cwd=tmp_path)
    assert lost.returncode == 2 and "--stdin-filename is for '-'" in lost.stderr.decode()


def test_a_scene_reached_twice_is_counted_once(tmp_path: Path) -> None:
    scene = write(tmp_path / "messy.ody", MESSY)
    (tmp_path / "link.ody").symlink_to("messy.ody")
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "inner.ody").symlink_to(scene)
    done = odyc_fmt("--check", ".", "messy.ody", cwd=tmp_path)
    assert done.stdout.decode().count("would reformat") == 1
    assert "1 file would be reformatted, 0 files already formatted" in done.stderr.decode()
    checked = odyc("check", ".", cwd=tmp_path)
    assert checked.stderr.decode().count("warning[W101]") == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_not_replaced_by_a_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ody"
    os.mkfifo(fifo)  # no writer: reading it would wait forever
    done = odyc_fmt("pipe.ody", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot format 'pipe.ody' in place: it is not a regular file" in done.stderr.decode()
    assert fifo.is_fifo()
