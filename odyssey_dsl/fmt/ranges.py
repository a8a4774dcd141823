"""Which lines a range formatting formats: the statements a range touches, whole.

A line inside a block brings its whole top-level statement (the loop or script block and
all of its body): printing one line of a block alone could give it an indentation its
neighbours do not have. A line of a `fmt: off` region brings the whole region, which moves
as one. A blank or comment line between top-level statements is formatted alone.
"""

from __future__ import annotations

from odyssey_dsl.fmt.printer import statement_depths, verbatim_regions
from odyssey_dsl.syntax.tree import SyntaxTree


def touched_lines(tree: SyntaxTree, start: int, end: int) -> tuple[int, int] | None:
    """Indices of the first and last line node to format for `text[start:end]` (None when
    the text has no line)."""
    lines = tree.lines
    if not lines:
        return None
    start = max(lines[0].start, min(start, len(tree.text)))  # a byte-order mark is before it
    end = max(start, min(end, len(tree.text)))
    touched = [
        index
        for index, node in enumerate(lines)
        if (node.start < end and node.stop > start)
        or node.start <= start < max(node.stop, node.start + 1)
    ]
    if not touched:
        touched = [len(lines) - 1]  # the range is at the very end of the text
    depths = _line_depths(tree)
    regions = verbatim_regions(tree)
    first, last = touched[0], touched[-1]
    while True:  # whole blocks, and whole `fmt: off` regions (which move as one)
        wider = (_block_start(depths, first), _block_end(depths, last))
        for start_line, end_line in regions:
            if start_line <= wider[1] and end_line >= wider[0]:
                wider = (min(wider[0], start_line), max(wider[1], end_line))
        if wider == (first, last):
            return first, last
        first, last = wider


def _line_depths(tree: SyntaxTree) -> list[int | None]:
    """Depth of each line's statement; None for a blank or comment line."""
    depths = statement_depths(tree.scene)
    return [
        None if node.statement is None else depths.get(node.statement.span.start_offset, 0)
        for node in tree.lines
    ]


def _block_start(depths: list[int | None], index: int) -> int:
    if not _inside_block(depths, index):
        return index
    while index > 0 and depths[index] != 0:
        index -= 1
    return index


def _block_end(depths: list[int | None], index: int) -> int:
    if depths[index] is None and not _inside_block(depths, index):
        return index
    last = index
    for later in range(index + 1, len(depths)):
        if depths[later] == 0:
            break
        if depths[later] is not None:
            last = later
    return last


def _inside_block(depths: list[int | None], index: int) -> bool:
    """Whether the line is a statement in a block or a header, or a blank or comment line
    between two statements of a block."""
    depth = depths[index]
    if depth is not None:
        return depth > 0 or _next_statement_depth(depths, index + 1) > 0
    before = next((d for d in reversed(depths[:index]) if d is not None), 0)
    return before > 0 and _next_statement_depth(depths, index + 1) > 0


def _next_statement_depth(depths: list[int | None], index: int) -> int:
    return next((d for d in depths[index:] if d is not None), 0)
