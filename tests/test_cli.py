"""`odyc FILE` and `odyc check FILE...`, run as the user runs them: as a subprocess."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from odyssey_dsl import __version__
from odyssey_dsl.emulator import RunningEmulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

CAT_SCENE = """\
# A cat by the window
portrait: false
let subject = "cat"

at 0s: start "A {{ subject }} sitting by a window"
at 3s: interact "The {{ subject }} looks outside"
after 3s: interact "The {{ subject }} stretches"
at 9s: end
"""

CAT_JSON = [
    {"timestamp_ms": 0, "start": {"prompt": "A cat sitting by a window"}},
    {"timestamp_ms": 3000, "interact": {"prompt": "The cat looks outside"}},
    {"timestamp_ms": 6000, "interact": {"prompt": "The cat stretches"}},
    {"timestamp_ms": 9000, "end": {}},
]

BROKEN_SCENE = 'at 0s: strat "a"\nat 1s interact "b"\nat 2s: end\n'
"""Two errors: a misspelled keyword (1:8) and a missing `:` (2:7)."""

UNUSED_SCENE = 'let unused = 1\nat 0s: start "a"\nat 1s: end\n'
"""Compiles, with one warning (W101 at 1:5)."""

LOOP_SCENE = (
    'let n = 3\nat 0s: start "a"\nrepeat n every 1s:\n  interact "step {{ loop.index }}"\n'
    "at 9s: end\n"
)

FORBIDDEN_ON_CHECK = ("httpx", "rich", "starlette", "uvicorn", "anyio", "pygls", "lsprotocol")


def odyc(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m odyssey_dsl ARGS`; never a traceback, whatever happens."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=environment,
        timeout=60,
    )
    result = subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


@pytest.fixture
def scenes(tmp_path: Path) -> Path:
    (tmp_path / "cat.ody").write_text(CAT_SCENE, encoding="utf-8")
    (tmp_path / "bad.ody").write_text(BROKEN_SCENE, encoding="utf-8")
    (tmp_path / "unused.ody").write_text(UNUSED_SCENE, encoding="utf-8")
    (tmp_path / "loop.ody").write_text(LOOP_SCENE, encoding="utf-8")
    return tmp_path


# --- compiling ----------------------------------------------------------------------------


def test_compile_prints_indented_json(scenes: Path) -> None:
    result = odyc("cat.ody", cwd=scenes)
    assert result.returncode == 0
    assert json.loads(result.stdout) == CAT_JSON
    assert result.stdout == json.dumps(CAT_JSON, indent=2) + "\n"
    assert result.stderr == ""


def test_compact_is_one_line(scenes: Path) -> None:
    result = odyc("cat.ody", "--compact", cwd=scenes)
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("\n")
    assert json.loads(result.stdout) == CAT_JSON


def test_emit_request_single_and_batch(scenes: Path) -> None:
    single = odyc("cat.ody", "--emit", "request", cwd=scenes)
    assert json.loads(single.stdout) == {"portrait": False, "script": CAT_JSON}
    batch_script = json.loads(odyc(str(EXAMPLES / "batch.ody")).stdout)
    batch_request = json.loads(odyc(str(EXAMPLES / "batch.ody"), "--emit", "request").stdout)
    assert [len(script) for script in batch_script] == [3, 5]
    assert batch_request == {"portrait": False, "scripts": batch_script}


def test_errors_exit_1_with_located_diagnostics_and_no_json(scenes: Path) -> None:
    result = odyc("bad.ody", cwd=scenes)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "bad.ody:1:8: error[E105]: " in result.stderr
    assert "bad.ody:2:7: error[E100]: " in result.stderr
    assert '1 | at 0s: strat "a"\n  |        ^^^^^\n' in result.stderr
    assert "help: did you mean `start`?" in result.stderr
    assert result.stderr.rstrip().endswith("2 errors in bad.ody")


def test_warnings_do_not_fail_and_werror_does(scenes: Path) -> None:
    ok = odyc("unused.ody", cwd=scenes)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)[0]["start"] == {"prompt": "a"}
    assert "unused.ody:1:5: warning[W101]" in ok.stderr
    assert "1 warning in unused.ody" in ok.stderr
    strict = odyc("unused.ody", "--werror", cwd=scenes)
    assert strict.returncode == 1
    assert strict.stdout == ""
    assert "unused.ody:1:5: error[W101]" in strict.stderr


def test_stdin(scenes: Path) -> None:
    result = odyc("-", "--compact", stdin=CAT_SCENE.encode(), cwd=scenes)
    assert result.returncode == 0
    assert json.loads(result.stdout) == CAT_JSON
    broken = odyc("-", stdin=BROKEN_SCENE.encode(), cwd=scenes)
    assert broken.returncode == 1
    assert "<stdin>:1:8: error[E105]" in broken.stderr


def test_stdin_that_is_not_utf8(scenes: Path) -> None:
    result = odyc("-", stdin=b'at 0s: start "caf\xe9"\nat 1s: end\n', cwd=scenes)
    assert result.returncode == 1
    assert "<stdin>:1:18: error[E109]" in result.stderr


def test_stdin_images_are_found_from_the_current_directory(scenes: Path) -> None:
    (scenes / "pics").mkdir()
    (scenes / "pics" / "meadow.png").write_bytes((EXAMPLES / "meadow.png").read_bytes())
    scene = 'at 0s: start "a" with image "pics/meadow.png"\nat 1s: end\n'
    result = odyc("-", stdin=scene.encode(), cwd=scenes)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["start"]["image"].startswith("data:image/png;base64,")


def test_image_paths_are_relative_to_the_scene_not_the_cwd(tmp_path: Path) -> None:
    result = odyc(str(EXAMPLES / "image_to_video.ody"), "--compact", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["start"]["image"].startswith("data:image/png;base64,")


def test_missing_image_is_reported_at_the_image_string(scenes: Path) -> None:
    (scenes / "img.ody").write_text('at 0s: start "a" with image "missing.png"\nat 1s: end\n')
    result = odyc("img.ody", cwd=scenes)
    assert result.returncode == 1
    assert "img.ody:1:29: error[E401]" in result.stderr
    assert str(scenes / "missing.png") in result.stderr


def test_options_before_or_after_the_file_are_the_same(scenes: Path) -> None:
    before = odyc("--var", "subject=dog", "--compact", "cat.ody", cwd=scenes)
    after = odyc("cat.ody", "--var", "subject=dog", "--compact", cwd=scenes)
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout
    assert json.loads(before.stdout)[0]["start"]["prompt"] == "A dog sitting by a window"


def test_a_file_named_like_a_subcommand_compiles_as_a_path(scenes: Path) -> None:
    (scenes / "check").write_text(CAT_SCENE, encoding="utf-8")
    result = odyc("./check", "--compact", cwd=scenes)
    assert result.returncode == 0
    assert json.loads(result.stdout) == CAT_JSON
    as_subcommand = odyc("check", "cat.ody", cwd=scenes)
    assert as_subcommand.stdout == ""
    assert "All checks passed" in as_subcommand.stderr


def test_file_starting_with_a_dash_after_double_dash(scenes: Path) -> None:
    (scenes / "-odd.ody").write_text(CAT_SCENE, encoding="utf-8")
    result = odyc("--compact", "--", "-odd.ody", cwd=scenes)
    assert result.returncode == 0
    assert json.loads(result.stdout) == CAT_JSON


# --- -o: atomic, only on success ---------------------------------------------------------


def test_output_file_written_on_success(scenes: Path) -> None:
    result = odyc("cat.ody", "-o", "out.json", cwd=scenes)
    assert result.returncode == 0
    assert result.stdout == ""
    assert json.loads((scenes / "out.json").read_text()) == CAT_JSON
    assert (scenes / "out.json").read_text() == odyc("cat.ody", cwd=scenes).stdout
    assert sorted(p.name for p in scenes.iterdir() if p.name.startswith(".")) == []


def test_failed_compile_leaves_the_existing_output_untouched(scenes: Path) -> None:
    target = scenes / "out.json"
    target.write_text("previous contents\n")
    os.utime(target, (1_000_000_000, 1_000_000_000))
    result = odyc("bad.ody", "-o", "out.json", cwd=scenes)
    assert result.returncode == 1
    assert target.read_text() == "previous contents\n"
    assert target.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in scenes.iterdir()) == [
        "bad.ody",
        "cat.ody",
        "loop.ody",
        "out.json",
        "unused.ody",
    ]


def test_failed_compile_creates_no_output_file(scenes: Path) -> None:
    assert odyc("bad.ody", "-o", "new.json", cwd=scenes).returncode == 1
    assert not (scenes / "new.json").exists()


def test_output_keeps_the_existing_permissions(scenes: Path) -> None:
    target = scenes / "out.json"
    target.write_text("old\n")
    target.chmod(0o640)
    assert odyc("cat.ody", "-o", "out.json", cwd=scenes).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert json.loads(target.read_text()) == CAT_JSON


def test_new_output_file_gets_the_usual_permissions(scenes: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "cat.ody", "-o", "fresh.json"],
        cwd=scenes,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o027),
        timeout=60,
    )
    assert completed.returncode == 0
    assert stat.S_IMODE((scenes / "fresh.json").stat().st_mode) == 0o640


def test_output_into_a_missing_folder_is_a_usage_error(scenes: Path) -> None:
    result = odyc("cat.ody", "-o", "nowhere/out.json", cwd=scenes)
    assert result.returncode == 2
    assert result.stderr.startswith("odyc: error: cannot write 'nowhere/out.json': ")


# --- variables and checks ------------------------------------------------------------------


def test_var_values_are_json_when_valid(scenes: Path) -> None:
    two = odyc("loop.ody", "--var", "n=2", "--compact", cwd=scenes)
    assert len(json.loads(two.stdout)) == 4
    text = odyc("cat.ody", "--var", 'subject="big dog"', "--compact", cwd=scenes)
    assert json.loads(text.stdout)[0]["start"]["prompt"] == "A big dog sitting by a window"
    plain = odyc("cat.ody", "--var", "subject=big dog", "--compact", cwd=scenes)
    assert plain.stdout == text.stdout


def test_var_values_that_cannot_be_variables_are_usage_errors(scenes: Path) -> None:
    for value in ('x={"a": 1}', "x=null", "x=[1, null]"):
        run = odyc("cat.ody", "--var", value, cwd=scenes)
        assert run.returncode == 2
        assert "variable 'x'" in run.stderr and run.stdout == ""
        assert "Traceback" not in run.stderr


def test_vars_files_json_and_toml_and_var_wins(scenes: Path) -> None:
    (scenes / "v.json").write_text('{"subject": "fox", "n": 1}')
    (scenes / "v.toml").write_text('subject = "owl"\nn = 5\n')
    fox = odyc("cat.ody", "--vars", "v.json", "--compact", cwd=scenes)
    assert json.loads(fox.stdout)[0]["start"]["prompt"] == "A fox sitting by a window"
    owl = odyc("loop.ody", "--vars", "v.toml", "--compact", cwd=scenes)
    assert len(json.loads(owl.stdout)) == 7
    later = odyc("loop.ody", "--vars", "v.toml", "--vars", "v.json", "--compact", cwd=scenes)
    assert len(json.loads(later.stdout)) == 3
    var_wins = odyc("loop.ody", "--var", "n=2", "--vars", "v.toml", "--compact", cwd=scenes)
    assert len(json.loads(var_wins.stdout)) == 4


def test_a_misspelt_var_is_a_warning_with_a_suggestion(scenes: Path) -> None:
    run = odyc("check", "cat.ody", "--var", "subjet=dog", cwd=scenes)
    assert run.returncode == 0
    assert "warning[W105]" in run.stderr and "`subjet`" in run.stderr
    assert "did you mean `subject`?" in run.stderr
    (scenes / "v.json").write_text('{"subjet": "fox"}')
    from_file = odyc("cat.ody", "--vars", "v.json", "--format", "json", cwd=scenes)
    codes = [d["code"] for d in json.loads(from_file.stderr)]
    assert codes == ["W105"] and from_file.returncode == 0


def test_portrait_and_landscape_override_the_file(scenes: Path) -> None:
    portrait = odyc("cat.ody", "--portrait", "--emit", "request", cwd=scenes)
    assert json.loads(portrait.stdout)["portrait"] is True
    landscape = odyc(str(EXAMPLES / "image_to_video.ody"), "--landscape", "--emit", "request")
    assert json.loads(landscape.stdout)["portrait"] is False
    default = odyc(str(EXAMPLES / "image_to_video.ody"), "--emit", "request")
    assert json.loads(default.stdout)["portrait"] is True


def test_max_entries(scenes: Path) -> None:
    assert odyc("loop.ody", "--max-entries", "5", cwd=scenes).returncode == 0
    result = odyc("loop.ody", "--max-entries", "4", cwd=scenes)
    assert result.returncode == 1
    assert "error[E509]" in result.stderr


def test_min_gap(scenes: Path) -> None:
    (scenes / "close.ody").write_text('at 0s: start "a"\nat 50ms: interact "b"\nat 1s: end\n')
    default = odyc("close.ody", cwd=scenes)
    assert default.returncode == 0
    assert "close.ody:2:1: warning[W102]" in default.stderr
    for gap in ("50ms", "0"):
        quiet = odyc("close.ody", "--min-gap", gap, cwd=scenes)
        assert quiet.returncode == 0
        assert quiet.stderr == ""
    wider = odyc("close.ody", "--min-gap", "1s", "--werror", cwd=scenes)
    assert wider.returncode == 1
    assert "error[W102]" in wider.stderr


# --- diagnostics formats and colour --------------------------------------------------------


def test_format_json(scenes: Path) -> None:
    failed = odyc("bad.ody", "--format", "json", cwd=scenes)
    assert failed.returncode == 1
    found = json.loads(failed.stdout)
    assert [(d["line"], d["column"], d["code"]) for d in found] == [(1, 8, "E105"), (2, 7, "E100")]
    assert set(found[0]) == {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "help",
    }
    # On success stdout carries the compiled JSON, so the diagnostics go to stderr.
    ok = odyc("unused.ody", "--format", "json", cwd=scenes)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)[0]["start"] == {"prompt": "a"}
    assert [d["code"] for d in json.loads(ok.stderr)] == ["W101"]
    written = odyc("unused.ody", "--format", "json", "-o", "o.json", cwd=scenes)
    assert [d["code"] for d in json.loads(written.stdout)] == ["W101"]


def test_format_github(scenes: Path) -> None:
    result = odyc("check", "bad.ody", "--format", "github", cwd=scenes)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=bad.ody,line=1,col=8,endLine=1,endColumn=13,title=E105::"
    )
    assert lines[1].startswith("::error file=bad.ody,line=2,col=7,")


def test_colour_only_when_forced_or_on_a_terminal(scenes: Path) -> None:
    plain = odyc("bad.ody", cwd=scenes)
    assert "\x1b[" not in plain.stderr
    forced = odyc("bad.ody", cwd=scenes, env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31merror[E105]" in forced.stderr
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.stderr) == plain.stderr
    refused = odyc("bad.ody", cwd=scenes, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in refused.stderr


# --- odyc check ----------------------------------------------------------------------------


def test_check_reports_all_files_and_a_summary(scenes: Path) -> None:
    result = odyc("check", "cat.ody", "bad.ody", "unused.ody", cwd=scenes)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "bad.ody:1:8: error[E105]" in result.stderr
    assert "unused.ody:1:5: warning[W101]" in result.stderr
    assert result.stderr.splitlines()[-1] == "2 errors, 1 warning in 2 files (3 files checked)"


def test_check_all_good(scenes: Path) -> None:
    result = odyc("check", "cat.ody", "loop.ody", cwd=scenes)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == "All checks passed (2 files checked)\n"
    warned = odyc("check", "unused.ody", cwd=scenes)
    assert warned.returncode == 0
    assert warned.stderr.splitlines()[-1] == "1 warning in unused.ody"
    assert odyc("check", "unused.ody", "--werror", cwd=scenes).returncode == 1


def test_check_format_json_is_one_array_for_all_files(scenes: Path) -> None:
    result = odyc("check", "--format", "json", "bad.ody", "unused.ody", "cat.ody", cwd=scenes)
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert [(d["file"], d["code"]) for d in found] == [
        ("bad.ody", "E105"),
        ("bad.ody", "E100"),
        ("unused.ody", "W101"),
    ]


def test_check_with_an_unreadable_file_checks_the_rest_and_exits_2(scenes: Path) -> None:
    result = odyc("check", "missing.ody", "bad.ody", cwd=scenes)
    assert result.returncode == 2
    assert (
        "missing.ody:1:1: error[E902]: cannot read 'missing.ody': No such file or directory"
        in result.stderr
    )
    assert "bad.ody:1:8: error[E105]" in result.stderr
    assert result.stderr.endswith("3 errors in 2 files (2 files checked)\n")


def test_check_and_compile_import_only_what_they_need(scenes: Path) -> None:
    heavy = (*FORBIDDEN_ON_CHECK, "pydantic")
    probe = (
        "import sys\n"
        "from odyssey_dsl.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))\n"
        "print(code, heavy)\n"
    )
    expected = {
        ("check", "cat.ody"): "0 []",  # a lint never builds the job, so never loads pydantic
        # the JSON is written from the entries (emit.json_text): no models are built
        ("cat.ody", "-o", "x.json"): "0 []",
        ("cat.ody", "--emit", "request", "--compact"): "0 []",
    }
    for argv, loaded in expected.items():
        completed = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=scenes,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.stdout.strip().splitlines()[-1] == loaded, completed.stderr


# --- usage: --version, --help and usage errors --------------------------------------------


def test_version() -> None:
    result = odyc("--version")
    assert result.returncode == 0
    assert result.stdout == f"odyc {__version__}\n"


def test_help_lists_the_subcommands_and_examples() -> None:
    result = odyc("--help")
    assert result.returncode == 0
    for command in ("odyc check FILE...", "odyc jobs", "odyc recordings", "odyc emulator"):
        assert command in result.stdout
    for option in (
        "--var NAME=VALUE",
        "--vars FILE",
        "--portrait",
        "--landscape",
        "-o PATH",
        "--compact",
        "--emit",
        "--max-entries N",
        "--min-gap DURATION",
        "--werror",
        "--format",
        "--submit",
    ):
        assert option in result.stdout
    assert "examples:" in result.stdout
    assert "exit codes:" in result.stdout


def test_check_help() -> None:
    result = odyc("check", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: odyc check [options] PATH...")
    assert "examples:" in result.stdout
    assert "--submit" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-such-option", "cat.ody"], "unrecognized arguments: --no-such-option"),
        ([], "the following arguments are required: FILE"),
        (["missing.ody"], "missing.ody:1:1: error[E902]: cannot read 'missing.ody': No such file"),
        (["."], ".:1:1: error[E902]: cannot read '.': Is a directory"),
        (["cat.ody", "--var", "subject"], "expected NAME=VALUE"),
        (["cat.ody", "--var", "2x=1"], "is not a variable name"),
        (["cat.ody", "--vars", "nope.json"], "cannot read --vars file 'nope.json'"),
        (["cat.ody", "--vars", "/dev/zero"], "'/dev/zero': larger than 16 MiB"),
        (["cat.ody", "--config", "/dev/zero"], "cannot read /dev/zero: larger than 16 MiB"),
        (["cat.ody", "--vars", "list.json"], "must hold a JSON object"),
        (["cat.ody", "--vars", "broken.toml"], "is not valid TOML"),
        (["cat.ody", "--vars", "garbage.txt"], "is neither JSON"),
        (["cat.ody", "--max-entries", "0"], "at least 1"),
        (["cat.ody", "--min-gap", "5"], "needs a unit"),
        (["cat.ody", "--portrait", "--landscape"], "not allowed with argument"),
        (["cat.ody", "--format", "xml"], "invalid choice: 'xml'"),
        (["cat.ody", "--no-wait"], "--no-wait only makes sense with --submit"),
        (["check"], "the following arguments are required: PATH"),
        (["check", "cat.ody", "--vars", "list.json"], "must hold a JSON object"),
    ],
)
def test_usage_errors_exit_2_with_a_message(scenes: Path, args: list[str], message: str) -> None:
    (scenes / "list.json").write_text("[1, 2]")
    (scenes / "broken.toml").write_text("subject = \n")
    (scenes / "garbage.txt").write_text("{{{ not = [ anything")
    result = odyc(*args, cwd=scenes)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_closed_stdout_ends_quietly(scenes: Path) -> None:
    (scenes / "many.ody").write_text(
        'at 0s: start "a"\nrepeat 5000 every 1s:\n  interact "step {{ loop.index }}"\n'
        "after 1s: end\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "odyssey_dsl", "many.ody"],
        cwd=scenes,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10) == b"[\n  {\n    "
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


def test_json_is_utf8_whatever_the_locale(scenes: Path) -> None:
    (scenes / "cat_jp.ody").write_text('at 0s: start "猫 🐈"\nat 1s: end\n', encoding="utf-8")
    result = odyc("cat_jp.ody", "--compact", cwd=scenes, env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0
    assert json.loads(result.stdout)[0]["start"]["prompt"] == "猫 🐈"


# --- --submit (the submission itself is tested with the job commands) ---------------------


def test_submit_sends_only_what_compiles(scenes: Path, emulator: RunningEmulator) -> None:
    env = {
        "ODYSSEY_API_URL": emulator.url,
        "ODYSSEY_API_KEY": "ody_cli_test",
        "ODYC_STATE_DIR": str(scenes / "state"),
    }
    refused = odyc("bad.ody", "--submit", cwd=scenes, env=env)
    assert refused.returncode == 1
    assert emulator.state.job_count == 0
    sent = odyc("cat.ody", "--submit", "--no-wait", "-o", "out.json", cwd=scenes, env=env)
    assert sent.returncode == 0, sent.stderr
    assert re.fullmatch(r"[0-9a-f-]{36}\n", sent.stdout)
    (job,) = emulator.state.jobs.values()
    assert job.job_id == sent.stdout.strip()
    assert job.portrait is False  # the scene's `portrait: false` reached the API
    assert json.loads((scenes / "out.json").read_text()) == CAT_JSON


def test_submit_keeps_stdout_for_its_result(scenes: Path, emulator: RunningEmulator) -> None:
    env = {
        "ODYSSEY_API_URL": emulator.url,
        "ODYSSEY_API_KEY": "ody_cli_test",
        "ODYC_STATE_DIR": str(scenes / "state"),
    }
    args = ("unused.ody", "--submit", "--no-wait", "--json", "--format", "json")
    result = odyc(*args, cwd=scenes, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["job_id"] in emulator.state.jobs
    assert '"code": "W101"' in result.stderr


# --- messages that tell the truth ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "files"),
    [
        (["--var", "speed=1e400"], {}),
        (["--var", "speed=-1e999"], {}),
        (["--var", "speed=NaN"], {}),
        (["--var", "speed=Infinity"], {}),
        (["--var", "speed=[1, 1e400]"], {}),
        (["--vars", "v.json"], {"v.json": '{"speed": 1e999}'}),
        (["--vars", "v.toml"], {"v.toml": "speed = inf\n"}),
        (["--vars", "v.toml"], {"v.toml": "speed = [nan]\n"}),
    ],
)
def test_a_variable_that_is_not_a_finite_number_is_a_usage_error(
    scenes: Path, args: list[str], files: dict[str, str]
) -> None:
    for name, text in files.items():
        (scenes / name).write_text(text)
    (scenes / "speed.ody").write_text('let speed = 1\nat 0s: start "go {{ speed }}x"\nat 1s: end\n')
    for command in (["speed.ody"], ["check", "speed.ody"]):
        result = odyc(*command, *args, cwd=scenes)
        assert result.returncode == 2, result.stdout
        assert result.stdout == ""
        assert "odyc: error: variable 'speed': " in result.stderr
        assert "a variable's number must be finite" in result.stderr


def test_check_lists_an_unreadable_file_as_e902_in_every_format(scenes: Path) -> None:
    result = odyc("check", "--format", "json", "missing.ody", "cat.ody", cwd=scenes)
    assert result.returncode == 2
    (entry,) = json.loads(result.stdout)
    assert (entry["file"], entry["code"], entry["severity"]) == ("missing.ody", "E902", "error")
    assert entry["message"] == "cannot read 'missing.ody': No such file or directory"
    assert result.stderr == "1 error in missing.ody (2 files checked)\n"
    assert "All checks passed" not in result.stderr

    github = odyc("check", "--format", "github", "missing.ody", "cat.ody", cwd=scenes)
    assert github.returncode == 2
    assert github.stdout.startswith("::error file=missing.ody,line=1,col=1,")
    assert "title=E902::cannot read 'missing.ody'" in github.stdout


def test_compiling_an_unreadable_file_reports_e902_like_check(scenes: Path) -> None:
    text = odyc("missing.ody", cwd=scenes)
    assert text.returncode == 2
    assert text.stderr == (
        "missing.ody:1:1: error[E902]: cannot read 'missing.ody': No such file or directory\n"
        "\n1 error in missing.ody\n"
    )
    machine = odyc("missing.ody", "--format", "json", cwd=scenes)
    assert machine.returncode == 2
    (entry,) = json.loads(machine.stdout)
    assert (entry["file"], entry["code"]) == ("missing.ody", "E902")


def test_a_mistyped_command_is_named_and_a_path_still_compiles(scenes: Path) -> None:
    mistyped = odyc("chek", "cat.ody", cwd=scenes)
    assert mistyped.returncode == 2
    assert mistyped.stderr.startswith("odyc: error: unknown command `chek`; did you mean `check`?")
    assert mistyped.stdout == ""
    (scenes / "chek").write_text(CAT_SCENE, encoding="utf-8")
    for word in ("./chek", "chek"):  # a path, or a bare word that is an existing file
        compiled = odyc(word, "--compact", cwd=scenes)
        assert compiled.returncode == 0, compiled.stderr
        assert json.loads(compiled.stdout) == CAT_JSON
    unrelated = odyc("banana", cwd=scenes)  # close to no command: a file that is missing
    assert unrelated.returncode == 2
    assert "cannot read 'banana'" in unrelated.stderr


def test_a_missing_image_in_a_scene_on_stdin_is_looked_up_from_the_current_directory(
    scenes: Path,
) -> None:
    scene = 'at 0s: start "a" with image "missing.png"\nat 1s: end\n'
    result = odyc("-", stdin=scene.encode(), cwd=scenes)
    assert result.returncode == 1
    help_line = next(line for line in result.stderr.splitlines() if "help:" in line)
    assert str(scenes) in help_line
    assert "the current directory for a scene read from standard input" in help_line


def test_an_internal_error_message_is_shown_escaped_cut_and_without_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from odyssey_dsl.cli.main import EXIT_INTERNAL, MAX_DETAIL_CHARS, run_guarded

    monkeypatch.setenv("ODYSSEY_API_KEY", "sk-secret-key-123")
    message = "server said \x1b]0;owned\x07\x1b[2J\u202e sk-secret-key-123 " + "x" * 5000

    def failing(argv: list[str]) -> int:
        raise RuntimeError(message + "\nsecond line")

    assert run_guarded(failing, []) == EXIT_INTERNAL
    first, hint = capsys.readouterr().err.splitlines()
    assert first.startswith(
        "odyc: internal error: RuntimeError: server said \\x1b]0;owned\\x07\\x1b[2J\\u202e *** x"
    )
    assert len(first) < MAX_DETAIL_CHARS + 100 and "more characters" in first
    assert "sk-secret" not in first and "second line" not in first
    assert hint.startswith("this is a bug in odyc")


def test_machine_formats_never_print_c1_or_bidi_controls_raw(scenes: Path) -> None:
    """A scene can quote them in a message (E102 shows the unknown escape); JSON writes them
    as `\\uXXXX` escapes (same decoded text), GitHub annotations as visible text."""
    (scenes / "hostile.ody").write_text(
        'at 0s: start "a\\\u202e b\\\x9b c\\\u2028"\nat 1s: end\n', encoding="utf-8"
    )
    raw = ("\u202e", "\x9b", "\u2028")
    for format in ("json", "sarif", "github"):
        result = odyc("check", "--format", format, "hostile.ody", cwd=scenes)
        assert result.returncode == 1
        assert not any(char in result.stdout for char in raw), format
    found = json.loads(odyc("check", "--format", "json", "hostile.ody", cwd=scenes).stdout)
    assert [d["message"] for d in found] == [f"unknown escape `\\{char}`" for char in raw]


def test_deeply_nested_variables_are_usage_errors(scenes: Path) -> None:
    (scenes / "deep.json").write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (scenes / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    cases = [
        (["--vars", "deep.json"], "--vars file 'deep.json' is nested too deeply"),
        (["--vars", "deep.toml"], "--vars file 'deep.toml' is nested too deeply"),
        (["--config", "deep.toml"], "deep.toml: is nested too deeply"),
        (["--var", "x=" + "[" * 5_000 + "]" * 5_000], "the value of 'x' is nested too deeply"),
        (["--var", "x=" + "[" * 101 + "]" * 101], "more than 100 lists inside one another"),
    ]
    for args, message in cases:
        result = odyc("cat.ody", *args, cwd=scenes)
        assert result.returncode == 2, args[0]
        assert message in result.stderr
    nested = "[" * 100 + "]" * 100
    assert odyc("cat.ody", "--var", f"x={nested}", cwd=scenes).returncode == 0


def test_running_out_of_memory_is_said_plainly_not_called_a_bug(scenes: Path) -> None:
    import resource

    # 300,000 entries (the entry limit raised): far more than 150 MB of address space holds.
    scene = "".join(f'at {2 * i}s: start "a"\nat {2 * i + 1}s: end\n' for i in range(150_000))
    (scenes / "big.ody").write_text(scene, encoding="utf-8")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (150 * 1024 * 1024, 150 * 1024 * 1024))

    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "check", "--max-entries", "1000000", "big.ody"],
        cwd=scenes,
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
        timeout=120,
    )
    assert completed.returncode == 1
    assert "out of memory" in completed.stderr
    assert "bug" not in completed.stderr and "Traceback" not in completed.stderr
