"""Hover: times and streams of a statement, a loop's iterations, a variable's value and
definition, a keyword's meaning, and the summary of the diagnostics under the cursor."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.lsp.hints import ms
from odyssey_dsl.syntax import nodes as n

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge
    from odyssey_dsl.lsp.facts import LoopFacts, StatementFacts
    from odyssey_dsl.semantics.names import Definition
    from odyssey_dsl.syntax.tree import LineNode
    from odyssey_dsl.timeline.entries import TimelineEntry

KEYWORDS: dict[str, str] = {
    "at": "`at TIME: ACTION` — the action happens TIME after the origin of its block.",
    "after": "`after DURATION: ACTION` — the action happens DURATION after the previous timed "
    "statement of its block.",
    "let": "`let NAME = VALUE` — a variable, visible from here to the end of its block.",
    "repeat": "`repeat COUNT every DURATION:` — a loop of COUNT iterations, one period apart.",
    "for": "`for NAME in LIST every DURATION:` — a loop over a list, binding NAME in each "
    "iteration.",
    "in": "`for NAME in LIST every DURATION:` — the list the loop goes through.",
    "every": "`every DURATION` — the period of a loop: iteration k starts k × DURATION after "
    "the loop's start.",
    "script": '`script "NAME":` — one script of a batch; its times count from 0.',
    "portrait": "`portrait: true` — render the scene in portrait (top level, at most once).",
    "start": '`start "PROMPT" [with image "PATH"]` — opens a stream.',
    "with": '`with image "PATH"` — the first frame of the stream, relative to the scene.',
    "image": '`with image "PATH"` — the first frame of the stream, relative to the scene.',
    "interact": '`interact "PROMPT"` — steers the running stream.',
    "end": "`end` — closes the running stream.",
    "true": "The boolean true.",
    "false": "The boolean false.",
}
"""One line of documentation for each keyword."""

MAX_TIMES = 8
"""How many times a hover lists before it abbreviates."""


def hover(edge: Edge, position: types.Position, markdown: bool = True) -> types.Hover | None:
    """What is known at `position`, in Markdown (or as the same text, for a client that
    only shows plain text)."""
    analysis = edge.analysis
    offset = edge.offset(position)
    sections = [
        *_diagnostics(analysis, offset),
        *_name(analysis, offset),
        *_statement(analysis, offset),
    ]
    if not sections:
        return None
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value="\n\n---\n\n".join(sections),
        )
    )


def _diagnostics(analysis: Analysis, offset: int) -> Iterator[str]:
    for diagnostic in analysis.timeline.diagnostics:
        span = diagnostic.span
        if span.start_offset <= offset <= max(span.end_offset, span.start_offset + 1):
            code = diagnostic.code
            yield f"**{code.code}** `{code.name}`: {code.summary}"


def line_at(analysis: Analysis, offset: int) -> LineNode | None:
    """The logical line of the syntax tree holding `offset`."""
    lines = analysis.tree.lines
    index = bisect.bisect_right([line.start for line in lines], offset) - 1
    if index < 0:
        return None
    line = lines[index]
    return line if offset <= line.stop else None


def _token_at(analysis: Analysis, line: LineNode, offset: int) -> tuple[str, str] | None:
    for token in line.tokens(analysis.source_text):
        touches = token.start <= offset < token.end or offset == token.end
        if touches and token.kind not in ("whitespace", "newline", "indent"):
            return token.kind, token.text
    return None


def _statement(analysis: Analysis, offset: int) -> Iterator[str]:
    line = line_at(analysis, offset)
    if line is None:
        return
    token = _token_at(analysis, line, offset)
    statement = line.statement
    facts = analysis.facts
    if isinstance(statement, n.ActionStmt):
        found = facts.statements.get(statement.span.start_offset)
        if found is not None:
            yield _action(found)
    elif isinstance(statement, n.Repeat | n.ForLoop):
        loop = facts.loops.get(statement.span.start_offset)
        if loop is not None:
            yield _loop(loop, analysis)
    if token is not None and token[1] in KEYWORDS and token[0] == token[1]:
        yield KEYWORDS[token[1]]


def _times(times: list[int]) -> str:
    shown = ", ".join(ms(t) for t in times[:MAX_TIMES])
    if len(times) > MAX_TIMES:
        shown += f", … {ms(times[-1])} ({len(times)} times)"
    return shown


def _action(facts: StatementFacts) -> str:
    entries = facts.entries
    times = facts.times
    lines = [f"**{entries[0].kind}** at {_times(times)}"]
    script = facts.script
    where = f'script "{script.name}"' if script.name is not None else "the scene"
    stream = _stream_of(facts, entries[0])
    lines.append(f"in {where}, {stream}")
    prompts = [e.prompt for e in entries if e.prompt is not None]
    if prompts:
        lines.append(f"prompt: {_quote(prompts[0])}")
        if len(set(prompts)) > 1:
            lines.append(f"last prompt: {_quote(prompts[-1])}")
    return "  \n".join(lines)


def _stream_of(facts: StatementFacts, entry: TimelineEntry) -> str:
    script = facts.script
    position = next(i for i, e in enumerate(script.entries) if e is entry)
    for index, stream in enumerate(script.streams):
        last = stream.end_index if stream.end_index is not None else len(script.entries)
        if stream.start_index <= position <= last:
            end = "never ends" if stream.end_ms is None else f"ends at {ms(stream.end_ms)}"
            return (
                f"stream {index + 1} (starts at {ms(stream.start_ms)} on line "
                f"{stream.start.span.line}, {end})"
            )
    return "no stream running"


def _quote(prompt: str) -> str:
    flat = " ".join(prompt.split())
    return "“" + (flat if len(flat) <= 200 else flat[:199] + "…") + "”"


def _loop(facts: LoopFacts, analysis: Analysis) -> str:
    loop = facts.loop
    origins = facts.origins
    source = analysis.source_text
    period = source[loop.every.span.start_offset : loop.every.span.end_offset]
    lines = [
        f"**loop** of {facts.count} iteration{'s' if facts.count != 1 else ''}, every {period}",
        f"iterations start at {_times(origins)}",
        f"first {ms(origins[0])}, last {ms(origins[-1])}",
    ]
    if facts.runs > 1:
        lines.append(f"runs {facts.runs} times (inside another loop)")
    return "  \n".join(lines)


def _name(analysis: Analysis, offset: int) -> Iterator[str]:
    names = analysis.names
    definition: Definition | None
    use = names.use_at(offset)
    if use is not None:
        definition = use.definition
        if definition is None:
            yield f"`{use.name}`: not defined"
            return
    else:
        definition = names.definition_at(offset)
        if definition is None:
            return
    yield describe_definition(definition, analysis)


def describe_definition(definition: Definition, analysis: Analysis) -> str:
    """A variable's value and where it is defined, as Markdown."""
    source = analysis.source_text
    name = definition.name
    statement = definition.statement
    where = f" (line {definition.span.line})" if definition.span is not None else ""
    if definition.kind == "let" and isinstance(statement, n.Let):
        value = source[statement.value.span.start_offset : statement.value.span.end_offset]
        return f"`{name}` = `{value}`  \n`let`{where}"
    if definition.kind == "for" and isinstance(statement, n.ForLoop):
        items = source[statement.items.span.start_offset : statement.items.span.end_offset]
        return f"`{name}`: each item of `{items}` in turn  \nloop variable{where}"
    if definition.kind == "loop":
        return (
            f"`loop`: the iteration of the loop{where} (`index`, `index0`, `first`, `last`, "
            "`length`, `revindex`, `revindex0`)"
        )
    if definition.kind == "variable":
        given = analysis.project.settings.variables.get(name)
        return f"`{name}` = `{given!r}`  \nset by the configuration or `--var`"
    return f"`{name}`: a Jinja2 global"
