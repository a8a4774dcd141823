"""Code actions: quick fixes keyed on diagnostic codes, for the unambiguous cases, and the
exact conversion of a timed line between `after` and `at`.

- a suggestion in the help (`did you mean `start`?`, `write `3s``) → that text;
- E505 (a stream never ends) → the line its help shows, after the line it names;
- a warning → `# odyc: ignore[CODE]` at the end of the last line it covers where a comment
  can stand (after the closing quotes of a prompt over lines, never inside a string), before
  a comment already there, or CODE added to the suppression already there;
- `after D:` ↔ `at T:` on a line outside loops (the same time, from the timeline).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from odyssey_dsl.lsp.hints import ms
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.tokens import COMMENT

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge
    from odyssey_dsl.syntax.tokens import Token

_SUGGESTION = re.compile(r"(?:did you mean|write) `([^`]+)`")
_MISSING_END = re.compile(r"add a line such as\n(.*)\nafter line (\d+)")
_IGNORE = re.compile(r"#\s*odyc:\s*ignore\[([^\]]*)\]")


def code_actions(edge: Edge, params: types.CodeActionParams) -> list[types.CodeAction]:
    found: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source not in (None, "odyc") or not isinstance(diagnostic.code, str):
            continue
        found.extend(_quick_fixes(edge, diagnostic))
    found.extend(_conversions(edge, edge.offset(params.range.start)))
    return found


def _help(diagnostic: types.Diagnostic) -> str:
    data: Any = diagnostic.data
    if isinstance(data, dict) and isinstance(data.get("help"), str):
        return str(data["help"])
    return diagnostic.message.partition("\n")[2]


def _edit(edge: Edge, title: str, edits: list[types.TextEdit], **extra: Any) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=extra.pop("kind", types.CodeActionKind.QuickFix),
        edit=types.WorkspaceEdit(changes={edge.analysis.document.uri: edits}),
        **extra,
    )


def _quick_fixes(edge: Edge, diagnostic: types.Diagnostic) -> Iterator[types.CodeAction]:
    code = str(diagnostic.code)
    help_text = _help(diagnostic)
    suggestion = _SUGGESTION.search(help_text)
    if suggestion is not None and code in ("E105", "E107", "E201", "E302", "E106"):
        replacement = suggestion.group(1)
        yield _edit(
            edge,
            f"Replace with `{replacement}`",
            [types.TextEdit(range=diagnostic.range, new_text=replacement)],
            diagnostics=[diagnostic],
            is_preferred=True,
        )
    missing = _MISSING_END.search(help_text) if code == "E505" else None
    if missing is not None:
        line = int(missing.group(2)) - 1
        lines = edge.analysis.lines
        if 0 <= line < lines.line_count:
            end = edge.line_range(line).end
            text = edge.analysis.text
            newline = "\r\n" if "\r\n" in text else "\n"
            yield _edit(
                edge,
                f"Add `{missing.group(1).strip()}` after line {line + 1}",
                [
                    types.TextEdit(
                        range=types.Range(start=end, end=end), new_text=newline + missing.group(1)
                    )
                ],
                diagnostics=[diagnostic],
                is_preferred=True,
            )
    ignore = _ignore(edge, diagnostic, code) if code.startswith("W") else None
    if ignore is not None:
        yield ignore


def _ignore(edge: Edge, diagnostic: types.Diagnostic, code: str) -> types.CodeAction | None:
    """`# odyc: ignore[CODE]` at the end of the last line the diagnostic covers where a
    comment can stand (not inside a string), or CODE added to the suppression there."""
    from odyssey_dsl.lsp.hover import line_at

    analysis = edge.analysis
    start, end = edge.offset(diagnostic.range.start), edge.offset(diagnostic.range.end)
    line = line_at(analysis, start)
    if line is None:
        return None
    text = analysis.source_text
    tokens = list(line.tokens(text))
    for line_end in reversed(_physical_ends(text, line.start, line.end)):
        line_start = text.rfind("\n", 0, line_end) + 1
        if line_start > end or line_end < start:
            continue  # a line the diagnostic does not cover: a comment there silences nothing
        if any(t.kind in _STRINGS and t.start < line_end < t.end for t in tokens):
            continue  # the line ends inside a string
        comment = next((t for t in tokens if t.kind == COMMENT and t.end == line_end), None)
        return _edit(
            edge,
            f"Ignore {code} on this line",
            [_suppression_edit(edge, comment, line_end, code)],
            diagnostics=[diagnostic],
        )
    return None


_STRINGS = frozenset({"string", "long_string"})


def _physical_ends(text: str, start: int, end: int) -> list[int]:
    """The ends (before `\\r\\n` or `\\n`) of the physical lines of `text[start:end]`."""
    ends = []
    newline = text.find("\n", start, end)
    while newline != -1:
        ends.append(newline - 1 if text[newline - 1 : newline] == "\r" else newline)
        newline = text.find("\n", newline + 1, end)
    ends.append(end - 1 if text[end - 1 : end] == "\r" else end)
    return ends


def _suppression_edit(
    edge: Edge, comment: Token | None, line_end: int, code: str
) -> types.TextEdit:
    """The edit that makes a line end silence `code`: a new comment, the code added to the
    line's suppression comment, or a suppression put before its other comment."""
    if comment is None:
        at = edge.position(line_end)
        return types.TextEdit(
            range=types.Range(start=at, end=at), new_text=f"  # odyc: ignore[{code}]"
        )
    existing = _IGNORE.match(comment.text)
    if existing is None:  # a comment is a suppression only when it starts as one
        at = edge.position(comment.start)
        return types.TextEdit(
            range=types.Range(start=at, end=at), new_text=f"# odyc: ignore[{code}]  "
        )
    codes = [c.strip() for c in existing.group(1).split(",") if c.strip()]
    return types.TextEdit(
        range=edge.offsets(comment.start, comment.start + existing.end()),
        new_text=f"# odyc: ignore[{', '.join([*codes, code])}]",
    )


