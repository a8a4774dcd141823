"""Benchmark of the formatter on 2,000-line scenes, as ratios measured in one run.

    python bench/bench_fmt.py

For each shape of `bench/scenes.py` (about 2,000 lines), written with a 2-space indentation
and careless spacing so that formatting changes most lines:

1. parse: `odyssey_dsl.syntax.parse` (the floor: the formatter starts from this tree);
2. print: parse and print in the canonical style, without the safety check;
3. format: `format_source`, its safety check included (parse the result, print it again,
   compare the statements and comments): what the language server calls;
4. +compiled: `format_source(check_compiled=True)`, which also compiles both texts and
   compares the JSON: what `odyc fmt` does for each file;
5. formatted: `format_source` of a scene that is already formatted (nothing to check).

Each is timed cold (the memo of parsed lines cleared first, as for a file opened for the
first time) and warm (the lines seen before, as in an editor), minimum of 5 runs; printed in
milliseconds and as a ratio to parse. Target: format (3) of a 2,000-line scene well under
100 ms. Nothing is timed before it is proven right: the formatted scene must compile to the
JSON the generator computed, and formatting it again must change nothing.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scenes import SHAPES, scene_of_about
from odyssey_dsl import compile_source
from odyssey_dsl.emit.json_text import json_text
from odyssey_dsl.fmt import (
    FormatSettings,
    format_source,
    printer,
)
from odyssey_dsl.fmt.printer import print_tree
from odyssey_dsl.syntax import parse
from odyssey_dsl.syntax.line import read_line

LINES = 2_000
RUNS = 5


def careless(lines: list[str]) -> str:
    """The scene with its indentation halved and its spacing made careless."""
    out = []
    in_prompt = False  # inside a triple-quoted prompt, whose text must not change
    for line in lines:
        blanks = len(line) - len(line.lstrip(" "))
        body = line[blanks:]
        head, quote, tail = body.partition('"')
        if not in_prompt and not head.startswith("#"):
            body = re.sub(r":\s", ":   ", head, count=1) + quote + tail
        out.append(" " * (blanks // 2) + body + "  ")
        in_prompt ^= line.count('"""') % 2 == 1
    return "\n".join(out) + "\n"


def best(action: Callable[[], object], *, cold: bool) -> float:
    """Minimum time of `action` in milliseconds."""
    times = []
    for _ in range(RUNS):
        if cold:
            read_line.cache_clear()
            printer._print_line.cache_clear()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> int:
    settings = FormatSettings()
    print(
        f"{'shape':<24}{'':>6}{'parse':>10}"
        + "".join(f"{name:>16}" for name in ("print", "format", "+compiled", "formatted"))
    )
    for shape in SHAPES:
        generated = scene_of_about(shape, LINES)
        text = careless(generated.lines)
        formatted = format_source(text)
        assert format_source(formatted) == formatted, "formatting is not stable"
        for version in (text, formatted):
            result = compile_source(version)
            assert result.compiled is not None, shape
            compiled = json.loads(json_text(result.compiled))
            assert compiled == generated.expected(), f"{shape}: not the generator's JSON"
        lines = text.count("\n")
        for cold in (True, False):
            floor = best(functools.partial(parse, text), cold=cold)
            printed = best(lambda t=text: print_tree(parse(t), settings), cold=cold)
            checked = best(functools.partial(format_source, text), cold=cold)
            compiled = best(functools.partial(format_source, text, check_compiled=True), cold=cold)
            same = best(functools.partial(format_source, formatted), cold=cold)
            label = f"{shape} ({lines} lines)" if cold else ""
            figures = [
                f"{ms:6.1f} ms x{ms / floor:4.1f}" for ms in (printed, checked, compiled, same)
            ]
            print(
                f"{label:<24}{'cold' if cold else 'warm':>6}{floor:7.1f} ms"
                + "".join(f"{figure:>16}" for figure in figures)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
