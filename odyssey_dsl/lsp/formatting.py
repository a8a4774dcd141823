"""Formatting, whole document and range, with `odyc fmt`'s engine and the project's
`[format]` settings. A document with syntax errors (or one the formatter's safety check
refuses) gets no edits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from odyssey_dsl.lsp.edge import Edge


def format_document(edge: Edge) -> list[types.TextEdit]:
    from odyssey_dsl.fmt import FormatError, format_source

    analysis = edge.analysis
    settings = analysis.project.settings
    path = analysis.document.path
    try:
        formatted = format_source(
            analysis.text,
            options=settings.format,
            filename=str(path) if path is not None else analysis.document.uri,
            variables=settings.variables,
            base_dir=path.parent if path is not None else None,
        )
    except FormatError:
        return []
    if formatted == analysis.text:
        return []
    return [_edit(edge, 0, len(analysis.text), formatted)]


def format_range(edge: Edge, span: types.Range) -> list[types.TextEdit]:
    from odyssey_dsl.fmt import FormatError
    from odyssey_dsl.fmt import format_range as format_lines

    analysis = edge.analysis
    lines = analysis.lines
    encoding = edge.encoding
    start = lines.offset(span.start.line, span.start.character, encoding)
    end = lines.offset(span.end.line, span.end.character, encoding)
    try:
        edit = format_lines(analysis.text, start, end, options=analysis.project.settings.format)
    except FormatError:
        return []
    if edit is None:
        return []
    return [_edit(edge, edit.start, edit.end, edit.new_text)]


def _edit(edge: Edge, start: int, end: int, new_text: str) -> types.TextEdit:
    """An edit of the document's own offsets (not the compiler's)."""
    lines, encoding = edge.analysis.lines, edge.encoding
    first, last = lines.position(start, encoding), lines.position(end, encoding)
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=first.line, character=first.character),
            end=types.Position(line=last.line, character=last.character),
        ),
        new_text=new_text,
    )
