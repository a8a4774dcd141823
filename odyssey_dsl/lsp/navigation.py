"""Go to definition, find references and rename, for `let` and `for` variables, their uses
inside `{{ }}` templates included. All from the compiler's name table (`scene_names`).

A rename is checked by resolving the names of the renamed text again: it is refused unless
every use still reads the same definition as before and no new duplicate appears, so the
scoping rules live in one place (`semantics.names`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.lsp.hover import KEYWORDS

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge
    from odyssey_dsl.semantics.names import Definition, NameTable

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
"""The grammar's NAME."""

RESERVED = frozenset(
    {*KEYWORDS, "loop"}
    | {"and", "or", "not", "is", "if", "else", "elif", "endif", "endfor", "none", "None"}
    | {"True", "False", "block", "endblock", "set", "endset", "macro", "endmacro", "with"}
    | {"without", "context", "import", "include", "from", "as", "recursive", "raw", "filter"}
)
"""Names a variable cannot take: Ody's keywords, `loop`, and Jinja2's keywords."""

RENAMABLE = ("let", "for")


class RenameRefused(Exception):
    """A rename that cannot be done, with the reason for the user."""


def target(names: NameTable, offset: int) -> Definition | None:
    """The definition the name at `offset` is or reads."""
    use = names.use_at(offset)
    if use is not None:
        return use.definition
    return names.definition_at(offset)


def _name_span_at(names: NameTable, offset: int) -> tuple[int, int] | None:
    use = names.use_at(offset)
    if use is not None:
        return use.span.start_offset, use.span.end_offset
    definition = names.definition_at(offset)
    if definition is not None and definition.span is not None:
        return definition.span.start_offset, definition.span.end_offset
    return None


def definition(edge: Edge, position: types.Position) -> list[types.Location] | None:
    found = target(edge.analysis.names, edge.offset(position))
    if found is None or found.span is None:
        return None
    return [types.Location(uri=edge.analysis.document.uri, range=edge.range(found.span))]


def references(
    edge: Edge, position: types.Position, include_declaration: bool
) -> list[types.Location] | None:
    names = edge.analysis.names
    found = target(names, edge.offset(position))
    if found is None:
        return None
    uri = edge.analysis.document.uri
    spans = [use.span for use in names.uses_of(found)]
    if include_declaration and found.span is not None and found.kind != "loop":
        spans.insert(0, found.span)
    return [types.Location(uri=uri, range=edge.range(span)) for span in spans]


def _renamable(names: NameTable, offset: int) -> Definition:
    found = target(names, offset)
    if found is None:
        raise RenameRefused("there is no variable here to rename")
    if found.kind not in RENAMABLE or found.span is None:
        raise RenameRefused(f"`{found.name}` is not a `let` or `for` variable of this file")
    return found


def prepare_rename(edge: Edge, position: types.Position) -> types.PrepareRenamePlaceholder:
    names = edge.analysis.names
    offset = edge.offset(position)
    found = _renamable(names, offset)
    span = _name_span_at(names, offset)
    assert span is not None  # a target was found at offset
    return types.PrepareRenamePlaceholder(range=edge.offsets(*span), placeholder=found.name)


def rename_edits(edge: Edge, position: types.Position, new_name: str) -> types.WorkspaceEdit:
    analysis = edge.analysis
    names = analysis.names
    found = _renamable(names, edge.offset(position))
    if not IDENTIFIER.match(new_name):
        raise RenameRefused(f"`{new_name}` is not a valid name (letters, digits and _)")
    if new_name in RESERVED:
        raise RenameRefused(f"`{new_name}` is a keyword")
    assert found.span is not None
    spans = sorted(
        [(found.span.start_offset, found.span.end_offset)]
        + [(use.span.start_offset, use.span.end_offset) for use in names.uses_of(found)]
    )
    if new_name != found.name:
        _check_resolution(analysis, spans, new_name)
    edits = [
        types.TextEdit(range=edge.offsets(start, end), new_text=new_name) for start, end in spans
    ]
    return types.WorkspaceEdit(changes={analysis.document.uri: edits})


def _check_resolution(analysis: Analysis, spans: list[tuple[int, int]], new_name: str) -> None:
    """Refuse the rename unless the renamed text resolves every use as before."""
    from odyssey_dsl.compiler import scene_names

    text = analysis.source_text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += [text[last:start], new_name]
        last = end
    pieces.append(text[last:])

    def moved(offset: int | None) -> int | None:
        if offset is None:
            return None
        return offset + sum(len(new_name) - (end - start) for start, end in spans if end <= offset)

    names = analysis.names
    before = [(moved(use), moved(read)) for use, read in _resolution(names)]
    renamed = scene_names("".join(pieces), variables=analysis.project.settings.variables)
    if before != _resolution(renamed) or len(renamed.duplicates) != len(names.duplicates):
        raise RenameRefused(f"renaming to `{new_name}` would collide with another name in scope")


def _resolution(names: NameTable) -> list[tuple[int | None, int | None]]:
    """(use, the definition it reads) for every use, as offsets."""
    pairs: list[tuple[int | None, int | None]] = []
    for use in names.uses:
        read = use.definition.span if use.definition is not None else None
        pairs.append((use.span.start_offset, None if read is None else read.start_offset))
    return sorted(pairs, key=lambda pair: (pair[0] or 0, -1 if pair[1] is None else pair[1]))
