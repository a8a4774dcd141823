"""Printing a scene in the canonical style, one line node of the lossless tree at a time.

Each logical line of the tree is printed on its own (`Printed.chunks[i]` is what line `i`
becomes, line breaks included, maybe nothing), so that a range of lines can be formatted
alone with exactly the text the whole file would get (`ranges.py`):

- a statement at `indent_width` spaces per block level (`statement.py` prints the rest);
- a comment on its own line at the level of the statement that follows it (of the file's
  top level at its end);
- at most one blank line in a row; none at the start of the file, at the start of a block
  (right after a header), or at the end of the file;
- the lines from a comment `# odyc: fmt: off` to a comment `# odyc: fmt: on` (or to the end
  of the file), and a statement holding such a comment (in its list, say), as they are,
  only their line breaks made the file's, and moved as a whole
  when the indentation of the block they stand in changes (`_verbatim_shifts` says when a
  region cannot move as a whole);
- every line ends with the chosen line break, the last one too; a byte-order mark stays.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from odyssey_dsl.fmt.options import FormatSettings, line_break
from odyssey_dsl.fmt.statement import Layout, Piece, print_statement
from odyssey_dsl.syntax import fast_path
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.line import MEMO_SIZE, LineSyntax, read_line
from odyssey_dsl.syntax.tokens import COMMENT, NEWLINE
from odyssey_dsl.syntax.tree import BYTE_ORDER_MARK, LineNode, SyntaxTree

_FMT_OFF = re.compile(r"#\s*odyc:\s*fmt:\s*off\s*")
_FMT_ON = re.compile(r"#\s*odyc:\s*fmt:\s*on\s*")
_TRAILING_BLANKS = " \t\r\f\v"
_HEADERS = (n.Repeat, n.ForLoop, n.ScriptBlock)


class Printed(NamedTuple):
    """The formatted text: `prefix` (a byte-order mark or nothing) then the chunks, one per
    line node of the tree, in order."""

    prefix: str
    chunks: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.prefix + "".join(self.chunks)


class _Line(NamedTuple):
    kind: str  # "blank", "comment", "statement", or "verbatim" (inside fmt: off)
    depth: int
    header: bool
    statement: bool


def print_tree(tree: SyntaxTree, options: FormatSettings) -> Printed:
    """The tree's text in the canonical style (the tree has no syntax errors)."""
    text = tree.text
    layout = Layout(options.indent_width, line_break(text, options.line_ending))
    lines = _classify(tree)
    following = _following_depths(lines)
    content_after = _content_after(lines)
    shifts = _verbatim_shifts(tree, lines, options.indent_width)
    chunks: list[str] = []
    started = after_header = last_blank = False
    eol = layout.line_break
    for index, (node, line) in enumerate(zip(tree.lines, lines, strict=True)):
        if line.kind == "blank":
            keep = started and not after_header and not last_blank and content_after[index]
            chunks.append(eol if keep else "")
            last_blank = last_blank or keep
            continue
        if line.kind == "verbatim":
            chunks.append(_verbatim(text, node, eol, shifts[index]))
        elif line.kind == "comment":
            comment = text[node.start : node.end].strip(_TRAILING_BLANKS)
            chunks.append(" " * (options.indent_width * following[index]) + comment + eol)
        else:
            chunks.append(_print_line(text[node.start : node.end], line.depth, layout) + eol)
        started = True
        last_blank = False
        after_header = line.header
    prefix = BYTE_ORDER_MARK if text.startswith(BYTE_ORDER_MARK) else ""
    return Printed(prefix, tuple(chunks))


@functools.lru_cache(maxsize=MEMO_SIZE)
def _print_line(line: str, depth: int, layout: Layout) -> str:
    """The statement line `line` printed at `depth` (a pure function of its arguments,
    memoised: formatting again after an edit prints again only the lines that changed)."""
    syntax = read_line(line, fast_path.enabled())
    return print_statement(_pieces(line, syntax), depth, layout)


def _pieces(line: str, syntax: LineSyntax) -> list[Piece]:
    """The significant tokens and comments of a statement line, in order, with a line
    break piece for each line break between them (inside brackets)."""
    found = [(t.start, t.end, t.kind) for t in syntax.significant_tokens(line)]
    if syntax.comments:
        found = sorted(found + [(start, end, COMMENT) for start, end in syntax.comments])
    pieces: list[Piece] = []
    position = found[0][0] if found else 0
    for start, end, kind in found:
        if start > position:
            pieces += [(NEWLINE, "\n")] * line.count("\n", position, start)
        pieces.append((kind, line[start:end]))
        position = end
    return pieces


def statement_depths(scene: n.Scene) -> dict[int, int]:
    """Block depth of each statement, by the offset where it starts."""
    depths: dict[int, int] = {}
    stack: list[tuple[tuple[n.Statement, ...], int]] = [(scene.statements, 0)]
    while stack:
        statements, depth = stack.pop()
        for statement in statements:
            depths[statement.span.start_offset] = depth
            if isinstance(statement, _HEADERS):
                stack.append((statement.body, depth + 1))
    return depths


