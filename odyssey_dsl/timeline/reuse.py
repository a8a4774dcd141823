"""Loops that an earlier compile expanded, given again instead of being unrolled anew.

Re-checking a scene after an edit (an editor does so on every keystroke) expands it again,
and most of its loops are exactly as they were, if perhaps on other lines and at other
times. What an outermost loop (one that no loop encloses) makes is a function of:

- its text, from the start of its header's line to the end of its body: the same text reads
  as the same nodes, moved by as many lines and characters as the text moved;
- every name visible where it stands, with its value (`keys.value_key`: equal keys behave
  the same), and the scene's `--var` values and broken names, and whether it is a batch;
- the time it starts: every entry's time is that start plus what the loop itself says.

The first two make the key. Given again, a loop's entries are moved to where its text now
stands (each entry then points at this compile's statements and loops, never at an earlier
tree's) and to its new start.
A loop is kept only when its expansion reported nothing and read no image file (a file can
change between compiles); it is given again only when the entry and iteration limits leave
room for it (otherwise it is unrolled, and the limit reported as usual). What is kept is
bounded (`MAX_KEPT_WEIGHT`: entries, loops and their texts), the least recently used loops
forgotten first. `tests/test_reuse.py` holds a compile that reuses loops to one that does
not, for random edits of random scenes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from odyssey_dsl.semantics.templates import environment
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline.entries import Iteration, TimelineEntry
from odyssey_dsl.timeline.keys import value_key
from odyssey_dsl.timeline.limits import MAX_ITERATIONS, EntryBudget

MAX_KEPT_WEIGHT = 1 << 16
"""What is kept for later compiles at most: 65,536 entries, or fewer with the loops' texts
(see `_weight`; about 16 MB)."""


class Expanded(NamedTuple):
    """What unrolling a loop made."""

    loop: n.Repeat | n.ForLoop
    """The loop as it was read then (its entries point into that tree)."""
    start: int
    entries: tuple[TimelineEntry, ...]
    end: int
    """The time a following `after` counts from."""
    complete: bool
    iterations: int
    """The iterations it took from the budget, its inner loops' included."""


_kept: OrderedDict[tuple[object, ...], Expanded] = OrderedDict()
_kept_weight = 0
_lock = threading.Lock()


def forget() -> None:
    """Forget every kept loop (for tests and measurements)."""
    global _kept_weight
    with _lock:
        _kept.clear()
        _kept_weight = 0


def kept() -> tuple[int, int]:
    """(loops kept, their weight) (for tests and measurements)."""
    with _lock:
        return len(_kept), _kept_weight


def scene_key(
    overrides: Mapping[str, object], broken_names: frozenset[str], batch: bool
) -> tuple[object, ...] | None:
    """The part of a loop's key that a whole scene shares; None when it has none."""
    values: list[tuple[str, object]] = []
    for name, value in sorted(overrides.items()):
        found = value_key(value)
        if found is None:
            return None
        values.append((name, found))
    return (tuple(values), broken_names, batch)


def loop_key(
    loop: n.Repeat | n.ForLoop,
    text: str,
    visible: Mapping[str, object],
    scene: tuple[object, ...],
) -> tuple[object, ...] | None:
    """The key of an outermost loop of the file `text` (see the module docstring); None when
    it has none."""
    if not loop.body or _reads_images(loop.body):
        return None
    globals_ = environment().globals
    names: list[tuple[str, object]] = []
    for name, value in sorted(visible.items()):
        if globals_.get(name, _ABSENT) is value:
            names.append((name, None))  # Jinja2's own: the same object in every compile
            continue
        found = value_key(value)
        if found is None:
            return None
        names.append((name, found))
    first = text.rfind("\n", 0, loop.span.start_offset) + 1
    return (text[first : _last_statement(loop).span.end_offset], tuple(names), scene)


