"""Regenerate the grammar snapshots of the VS Code extension (editors/vscode/test/snapshots).

Each scene in `examples/` has a snapshot of the scopes the TextMate grammar gives its tokens,
made by vscode-tmgrammar-snap; the tests compare the grammar against them. Run this after an
intended grammar change or a new example, then review `git diff editors/vscode/test/snapshots`
by hand before committing. Needs node and npm (installs the extension's dependencies first).

    python tests/update_vscode_snapshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vscode_support import (
    SNAPSHOTS,
    example_scenes,
    install_dependencies,
    run_snapshots,
    snapshot_of,
    stage_snapshots,
)


def main() -> int:
    install_dependencies()
    with tempfile.TemporaryDirectory() as folder:
        staged = stage_snapshots(Path(folder))
        done = run_snapshots(Path(folder), update=True)
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="\n")
            return 1
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        for scene in staged:
            fresh = scene.with_name(f"{scene.name}.snap").read_text(encoding="utf-8")
            target = SNAPSHOTS / f"{scene.name}.snap"
            if not target.is_file() or target.read_text(encoding="utf-8") != fresh:
                target.write_text(fresh, encoding="utf-8", newline="\n")
                print(f"{target.relative_to(SNAPSHOTS.parents[3])}: rewritten")
    kept = {snapshot_of(scene) for scene in example_scenes()}
    for stale in sorted(set(SNAPSHOTS.glob("*.snap")) - kept):
        stale.unlink()
        print(f"{stale.name}: removed (its example is gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
