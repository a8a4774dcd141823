"""The shape of a document: symbols (scripts, streams, loops, variables), folding ranges
(blocks, triple-quoted strings, lists over several lines), selection ranges and code lens
(duration, entries and streams of each script)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.lsp.hints import ms
from odyssey_dsl.syntax import nodes as n

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge
    from odyssey_dsl.syntax.text import Span
    from odyssey_dsl.timeline.view import ScriptTimeline

Block = n.ScriptBlock | n.Repeat | n.ForLoop


def block_end(statement: n.Statement) -> int:
    """The end offset of a statement with its body."""
    body = getattr(statement, "body", ())
    return block_end(body[-1]) if body else statement.span.end_offset


def _extent(statement: n.Statement) -> tuple[int, int]:
    return statement.span.start_offset, block_end(statement)


# --- symbols -------------------------------------------------------------------------------


def document_symbols(edge: Edge) -> list[types.DocumentSymbol]:
    analysis = edge.analysis
    symbols = list(_statement_symbols(analysis.tree.scene.statements, edge))
    scripts = {script.name: script for script in analysis.timeline.scripts}
    by_name = {s.name: s for s in symbols if s.kind == types.SymbolKind.Module}
    for name, script in scripts.items():
        streams = list(_stream_symbols(script, edge))
        holder = by_name.get(name) if name is not None else None
        if holder is not None:
            holder.children = sorted(
                [*(holder.children or []), *streams], key=lambda s: _key(s.range)
            )
        else:
            symbols.extend(streams)
    return sorted(symbols, key=lambda s: _key(s.range))


def _key(span: types.Range) -> tuple[int, int]:
    return span.start.line, span.start.character


def _statement_symbols(
    statements: tuple[n.Statement, ...], edge: Edge
) -> Iterator[types.DocumentSymbol]:
    source = edge.analysis.source_text
    for statement in statements:
        if isinstance(statement, n.ScriptBlock):
            name, kind, detail = statement.name.value, types.SymbolKind.Module, "script"
        elif isinstance(statement, n.Repeat | n.ForLoop):
            header = statement.span
            name = source[header.start_offset : header.end_offset].strip().rstrip(":")
            kind, detail = types.SymbolKind.Event, _loop_detail(statement, edge.analysis)
        elif isinstance(statement, n.Let):
            yield types.DocumentSymbol(
                name=statement.name,
                kind=types.SymbolKind.Variable,
                range=edge.range(statement.span),
                selection_range=edge.range(statement.name_span),
                detail="let",
            )
            continue
        else:
            continue
        children = list(_statement_symbols(statement.body, edge))
        yield types.DocumentSymbol(
            name=name,
            kind=kind,
            range=edge.offsets(*_extent(statement)),
            selection_range=edge.range(statement.span),
            detail=detail,
            children=children or None,
        )


def _loop_detail(loop: n.Repeat | n.ForLoop, analysis: Analysis) -> str:
    facts = analysis.facts.loops.get(loop.span.start_offset)
    if facts is None:
        return "loop"
    origins = facts.origins
    return f"×{facts.count}: {ms(origins[0])} … {ms(origins[-1])}"


def _stream_symbols(script: ScriptTimeline, edge: Edge) -> Iterator[types.DocumentSymbol]:
    for index, stream in enumerate(script.streams):
        start = stream.start.span
        end_span = stream.end.span if stream.end is not None else start
        when = ms(stream.start_ms) + (
            f" → {ms(stream.end_ms)}" if stream.end_ms is not None else " (never ends)"
        )
        prompt = " ".join((stream.start.prompt or "").split())
        yield types.DocumentSymbol(
            name=f"stream {index + 1}: {prompt[:60] or '(empty)'}",
            kind=types.SymbolKind.Object,
            range=edge.offsets(start.start_offset, max(end_span.end_offset, start.end_offset)),
            selection_range=edge.range(start),
            detail=when,
        )


# --- folding -------------------------------------------------------------------------------


def folding_ranges(edge: Edge) -> list[types.FoldingRange]:
    analysis = edge.analysis
    found: list[types.FoldingRange] = []
    for start, end, kind in _folds(analysis):
        first, last = edge.position(start).line, edge.position(end).line
        if last > first:
            found.append(types.FoldingRange(start_line=first, end_line=last, kind=kind))
    return found


def _folds(analysis: Analysis) -> Iterator[tuple[int, int, str | None]]:
    def blocks(statements: tuple[n.Statement, ...]) -> Iterator[tuple[int, int, str | None]]:
        for statement in statements:
            if isinstance(statement, Block):
                yield *_extent(statement), types.FoldingRangeKind.Region.value
                yield from blocks(statement.body)

    yield from blocks(analysis.tree.scene.statements)
    text = analysis.source_text
    for line in analysis.tree.lines:
        if "\n" in text[line.start : line.end]:  # a triple-quoted string or a list
            yield line.start, line.end, None
    comments = analysis.tree.scene.comments
    run: list[Span] = []
    for comment in [*comments, None]:
        if comment is not None and run and comment.span.line == run[-1].line + 1:
            run.append(comment.span)
            continue
        if len(run) > 1:
            yield run[0].start_offset, run[-1].end_offset, types.FoldingRangeKind.Comment.value
        run = [comment.span] if comment is not None else []


# --- selection ranges ------------------------------------------------------------------------


def selection_ranges(edge: Edge, positions: list[types.Position]) -> list[types.SelectionRange]:
    return [_selection(edge, edge.offset(position)) for position in positions]


def _selection(edge: Edge, offset: int) -> types.SelectionRange:
    analysis = edge.analysis
    spans: list[tuple[int, int]] = [(0, len(analysis.source_text))]

    def visit(statements: tuple[n.Statement, ...]) -> None:
        for statement in statements:
            start, end = _extent(statement)
            if start <= offset <= end:
                spans.append((start, end))
                header = statement.span
                if header.end_offset < end and offset <= header.end_offset:
                    spans.append((header.start_offset, header.end_offset))
                visit(getattr(statement, "body", ()))
                return

    visit(analysis.tree.scene.statements)
    names = analysis.names
    use = names.use_at(offset)
    if use is not None:
        spans.append((use.span.start_offset, use.span.end_offset))
    else:
        from odyssey_dsl.lsp.hover import line_at

        line = line_at(analysis, offset)
        if line is not None:
            for token in line.tokens(analysis.source_text):
                if token.start <= offset < token.end and token.kind not in (
                    "whitespace",
                    "newline",
                ):
                    spans.append((token.start, token.end))
                    break
    result: types.SelectionRange | None = None
    previous: tuple[int, int] | None = None
    for span in spans:
        if span == previous or (
            previous is not None and not (previous[0] <= span[0] and span[1] <= previous[1])
        ):
            continue
        result = types.SelectionRange(range=edge.offsets(*span), parent=result)
        previous = span
    assert result is not None
    return result


# --- code lens -------------------------------------------------------------------------------


def code_lenses(edge: Edge) -> list[types.CodeLens]:
    lenses = []
    for script in edge.analysis.timeline.scripts:
        if not script.entries and script.header is None:
            continue
        duration = max((entry.time_ms for entry in script.entries), default=0)
        count = len(script.entries)
        streams = len(script.streams)
        title = (
            f"{ms(duration)} · {count} entr{'y' if count == 1 else 'ies'} · "
            f"{streams} stream{'' if streams == 1 else 's'}"
        )
        if not script.complete:
            title += " (so far: errors hide the rest)"
        at = edge.range(script.header) if script.header is not None else edge.offsets(0, 0)
        lenses.append(types.CodeLens(range=at, command=types.Command(title=title, command="")))
    return lenses