def given_again(
    key: tuple[object, ...],
    loop: n.Repeat | n.ForLoop,
    start: int,
    budget: EntryBudget,
    out: list[TimelineEntry],
) -> tuple[int, bool] | None:
    """The loop kept under `key`, made again by `loop` starting at `start`: its entries
    appended to `out` and taken from the budget; returns its end and whether it is
    complete. None when none is kept or the limits leave no room for it."""
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
    if found is None:
        return None
    entries = len(found.entries)
    if (
        budget.entries + entries > budget.max_entries
        or budget.iterations + found.iterations > MAX_ITERATIONS
    ):
        return None
    budget.entries += entries
    budget.iterations += found.iterations
    shift = start - found.start
    if shift == 0 and found.loop is loop:
        out.extend(found.entries)  # the same tree, at the same time
    else:
        out.extend(_moved(found, loop, shift))
    return found.end + shift, found.complete


def _moved(found: Expanded, loop: n.Repeat | n.ForLoop, shift: int) -> Iterator[TimelineEntry]:
    """The entries of `found`, made by `loop` (the same text elsewhere), `shift` ms later."""
    statements: dict[int, n.Statement] = {}
    _pair(found.loop, loop, statements)
    iterations: dict[int, Iteration] = {}

    def moved(step: Iteration | None) -> Iteration | None:
        if step is None:
            return None
        new = iterations.get(id(step))
        if new is None:
            outer = moved(step.outer)
            new = iterations[id(step)] = Iteration(
                statements[id(step.loop)],  # type: ignore[arg-type]
                step.index0,
                outer,
                step.origin_ms + shift,
                step.total,
            )
        return new

    make = tuple.__new__  # as `TimelineEntry(...)`, without its Python-level `__new__`
    for time, kind, prompt, image, statement, step in found.entries:
        fields = (time + shift, kind, prompt, image, statements[id(statement)], moved(step))
        yield make(TimelineEntry, fields)


def _pair(old: n.Statement, new: n.Statement, pairs: dict[int, n.Statement]) -> None:
    """Map each statement of `old`'s tree to the one at its place in `new`'s (the same text)."""
    pairs[id(old)] = new
    if isinstance(old, n.Repeat | n.ForLoop | n.ScriptBlock):
        assert isinstance(new, n.Repeat | n.ForLoop | n.ScriptBlock)
        for old_statement, new_statement in zip(old.body, new.body, strict=True):
            _pair(old_statement, new_statement, pairs)


def _last_statement(statement: n.Statement) -> n.Statement:
    """The statement that ends a block's text (the innermost last one)."""
    while isinstance(statement, n.Repeat | n.ForLoop | n.ScriptBlock) and statement.body:
        statement = statement.body[-1]
    return statement


def keep(key: tuple[object, ...], expanded: Expanded) -> None:
    """Keep a loop's expansion for later compiles (see the module docstring)."""
    global _kept_weight
    weight = _weight(key, expanded)
    if weight > MAX_KEPT_WEIGHT:
        return
    with _lock:
        previous = _kept.pop(key, None)
        if previous is not None:
            _kept_weight -= _weight(key, previous)
        while _kept and _kept_weight + weight > MAX_KEPT_WEIGHT:
            oldest_key, oldest = _kept.popitem(last=False)
            _kept_weight -= _weight(oldest_key, oldest)
        _kept[key] = expanded
        _kept_weight += weight


def _weight(key: tuple[object, ...], expanded: Expanded) -> int:
    """What a kept loop counts against `MAX_KEPT_WEIGHT`: one, plus its entries, plus one
    for every 256 characters of its text (a loop of no entries is not free to keep)."""
    text = key[0]
    assert isinstance(text, str)
    return 1 + len(expanded.entries) + len(text) // 256


def _reads_images(statements: tuple[n.Statement, ...]) -> bool:
    for statement in statements:
        if isinstance(statement, n.ActionStmt):
            action = statement.action
            if isinstance(action, n.Start) and action.image is not None:
                return True
        elif isinstance(statement, n.Repeat | n.ForLoop) and _reads_images(statement.body):
            return True
    return False


_ABSENT = object()
