"""Where odyc's outputs go, and what happens when they cannot be written completely.

`-o PATH` onto something that is not a regular file (a device, a FIFO, a socket) writes into
it instead of renaming a file over it; a full device, a file-size limit (`ulimit -f`) or an
unwritable download folder is a clear error with exit code 2, never a truncated output with
exit code 0. Devices are never the machine's own: each test makes its own device nodes (with
`mknod`, as root) in a temporary folder, so a bug can only replace a copy.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_support import SMALL_SCENE, file_size_limit, odyc_env, run_odyc, run_odyc_to
from test_cli_jobs import finish_directly, submit_directly

from odyssey_dsl.emulator import RunningEmulator

NULL_DEVICE = (1, 3)
FULL_DEVICE = (1, 7)
"""(major, minor) of Linux's memory devices: writes to `full` fail with ENOSPC."""

BIG_SCENE = (
    'at 0s: start "a"\nrepeat 3000 every 1s:\n  interact "step {{ loop.index }}"\nafter 1s: end\n'
)
"""Its JSON is about 200 kB, more than a 64 kB file-size limit lets through."""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "cat.ody").write_text(SMALL_SCENE)
    (tmp_path / "big.ody").write_text(BIG_SCENE)
    return tmp_path


def make_device(path: Path, device: tuple[int, int]) -> Path:
    """A character device node at `path` (a copy of /dev/null or /dev/full); skips the
    test where device nodes cannot be made (not root, or a `nodev` temporary folder)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*device))
        os.close(os.open(path, os.O_WRONLY))
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device node here: {error}")
    return path


def compiled(workdir: Path, scene: str = "cat.ody") -> str:
    result = run_odyc([scene], odyc_env(None, workdir / "state"), cwd=workdir)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_is_character_device(path: Path) -> None:
    assert stat.S_ISCHR(os.lstat(path).st_mode), f"{path} was replaced by a regular file"


@pytest.fixture(autouse=True)
def the_real_devices_stay_devices() -> Iterator[None]:
    yield
    for name in ("/dev/null", "/dev/full"):
        if os.path.lexists(name):
            assert stat.S_ISCHR(os.lstat(name).st_mode), f"{name} is no longer a device"
    if os.path.lexists("/dev/stdout"):
        assert os.path.islink("/dev/stdout"), "/dev/stdout is no longer a link"


# --- -o onto something that is not a regular file ------------------------------------------


def test_output_to_a_null_device_writes_into_it(workdir: Path) -> None:
    null = make_device(workdir / "null", NULL_DEVICE)
    (workdir / "link").symlink_to(null)
    env = odyc_env(None, workdir / "state")
    for target in ("null", "link"):
        result = run_odyc(["cat.ody", "-o", target], env, cwd=workdir)
        assert result.returncode == 0, result.stderr
        assert_is_character_device(null)
    assert (workdir / "link").is_symlink()
    assert not [p.name for p in workdir.iterdir() if p.name.endswith(".tmp")]


def test_output_to_a_full_device_is_a_clear_error(workdir: Path) -> None:
    full = make_device(workdir / "full", FULL_DEVICE)
    result = run_odyc(["cat.ody", "-o", "full"], odyc_env(None, workdir / "state"), cwd=workdir)
    assert result.returncode == 2
    assert result.stderr == "odyc: error: cannot write 'full': No space left on device\n"
    assert_is_character_device(full)


def compile_into(workdir: Path, target: str, read: Callable[[], bytes]) -> bytes:
    """Run `odyc cat.ody -o TARGET` while `read()` takes what arrives in another thread;
    returns what it read, after checking that odyc succeeded."""
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read()), daemon=True)
    reader.start()
    result = run_odyc(["cat.ody", "-o", target], odyc_env(None, workdir / "state"), cwd=workdir)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert len(received) == 1, "the reader got nothing"
    return received[0]


def test_output_to_a_fifo_feeds_its_reader(workdir: Path) -> None:
    fifo = workdir / "pipe"
    os.mkfifo(fifo)
    received = compile_into(workdir, "pipe", lambda: fifo.read_bytes())
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received == compiled(workdir).encode()


def test_output_to_a_unix_socket_sends_to_its_listener(workdir: Path) -> None:
    path = workdir / "sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)

        def receive() -> bytes:
            connection, _ = server.accept()
            with connection, connection.makefile("rb") as stream:
                return stream.read()

        received = compile_into(workdir, "sock", receive)
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert received == compiled(workdir).encode()


def test_output_to_dev_stdout_reaches_stdout(workdir: Path) -> None:
    env = odyc_env(None, workdir / "state")
    piped = run_odyc(["cat.ody", "-o", "/dev/stdout"], env, cwd=workdir)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == compiled(workdir)

    into_file = workdir / "stdout.json"
    into_file.touch()
    code, stderr = run_odyc_to(["cat.ody", "-o", "/dev/stdout"], env, into_file, cwd=workdir)
    assert code == 0, stderr
    assert into_file.read_text() == compiled(workdir)


# --- full disks and file-size limits: exit 2, never a silent truncation ----------------------


def test_stdout_on_a_full_device_is_a_clear_error(workdir: Path) -> None:
    full = make_device(workdir / "full", FULL_DEVICE)
    env = odyc_env(None, workdir / "state")
    code, stderr = run_odyc_to(["cat.ody"], env, full, cwd=workdir)
    assert code == 2
    assert stderr == "odyc: error: cannot write to standard output: No space left on device\n"
    code, stderr = run_odyc_to(["check", "cat.ody", "--format", "json"], env, full, cwd=workdir)
    assert code == 2 and "No space left on device" in stderr
    assert_is_character_device(full)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        *([command, "--help"] for command in ("check", "fmt", "lsp", "rule", "schema", "emulator")),
        ["jobs", "list", "--help"],
        ["recordings", "--help"],
    ],
)
def test_help_and_version_on_a_full_device_are_a_clear_error(
    workdir: Path, args: list[str]
) -> None:
    full = make_device(workdir / "full", FULL_DEVICE)
    code, stderr = run_odyc_to(args, odyc_env(None, workdir / "state"), full, cwd=workdir)
    assert code == 2
    assert stderr == "odyc: error: cannot write to standard output: No space left on device\n"


def compile_big_scene_to_stdout(workdir: Path, limit: int) -> tuple[int, str, Path]:
    """`odyc big.ody > out.json` under `ulimit -f` of `limit` bytes: (exit code, stderr, out)."""
    out = workdir / "out.json"
    out.touch()
    env = odyc_env(None, workdir / "state")
    preexec_fn = file_size_limit(limit)
    code, stderr = run_odyc_to(["big.ody"], env, out, cwd=workdir, preexec_fn=preexec_fn)
    return code, stderr, out


def test_stdout_under_a_file_size_limit_fails_instead_of_stopping_part_way(
    workdir: Path,
) -> None:
    code, stderr, out = compile_big_scene_to_stdout(workdir, 64 * 1024)
    assert out.stat().st_size == 64 * 1024  # what the limit let through
    assert code == 2
    assert stderr == "odyc: error: cannot write to standard output: File too large\n"


def test_output_file_under_a_file_size_limit_is_not_replaced(workdir: Path) -> None:
    target = workdir / "out.json"
    target.write_text("previous\n")
    code, stderr = run_odyc_to(
        ["big.ody", "-o", "out.json"],
        odyc_env(None, workdir / "state"),
        workdir / "cat.ody",  # stdout is not used; any file opened for writing does
        cwd=workdir,
        preexec_fn=file_size_limit(64 * 1024),
    )
    assert code == 2
    assert stderr == "odyc: error: cannot write 'out.json': File too large\n"
    assert target.read_text() == "previous\n"
    assert not [p.name for p in workdir.iterdir() if p.name.endswith(".tmp")]


def test_a_download_cut_by_a_file_size_limit_is_an_error_not_a_file(
    emulator: RunningEmulator, workdir: Path
) -> None:
    (job_id,) = submit_directly(emulator)
    finish_directly(emulator, job_id)
    out = workdir / "out"
    log = workdir / "stdout.txt"
    log.touch()
    limit = emulator.config.video_bytes // 2
    code, stderr = run_odyc_to(
        ["jobs", "wait", job_id, "--download", str(out)],
        odyc_env(emulator.url, workdir / "state"),
        log,
        preexec_fn=file_size_limit(limit),
    )
    assert code == 2, stderr
    assert f"job {job_id} completed, but its recordings could not be saved in '{out}'" in stderr
    assert "File too large" in stderr
    assert not list(out.glob("*.video.mp4"))  # only a .part, to be continued later
    assert [p.stat().st_size for p in out.glob("*.part")] == [limit]


def test_json_output_is_complete_when_it_succeeds(workdir: Path) -> None:
    """The counterpart of the failures above: a limit the output fits in changes nothing."""
    code, stderr, out = compile_big_scene_to_stdout(workdir, 1024 * 1024)
    assert code == 0, stderr
    assert len(json.loads(out.read_text())) == 3002


LONG_SCENE = (
    'at 0s: start "a"\nrepeat 6000 every 1s:\n'
    '  interact "step {{ loop.index }}: ' + "the lamps of the harbour flicker " * 5 + '猫"\n'
    "after 1s: end\n"
)
"""Its JSON is about 1.6 MB: written in several chunks (`emit.json_text.json_chunks`)."""


def test_a_long_json_written_in_chunks_is_whole_on_stdout_and_in_a_file(
    workdir: Path,
) -> None:
    from odyssey_dsl import compile_source
    from odyssey_dsl.emit.json_text import json_text

    (workdir / "long.ody").write_text(LONG_SCENE, encoding="utf-8")
    compiled = compile_source(LONG_SCENE).compiled
    assert compiled is not None
    expected = json_text(compiled)
    assert len(expected) > 1 << 20  # more than one chunk
    env = odyc_env(None, workdir / "state")
    printed = run_odyc(["long.ody"], env, cwd=workdir)
    assert printed.returncode == 0
    assert printed.stdout == expected
    written = run_odyc(["long.ody", "-o", "out.json"], env, cwd=workdir)
    assert written.returncode == 0
    assert (workdir / "out.json").read_text(encoding="utf-8") == expected


def test_a_long_json_cut_part_way_by_a_file_size_limit_replaces_nothing(workdir: Path) -> None:
    (workdir / "long.ody").write_text(LONG_SCENE, encoding="utf-8")
    target = workdir / "out.json"
    target.write_text("previous\n")
    code, stderr = run_odyc_to(
        ["long.ody", "-o", "out.json"],
        odyc_env(None, workdir / "state"),
        workdir / "cat.ody",
        cwd=workdir,
        preexec_fn=file_size_limit(1200 * 1024),  # past the first chunk, short of the end
    )
    assert code == 2
    assert stderr == "odyc: error: cannot write 'out.json': File too large\n"
    assert target.read_text() == "previous\n"
    assert not [p.name for p in workdir.iterdir() if p.name.endswith(".tmp")]
