"""Regenerate the expected JSON of every scene in `examples/` (`NAME.ody` -> `NAME.json`).

Run it after an intended change to the compiler's output, then review `git diff examples/`
by hand before committing: the goldens are what the tests hold the compiler to.

    python tests/update_goldens.py          # rewrite the goldens that changed
    python tests/update_goldens.py --check  # only report which ones differ (exit 1 if any)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from odyssey_dsl import compile_file  # noqa: E402
from odyssey_dsl.emit.json_text import json_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = parser.parse_args()
    differing = 0
    for scene in sorted((ROOT / "examples").glob("*.ody")):
        result = compile_file(scene)
        if result.compiled is None or result.diagnostics:
            for diagnostic in result.diagnostics:
                span = diagnostic.span
                print(
                    f"{scene.name}:{span.line}:{span.column}: {diagnostic.code.code} "
                    f"{diagnostic.message}"
                )
            print(f"{scene.name}: does not compile cleanly; golden left as it is")
            differing += 1
            continue
        text = json_text(result.compiled)
        target = scene.with_suffix(".json")
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old == text:
            continue
        differing += 1
        print(f"{target.name}: {'differs' if args.check else 'rewritten'}")
        if not args.check:
            target.write_text(text, encoding="utf-8", newline="\n")
    return 1 if differing and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