def _classify(tree: SyntaxTree) -> list[_Line]:
    depths = statement_depths(tree.scene)
    text = tree.text
    lines: list[_Line] = []
    verbatim = False
    for node in tree.lines:
        statement = node.statement
        depth = 0 if statement is None else depths.get(statement.span.start_offset, 0)
        header = isinstance(statement, _HEADERS)
        own_comment = statement is None and bool(node.syntax.comments)
        if own_comment and not verbatim:
            verbatim = _toggle(text, node, _FMT_OFF)
        if verbatim:
            lines.append(_Line("verbatim", depth, header, statement is not None))
            if own_comment and _toggle(text, node, _FMT_ON):
                verbatim = False
            continue
        if statement is not None:
            kind = "verbatim" if _holds_fmt_off(text, node) else "statement"
            lines.append(_Line(kind, depth, header, True))
        else:
            lines.append(_Line("comment" if own_comment else "blank", 0, False, False))
    return lines


def verbatim_regions(tree: SyntaxTree) -> list[tuple[int, int]]:
    """The `fmt: off` regions: (first, last) indices of their line nodes."""
    return [(start, end - 1) for start, end in _verbatim_runs(_classify(tree))]


def _holds_fmt_off(text: str, node: LineNode) -> bool:
    """Whether a comment of the statement line (in its list, say) is `# odyc: fmt: off`."""
    return any(
        _FMT_OFF.fullmatch(text[node.start + start : node.start + end].rstrip(_TRAILING_BLANKS))
        for start, end in node.syntax.comments
    )


def _toggle(text: str, node: LineNode, pattern: re.Pattern[str]) -> bool:
    return pattern.fullmatch(text[node.start : node.end].strip(_TRAILING_BLANKS)) is not None


def _following_depths(lines: list[_Line]) -> list[int]:
    """For each line, the depth of the next statement at or after it (0 if none)."""
    depths = [0] * len(lines)
    depth = 0
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].statement:
            depth = lines[index].depth
        depths[index] = depth
    return depths


def _content_after(lines: list[_Line]) -> list[bool]:
    """For each line, whether a line that is not blank follows it."""
    found = [False] * len(lines)
    seen = False
    for index in range(len(lines) - 1, -1, -1):
        found[index] = seen
        seen = seen or lines[index].kind != "blank"
    return found


def _verbatim_shifts(tree: SyntaxTree, lines: list[_Line], indent_width: int) -> list[int]:
    """For each line of a `fmt: off` region, how far it moves (in columns): as a whole, as
    far as its first statement's indentation changes, so that it stays in its block. That
    keeps every block right only when the region holds whole blocks below its first
    statement's; otherwise (it runs out of that block, or opens a block that goes on after
    it) each statement moves to its block's indentation, with the lines after it."""
    shifts = [0] * len(lines)
    for index, end in _verbatim_runs(lines):
        statements = [i for i in range(index, end) if lines[i].statement]
        after = next((i for i in range(end, len(lines)) if lines[i].statement), None)
        if statements:
            depth = lines[statements[0]].depth
            whole = min(lines[i].depth for i in statements) == depth and (
                after is None or lines[after].depth <= depth
            )
            shift = _own_shift(tree, lines, statements[0], indent_width)
            for i in range(index, end):
                if lines[i].statement and not whole:
                    shift = _own_shift(tree, lines, i, indent_width)
                shifts[i] = shift
    return shifts


def _verbatim_runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """(start, end) of each run of verbatim lines, end excluded. Blank lines between two
    verbatim lines belong to the run: the formatter may drop them, and the runs must not
    change when the formatted text is read again."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if lines[index].kind != "verbatim":
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].kind in ("verbatim", "blank"):
            end += 1
        while lines[end - 1].kind == "blank":
            end -= 1
        runs.append((index, end))
        index = end
    return runs


def _own_shift(tree: SyntaxTree, lines: list[_Line], index: int, indent_width: int) -> int:
    """How far the statement line `index` moves to stand at its block's indentation."""
    return indent_width * lines[index].depth - tree.lines[index].syntax.indent


def _verbatim(text: str, node: LineNode, eol: str, shift: int) -> str:
    """The line as written, moved `shift` columns, with the file's line breaks."""
    physical = text[node.start : node.end].replace("\r\n", "\n").split("\n")
    if shift > 0:
        physical = [" " * shift + line if line.strip() else line for line in physical]
    elif shift < 0:
        physical = [_dedent(line, -shift) for line in physical]
    return eol.join(physical) + eol


def _dedent(line: str, width: int) -> str:
    blanks = len(line) - len(line.lstrip(" "))
    return line[min(blanks, width) :]
