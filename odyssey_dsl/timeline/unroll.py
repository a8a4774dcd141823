"""Unrolling blocks into timeline entries: `let`s, actions and loops, in order.

`Unroller.block` walks the statements of one block with the block's origin, binds its
`let`s, resolves each action's time and emits it, and runs each loop once per iteration with
the iteration's origin, variable and `loop`. It returns whether every timed statement could
be placed (when one could not, the script misses entries and its timeline checks are
skipped). Evaluation and its diagnostics belong to the `Evaluator`; the limits to the
`EntryBudget`; where statements may stand to `placement`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from odyssey_dsl.semantics.scopes import UNEVALUATED
from odyssey_dsl.semantics.templates import LoopInfo
from odyssey_dsl.semantics.values import Evaluator
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline import reuse
from odyssey_dsl.timeline.entries import ActionKind, Iteration, TimelineEntry
from odyssey_dsl.timeline.limits import EntryBudget
from odyssey_dsl.timeline.placement import Context, misplacement
from odyssey_dsl.timeline.prediction import least_entries
from odyssey_dsl.timeline.prompts import PromptMemo
from odyssey_dsl.timeline.times import prefixed_time, unprefixed_loop_start

_KINDS: dict[type, ActionKind] = {n.Start: "start", n.Interact: "interact", n.End: "end"}
_TIME_OF_PREFIX = "the time of `at`/`after`"

ScriptHandler = Callable[[n.ScriptBlock], None]


class Unroller:
    """Expands blocks of one scene (see the module docstring)."""

    __slots__ = ("batch", "budget", "evaluator", "overrides", "prompts", "scene_key")

    def __init__(
        self,
        evaluator: Evaluator,
        budget: EntryBudget,
        overrides: Mapping[str, object],
        batch: bool,
    ) -> None:
        self.evaluator = evaluator
        self.budget = budget
        self.overrides = overrides
        """`--var` values: each replaces the value of every `let` of its name."""
        self.batch = batch
        self.prompts = PromptMemo()
        self.scene_key = reuse.scene_key(overrides, evaluator.broken_names, batch)
        """What every loop's key shares (`reuse`); None when loops are not reused."""

    def block(
        self,
        statements: tuple[n.Statement, ...],
        origin: int,
        context: Context,
        iteration: Iteration | None,
        out: list[TimelineEntry],
        on_script: ScriptHandler | None = None,
    ) -> bool:
        """Expand `statements` into `out`; False when a timed statement could not be placed.
        `script` blocks (at top level) are handed to `on_script`."""
        complete = True
        last: int | None = None  # the time of the previous timed statement of this block
        for statement in statements:
            if isinstance(statement, n.Let):
                self.let(statement)
                continue
            problem = misplacement(statement, context, self.batch)
            if problem is not None:
                complete = complete and not problem.drops_entries
                continue
            if isinstance(statement, n.ActionStmt):
                time = self.action_time(statement, origin, last)
                if time is None:
                    complete = False
                else:
                    self.action(statement, time, iteration, out)
                    last = time
            elif isinstance(statement, n.Repeat | n.ForLoop):
                if iteration is None:
                    end, loop_complete = self.outermost_loop(statement, origin, last, out)
                else:
                    end, loop_complete = self.loop(statement, origin, last, iteration, out)
                complete = complete and loop_complete
                if end is not None:
                    last = end
            elif isinstance(statement, n.ScriptBlock) and on_script is not None:
                on_script(statement)
        return complete

    def let(self, statement: n.Let) -> None:
        bindings = self.evaluator.bindings
        if bindings.bound_here(statement.name):
            return  # a duplicate (E202, reported with the names): the first one stays
        if statement.name in self.overrides:
            value: object | None = self.overrides[statement.name]
        else:
            value = self.evaluator.value(statement.value)
        if value is None:
            value = UNEVALUATED
            self.evaluator.unevaluated += 1
        bindings.bind(statement.name, value)

    def action_time(self, statement: n.ActionStmt, origin: int, last: int | None) -> int | None:
        prefix = statement.prefix
        if prefix is None:
            return origin  # in a loop body: at the iteration's origin
        amount = self.evaluator.duration(prefix.time, _TIME_OF_PREFIX)
        return None if amount is None else prefixed_time(prefix, amount, origin, last)

    def action(
        self,
        statement: n.ActionStmt,
        time: int,
        iteration: Iteration | None,
        out: list[TimelineEntry],
    ) -> None:
        self.budget.take_entry(statement.span)
        action = statement.action
        prompt = image = None
        # On an error the entry is kept with an empty value (the job is not emitted anyway),
        # so that the timeline checks do not report its absence as well.
        if isinstance(action, n.Start | n.Interact):
            prompt = self.prompts.prompt(action.prompt, self.evaluator) or ""
            if isinstance(action, n.Start) and action.image is not None:
                image = self.evaluator.image(action.image) or ""
        out.append(TimelineEntry(time, _KINDS[type(action)], prompt, image, statement, iteration))

    def outermost_loop(
        self, loop: n.Repeat | n.ForLoop, origin: int, last: int | None, out: list[TimelineEntry]
    ) -> tuple[int | None, bool]:
        """`loop` for a loop that no loop encloses: given again when an earlier compile
        expanded the same loop in the same circumstances (see `reuse`), else unrolled and
        kept."""
        evaluator = self.evaluator
        key = None
        if self.scene_key is not None:
            visible = evaluator.bindings.visible
            key = reuse.loop_key(loop, evaluator.source.text, visible, self.scene_key)
        if key is None:
            return self.loop(loop, origin, last, None, out)
        reported = len(evaluator.report.diagnostics)
        timing = self.loop_timing(loop, origin, last)
        if timing is None:
            return None, False
        found = reuse.given_again(key, loop, timing[1], self.budget, out)
        if found is not None:
            return found
        before, iterations = len(out), self.budget.iterations
        end, complete = self.loop(loop, origin, last, None, out, timing)
        if end is not None and len(evaluator.report.diagnostics) == reported:
            made = tuple(out[before:])
            taken = self.budget.iterations - iterations
            reuse.keep(key, reuse.Expanded(loop, timing[1], made, end, complete, taken))
        return end, complete

    def loop_timing(
        self, loop: n.Repeat | n.ForLoop, origin: int, last: int | None
    ) -> tuple[int, int] | None:
        """The period of a loop and the time it starts, or None (reported) when it has none."""
        evaluator = self.evaluator
        every = evaluator.duration(loop.every, "the period of `every`")
        if every is None:
            return None
        if loop.prefix is None:
            return every, unprefixed_loop_start(every, origin, last)
        amount = evaluator.duration(loop.prefix.time, _TIME_OF_PREFIX)
        if amount is None:
            return None
        return every, prefixed_time(loop.prefix, amount, origin, last)

    def loop(
        self,
        loop: n.Repeat | n.ForLoop,
        origin: int,
        last: int | None,
        iteration: Iteration | None,
        out: list[TimelineEntry],
        timing: tuple[int, int] | None = None,
    ) -> tuple[int | None, bool]:
        """Run a loop; returns the time a following `after` counts from (None when the loop
        could not run) and whether its iterations placed every timed statement. `timing`:
        its `loop_timing`, when already known."""
        if timing is None:
            timing = self.loop_timing(loop, origin, last)
            if timing is None:
                return None, False
        evaluator = self.evaluator
        every, start = timing
        values: list[object] | None = None
        if isinstance(loop, n.Repeat):
            count = evaluator.count(loop.times)
        else:
            values = evaluator.items(loop.items)
            count = None if values is None else len(values)
        if count is None:
            return None, False
        bindings = evaluator.bindings
        self.budget.expect_entries(count * least_entries(loop.body, bindings.visible), loop.span)
        self.budget.take_iterations(count, loop.span)
        variable = loop.var if isinstance(loop, n.ForLoop) else None
        before = len(out)
        complete = True
        for index in range(count):
            bindings.open_block()
            if variable is not None and values is not None:
                bindings.bind(variable, values[index])
            bindings.bind("loop", LoopInfo(index, count))
            origin_ms = start + index * every
            step = Iteration(loop, index, iteration, origin_ms, count)
            if not self.block(loop.body, origin_ms, "loop", step, out):
                complete = False
            bindings.close_block()
        return (out[-1].time_ms if len(out) > before else start), complete
