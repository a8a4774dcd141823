"""The child processes of `bench_compile.py` (run as `python bench/workers.py COMMAND ...`).

Every measurement that loads odyc or a large scene runs in a child, so that the benchmark's
own process stays small: on Linux a child's peak RSS starts from its parent's at the
moment it is spawned.

    generate OUT                  write the scenes, their expected JSON and the edited versions
    compile SCENE OUT MAX         `odyc SCENE -o OUT --max-entries MAX`, in-process timed
    floor JSON FORM               json.loads + pydantic validation of JSON, in-process timed
    same JSON EXPECTED            compare two JSON files by value; print the first difference
    recheck VERSIONS              check each version after the previous one, timed
    diagnostics VERSIONS INDEX    check one version in this fresh process
    profile SCENE OUT MAX         cProfile one compile
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARK = "BENCH "
"""Prefix of the line a worker prints its result on (odyc may print before it)."""

SIZES = (10_000, 100_000)
RECHECK_LINES = 2_000


def report(value: object) -> None:
    print(MARK + json.dumps(value), flush=True)


def scene_path(out: Path, shape: str, entries: int) -> Path:
    return out / f"{shape}-{entries}.ody"


def expected_path(out: Path, shape: str, entries: int) -> Path:
    return out / f"{shape}-{entries}.expected.json"


def versions_path(out: Path, shape: str) -> Path:
    return out / f"{shape}-recheck.json"


def generate(out: Path) -> None:
    from bench.scenes import SHAPES, edited_versions, scene, scene_of_about

    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {}
    for shape in SHAPES:
        info: dict[str, Any] = {}
        for entries in SIZES:
            generated = scene(shape, entries)
            assert generated.entry_count == entries, (shape, entries, generated.entry_count)
            scene_path(out, shape, entries).write_text(generated.text, encoding="utf-8")
            expected = generated.expected_json().encode("utf-8")
            expected_path(out, shape, entries).write_bytes(expected)
            info[str(entries)] = {
                "lines": len(generated.lines),
                "sha256": hashlib.sha256(expected).hexdigest(),
                "batch": generated.batch,
            }
        base = scene_of_about(shape, RECHECK_LINES)
        versions = [("the scene as generated", base.text), *edited_versions(base)]
        versions_path(out, shape).write_text(json.dumps(versions), encoding="utf-8")
        info["recheck_lines"] = len(base.lines)
        summary[shape] = info
    report(summary)


def compile_scene(scene: str, output: str, max_entries: str) -> None:
    """What the `odyc` script does, plus a small scene first, so that the one-time set-up
    (lazy imports, the grammar, the models) is timed apart from the compile itself."""
    began = time.perf_counter()
    from odyssey_dsl.cli.main import main

    main([str(ROOT / "examples" / "cat_window.ody"), "-o", output])
    ready = time.perf_counter()
    code = main([scene, "-o", output, "--max-entries", max_entries])
    done = time.perf_counter()
    report({"code": code, "setup": ready - began, "compile": done - ready})


def floor(output: str, form: str) -> None:
    """The floor: the same JSON read, parsed with `json.loads` and validated with the output
    models (`batch`: an array of scripts), the compile's counterpart."""
    began = time.perf_counter()
    from pydantic import TypeAdapter

    from odyssey_dsl.emit.models import ScriptEntry

    adapter: TypeAdapter[Any] = TypeAdapter(
        list[list[ScriptEntry]] if form == "batch" else list[ScriptEntry]
    )
    imported = time.perf_counter()
    adapter.validate_python(json.loads(Path(output).read_text(encoding="utf-8")))
    done = time.perf_counter()
    report({"setup": imported - began, "compile": done - imported})


def same(output: str, expected: str) -> None:
    got = json.loads(Path(output).read_text(encoding="utf-8"))
    want = json.loads(Path(expected).read_text(encoding="utf-8"))
    if got == want:
        report({"same": True, "difference": None})
        return
    flat_got = [e for s in got for e in s] if got and isinstance(got[0], list) else got
    flat_want = [e for s in want for e in s] if want and isinstance(want[0], list) else want
    for index, (a, b) in enumerate(zip(flat_got, flat_want, strict=False)):
        if a != b:
            report({"same": False, "difference": f"entry {index}: got {a}, expected {b}"})
            return
    report({"same": False, "difference": f"{len(flat_got)} entries, expected {len(flat_want)}"})


def _diagnostics(result: Any) -> list[list[object]]:
    return [[d.code.code, d.span.line, d.span.column, d.message] for d in result.diagnostics]


def recheck(versions_file: str) -> None:
    """Check each version in this one process; time all but the first (already warm)."""
    from odyssey_dsl import compile_source

    versions = json.loads(Path(versions_file).read_text(encoding="utf-8"))
    results = []
    for index, (description, text) in enumerate(versions):
        began = time.perf_counter()
        result = compile_source(text, filename="scene.ody", emit_job=False)
        elapsed = time.perf_counter() - began
        results.append(
            {
                "edit": description,
                "seconds": elapsed if index else None,
                "diagnostics": _diagnostics(result),
            }
        )
    report(results)


def diagnostics(versions_file: str, index: str) -> None:
    """One version, checked cold: the reference for the warm re-check."""
    from odyssey_dsl import compile_source

    _, text = json.loads(Path(versions_file).read_text(encoding="utf-8"))[int(index)]
    report(_diagnostics(compile_source(text, filename="scene.ody", emit_job=False)))


def profile(scene: str, output: str, max_entries: str) -> None:
    import cProfile
    import pstats

    from odyssey_dsl.cli.main import main

    profiler = cProfile.Profile()
    profiler.enable()
    main([scene, "-o", output, "--max-entries", max_entries])
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print(f"\nHot spots compiling {Path(scene).name} (by own time):")
    stats.sort_stats("tottime").print_stats(20)
    print("By cumulative time:")
    stats.sort_stats("cumulative").print_stats(20)


COMMANDS = {
    "generate": lambda args: generate(Path(args[0])),
    "compile": lambda args: compile_scene(*args),
    "floor": lambda args: floor(*args),
    "same": lambda args: same(*args),
    "recheck": lambda args: recheck(*args),
    "diagnostics": lambda args: diagnostics(*args),
    "profile": lambda args: profile(*args),
}


if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2:])
