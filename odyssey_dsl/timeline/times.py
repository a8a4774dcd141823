"""Resolving `at` and `after` to absolute milliseconds.

Every block has an origin: 0 for the file and each `script` block, and for a loop's
iteration k, the loop's start + k × its period. `at T` is T after the origin; `after D` is D
after the previous timed statement of the block (the origin for the first one). A loop
without a time prefix starts one period after the previous timed statement (or the origin),
and an action without one inside a loop body happens at the iteration's origin.
"""

from __future__ import annotations

from odyssey_dsl.syntax import nodes as n


def prefixed_time(prefix: n.TimePrefix, amount_ms: int, origin: int, last: int | None) -> int:
    """The time `at AMOUNT` or `after AMOUNT` stands for in a block."""
    if isinstance(prefix, n.At):
        return origin + amount_ms
    return (origin if last is None else last) + amount_ms


def unprefixed_loop_start(every_ms: int, origin: int, last: int | None) -> int:
    """Where a loop without `at`/`after` starts: one period after the previous timed
    statement of its block, or after the block's origin."""
    return (origin if last is None else last) + every_ms
