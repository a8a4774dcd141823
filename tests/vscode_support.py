"""Running the VS Code extension's npm tools (editors/vscode) from the tests and scripts.

The extension's npm dependencies are installed with `npm ci` from its committed lock file into
`editors/vscode/node_modules`, and reused until `package.json` or `package-lock.json` changes
(npm's own `node_modules/.package-lock.json` is the stamp; `make vscode-deps` uses the same one).
Parallel test workers take turns through a lock file: one installs, the others find it done.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXTENSION = REPO / "editors" / "vscode"
EXAMPLES = REPO / "examples"
SNAPSHOTS = EXTENSION / "test" / "snapshots"
INSTALLED = EXTENSION / "node_modules" / ".package-lock.json"
INSTALL_LOCK = REPO / ".cache" / "vscode-npm.lock"
NPM_CI_TIMEOUT_S = 600


class NodeMissingError(RuntimeError):
    """node or npm is not installed."""


class InstallError(RuntimeError):
    """`npm ci` failed."""


def node_and_npm() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeMissingError("node and npm are needed to build and test the VS Code extension")
    return node, npm


def is_installed() -> bool:
    """True when node_modules was installed after the last change of the package files."""
    if not INSTALLED.is_file():
        return False
    stamp = INSTALLED.stat().st_mtime
    sources = (EXTENSION / "package.json", EXTENSION / "package-lock.json")
    return all(stamp >= source.stat().st_mtime for source in sources)


def install_dependencies() -> None:
    """`npm ci` in editors/vscode, unless node_modules is already up to date."""
    _, npm = node_and_npm()
    INSTALL_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with INSTALL_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_installed():
            return
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=EXTENSION,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise InstallError(f"`npm ci` failed in {EXTENSION}:\n{done.stdout}\n{done.stderr}")
        INSTALLED.touch()


def tool(name: str) -> Path:
    """An executable that npm installed (node_modules/.bin)."""
    return EXTENSION / "node_modules" / ".bin" / name


def example_scenes() -> list[Path]:
    return sorted(EXAMPLES.glob("*.ody"))


def snapshot_of(scene: Path) -> Path:
    return SNAPSHOTS / f"{scene.name}.snap"


def stage_snapshots(folder: Path) -> list[Path]:
    """Copies every example scene, with its committed snapshot if any, into `folder`.

    vscode-tmgrammar-snap compares `NAME.ody` with `NAME.ody.snap` beside it; staging keeps
    the snapshots out of `examples/`.
    """
    staged = []
    for scene in example_scenes():
        staged.append(Path(shutil.copy(scene, folder / scene.name)))
        if snapshot_of(scene).is_file():
            shutil.copy(snapshot_of(scene), folder / snapshot_of(scene).name)
    return staged


def run_snapshots(folder: Path, *, update: bool = False) -> subprocess.CompletedProcess[str]:
    """vscode-tmgrammar-snap over the `.ody` files of `folder`, with the extension's grammar."""
    node, _ = node_and_npm()
    options = ["--updateSnapshot"] if update else []
    return subprocess.run(
        [node, str(tool("vscode-tmgrammar-snap")), *options, str(folder / "*.ody")],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