def _conversions(edge: Edge, offset: int) -> Iterator[types.CodeAction]:
    from odyssey_dsl.lsp.completion import enclosing_blocks
    from odyssey_dsl.lsp.hover import line_at

    analysis = edge.analysis
    line = line_at(analysis, offset)
    statement = line.statement if line is not None else None
    if not isinstance(statement, n.ActionStmt) or statement.prefix is None:
        return
    chain = enclosing_blocks(analysis.tree.scene.statements, statement.span.start_offset)
    if any(isinstance(block, n.Repeat | n.ForLoop) for block in chain):
        return  # in a loop body a line has one time per iteration
    facts = analysis.facts.statements.get(statement.span.start_offset)
    if facts is None or len(facts.entries) != 1 or not facts.script.complete:
        return
    time = facts.entries[0].time_ms
    prefix = statement.prefix
    if isinstance(prefix, n.After):
        new_prefix = f"at {ms(time)}"
    else:
        siblings = getattr(chain[-1], "body", ()) if chain else analysis.tree.scene.statements
        previous = _previous_time(analysis, siblings, statement)
        if previous is None or previous > time:
            return
        new_prefix = f"after {ms(time - previous)}"
    yield _edit(
        edge,
        f"Write this line as `{new_prefix}:` (the same time, {ms(time)})",
        [types.TextEdit(range=edge.range(prefix.span), new_text=new_prefix)],
        kind=types.CodeActionKind.RefactorRewrite,
    )


def _previous_time(
    analysis: Analysis, siblings: tuple[n.Statement, ...], statement: n.ActionStmt
) -> int | None:
    """What an `after` on `statement` counts from: the time of the previous timed statement
    of its block (a loop's last entry), or the block's origin (0) for the first one."""
    previous: n.Statement | None = None
    for sibling in siblings:
        if sibling is statement:
            break
        if isinstance(sibling, n.ActionStmt | n.Repeat | n.ForLoop):
            previous = sibling
    if previous is None:
        return 0
    if isinstance(previous, n.ActionStmt):
        facts = analysis.facts.statements.get(previous.span.start_offset)
        return facts.entries[-1].time_ms if facts is not None and facts.entries else None
    loop = analysis.facts.loops.get(previous.span.start_offset)
    if loop is None:
        return None
    at = previous.span.start_offset  # the timeline's statements are not the tree's objects
    emitted = [
        entry
        for entry in loop.script.entries
        if any(step.loop.span.start_offset == at for step in entry.iteration_path)
    ]
    return emitted[-1].time_ms if emitted else loop.start_ms
