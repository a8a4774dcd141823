"""Where statements may stand: the structure rules that need no expansion.

- E207: a file with `script` blocks has no timed statements at top level;
- E208: outside loop bodies, every action has `at` or `after`;
- E205: `portrait` and `script` only at the top level;
- E204: `portrait` at most once.

`misplacement` is the one answer to "is this statement expanded where it stands?": the
check below reports it, and expansion skips what it refuses.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.text import Span

Context = Literal["top", "script", "loop"]
"""The kind of block a statement stands in."""


class Misplaced(NamedTuple):
    code: str
    message: str
    help: str
    drops_entries: bool
    """True when the script it stands in misses the entries it would have made (its
    timeline checks would then be noise)."""


_MIXED_BATCH = Misplaced(
    "E207",
    "a file with `script` blocks cannot also have timed actions at top level",
    "move this line into one of the `script` blocks (indented under it)",
    drops_entries=False,
)
_MISSING_TIME = Misplaced(
    "E208",
    "this action has no time",
    "outside loops every action needs a time: write `at 3s: ...` or `after 1s: ...`",
    drops_entries=True,
)
_NESTED_PORTRAIT = Misplaced(
    "E205",
    "`portrait` can only be set at the top level of the file",
    "move it to the top of the file, without indentation",
    drops_entries=False,
)
_NESTED_SCRIPT = Misplaced(
    "E205",
    "`script` blocks can only stand at the top level of the file",
    "un-indent this block, or merge its lines into the enclosing block",
    drops_entries=False,
)


def is_batch(scene: n.Scene) -> bool:
    """A file with `script` blocks is a batch: one script per block."""
    return any(isinstance(statement, n.ScriptBlock) for statement in scene.statements)


def misplacement(statement: n.Statement, context: Context, batch: bool) -> Misplaced | None:
    """Why `statement` is not expanded where it stands, or None when it is."""
    if isinstance(statement, n.ActionStmt | n.Repeat | n.ForLoop):
        if batch and context == "top":
            return _MIXED_BATCH
        if isinstance(statement, n.ActionStmt) and statement.prefix is None and context != "loop":
            return _MISSING_TIME
    elif isinstance(statement, n.ScriptBlock):
        return _NESTED_SCRIPT if context != "top" else None
    elif isinstance(statement, n.Portrait) and context != "top":
        return _NESTED_PORTRAIT
    return None


class Placement(NamedTuple):
    portrait: bool | None
    """The file's `portrait:` (the first one), None when it has none."""
    problems: list[tuple[str, str, Span, str]]
    """(code, message, span, help) of every statement that stands where it may not."""


def check_placement(scene: n.Scene) -> Placement:
    """The structure rules of the module docstring, over the whole tree."""
    problems: list[tuple[str, str, Span, str]] = []
    portrait: n.Portrait | None = None
    batch = is_batch(scene)

    def walk(statements: tuple[n.Statement, ...], context: Context) -> None:
        nonlocal portrait
        for statement in statements:
            problem = misplacement(statement, context, batch)
            if problem is not None:
                problems.append((problem.code, problem.message, statement.span, problem.help))
                continue
            if isinstance(statement, n.Portrait):
                if portrait is None:
                    portrait = statement
                else:
                    problems.append(
                        (
                            "E204",
                            "`portrait` is set more than once",
                            statement.span,
                            f"it is first set on line {portrait.span.line}; keep only one",
                        )
                    )
            elif isinstance(statement, n.Repeat | n.ForLoop):
                walk(statement.body, "loop")
            elif isinstance(statement, n.ScriptBlock):
                walk(statement.body, "script")

    walk(scene.statements, "top")
    return Placement(None if portrait is None else portrait.value, problems)
