"""Code actions: quick fixes keyed on diagnostic codes, for the unambiguous cases, and the
exact conversion of a timed line between `after` and `at`.

- a suggestion in the help (`did you mean `start`?`, `write `3s``) → that text;
- E505 (a stream never ends) → the line its help shows, after the line it names;
- a warning → `# odyc: ignore[CODE]` on its line;
- `after D:` ↔ `at T:` on a line outside loops (the same time, from the timeline).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from odyssey_dsl.lsp.hints import ms
from odyssey_dsl.syntax import nodes as n

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge

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
    if code.startswith("W"):
        yield _ignore(edge, diagnostic, code)


def _ignore(edge: Edge, diagnostic: types.Diagnostic, code: str) -> types.CodeAction:
    line = diagnostic.range.start.line
    content = edge.analysis.lines.line_text(line)
    whole = edge.line_range(line)
    existing = _IGNORE.search(content)
    if existing is not None:
        codes = [c.strip() for c in existing.group(1).split(",") if c.strip()]
        new_comment = f"# odyc: ignore[{', '.join([*codes, code])}]"
        start = types.Position(line=line, character=_units(edge, content[: existing.start()]))
        end = types.Position(line=line, character=_units(edge, content[: existing.end()]))
        edit = types.TextEdit(range=types.Range(start=start, end=end), new_text=new_comment)
    else:
        edit = types.TextEdit(
            range=types.Range(start=whole.end, end=whole.end),
            new_text=f"  # odyc: ignore[{code}]",
        )
    return _edit(edge, f"Ignore {code} on this line", [edit], diagnostics=[diagnostic])


def _units(edge: Edge, text: str) -> int:
    from odyssey_dsl.lsp.positions import units

    return units(text, edge.encoding)


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
    emitted = [
        entry
        for entry in loop.script.entries
        if any(step.loop is previous for step in entry.iteration_path)
    ]
    return emitted[-1].time_ms if emitted else loop.start_ms
