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
tree's) and to its new start. The first time a kept loop is moved, its entries are laid
out as columns of indexes (`_Plan`), so that moving them again is a few passes in C.
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
from functools import partial
from typing import NamedTuple

from odyssey_dsl.semantics.templates import environment
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline.entries import ActionKind, Iteration, TimelineEntry
from odyssey_dsl.timeline.keys import value_key
from odyssey_dsl.timeline.limits import MAX_ITERATIONS, EntryBudget

MAX_KEPT_WEIGHT = 1 << 16
"""What is kept for later compiles at most: 65,536 entries, or fewer with the loops' texts
(see `_weight`; about 16 MB, and 3 MB more for their `_Plan`s)."""


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
    plan: _Plan | None = None
    """How to make the entries again elsewhere (`_plan`), once they are first moved."""


class _Level(NamedTuple):
    """The iterations of one level of nesting of a kept loop, as columns of their fields."""

    loops: tuple[int, ...]
    """The loop of each, as an index in the loop's statements in order (`_in_order`)."""
    index0s: tuple[int, ...]
    outers: tuple[int, ...]
    """The outer iteration of each, as 1 + its index among all levels' (0 for none)."""
    origins: tuple[int, ...]
    totals: tuple[int, ...]


class _Plan(NamedTuple):
    """A kept loop's entries as columns, with statements and iterations as indexes (as in
    `_Level`), so that moving them (`_moved`) is a few passes in C rather than Python code
    per entry."""

    times: tuple[int, ...]
    kinds: tuple[ActionKind, ...]
    prompts: tuple[str | None, ...]
    images: tuple[str | None, ...]
    statements: tuple[int, ...]
    steps: tuple[int, ...]
    levels: tuple[_Level, ...]
    """The iterations, one level of nesting after another, outermost first."""


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
        plan = found.plan
        if plan is None:
            plan = _plan(found)
            with _lock:
                if _kept.get(key) is found:
                    _kept[key] = found._replace(plan=plan)
        out.extend(_moved(plan, loop, shift))
    return found.end + shift, found.complete


_make_entry = partial(tuple.__new__, TimelineEntry)
"""`TimelineEntry(*fields)` from a tuple of fields, without its Python-level `__new__`."""
_make_iteration = partial(tuple.__new__, Iteration)


def _moved(plan: _Plan, loop: n.Repeat | n.ForLoop, shift: int) -> Iterator[TimelineEntry]:
    """The entries of `plan`, made by `loop` (the same text elsewhere), `shift` ms later."""
    statements = _in_order(loop, [])
    steps: list[Iteration | None] = [None]
    later = partial(int.__add__, shift)
    for level in plan.levels:
        fields = zip(
            map(statements.__getitem__, level.loops),
            level.index0s,
            map(steps.__getitem__, level.outers),
            map(later, level.origins),
            level.totals,
            strict=True,
        )
        steps += map(_make_iteration, fields)
    fields = zip(
        map(later, plan.times),
        plan.kinds,
        plan.prompts,
        plan.images,
        map(statements.__getitem__, plan.statements),
        map(steps.__getitem__, plan.steps),
        strict=True,
    )
    return map(_make_entry, fields)


def _plan(found: Expanded) -> _Plan:
    """`found`'s entries as a `_Plan` (see there)."""
    statements = _in_order(found.loop, [])
    index = dict(zip(map(id, statements), range(len(statements)), strict=True))
    columns = tuple(zip(*found.entries, strict=True)) or ((),) * len(TimelineEntry._fields)
    times, kinds, prompts, images, entry_statements, entry_steps = columns
    levels: list[list[Iteration]] = []
    level_of: dict[int, int] = {}

    def place(step: Iteration) -> int:
        level = level_of.get(id(step))
        if level is None:
            outer = step.outer
            level = level_of[id(step)] = 0 if outer is None else place(outer) + 1
            if level == len(levels):
                levels.append([])
            levels[level].append(step)
        return level

    for step in dict(zip(map(id, entry_steps), entry_steps, strict=True)).values():
        if step is not None:
            place(step)
    ordered = [step for level in levels for step in level]
    number = dict(zip(map(id, ordered), range(1, len(ordered) + 1), strict=True))
    number[id(None)] = 0
    planned: list[_Level] = []
    for level in levels:
        loops, index0s, outers, origins, totals = zip(*level, strict=True)
        loop_indexes = tuple(map(index.__getitem__, map(id, loops)))
        outer_numbers = tuple(map(number.__getitem__, map(id, outers)))
        planned.append(_Level(loop_indexes, index0s, outer_numbers, origins, totals))
    return _Plan(
        times,
        kinds,
        prompts,
        images,
        tuple(map(index.__getitem__, map(id, entry_statements))),
        tuple(map(number.__getitem__, map(id, entry_steps))),
        tuple(planned),
    )


def _in_order(statement: n.Statement, out: list[n.Statement]) -> list[n.Statement]:
    """`statement` and the statements of its body, depth first, appended to `out`."""
    out.append(statement)
    if isinstance(statement, n.Repeat | n.ForLoop | n.ScriptBlock):
        for inner in statement.body:
            _in_order(inner, out)
    return out


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
