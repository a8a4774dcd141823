"""Reading one logical line on its own: its tokens, its statement and its diagnostics.

`read_line` is a pure function of the line's text, memoised: re-checking a scene after an
edit reads again only the lines whose text changed. Everything it returns is relative to
the line (offset 0 is the line's first character, line 1 its first line); `tree.py` places
it in the file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from odyssey_dsl.syntax import fast_path, place
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.layout import MAX_NESTING, TRAILING_BLANKS, leading_blanks
from odyssey_dsl.syntax.layout import scan_logical_line as scan
from odyssey_dsl.syntax.lexer import best_effort_tokens
from odyssey_dsl.syntax.parser import lark_statement_tokens
from odyssey_dsl.syntax.statements import (
    LineDiagnostic,
    LinePositions,
    NumberTooLarge,
    SignificantToken,
    read_statement,
)
from odyssey_dsl.syntax.text import Span
from odyssey_dsl.syntax.tokens import (
    COMMENT,
    INDENT,
    NEWLINE,
    WHITESPACE,
)

TAB_WIDTH = 4
MEMO_SIZE = 1 << 14
"""Lines remembered by `read_line`: more than the lines of any scene edited by hand."""

RawToken = tuple[str, int, int]
"""A token as the tree stores it: kind, start and end offsets in the line."""


class LineSyntax(NamedTuple):
    """One logical line, read on its own (offsets and spans relative to the line)."""

    indent: int
    """Width of the indentation (a tab counts as 4)."""
    statement: n.Statement | None
    """The statement at line 1, offset 0 (see `placed`); None for a blank or comment line,
    for a line that is `broken`, and when `recipe` builds it."""
    recipe: fast_path.Recipe | None
    """How the fast path builds the statement in place, without moving it."""
    diagnostics: tuple[LineDiagnostic, ...]
    broken: bool
    """The line holds something that is not a statement (an error node)."""
    broken_name: str | None
    """For a broken `let NAME ...`: the NAME it was meant to define."""
    odd_indent: bool
    """The indentation holds a tab or another blank that is not a space (reported)."""
    comments: tuple[tuple[int, int], ...]
    content: tuple[int, int]
    """Start and end of the statement's text (between indentation and trailing trivia)."""
    significant: tuple[SignificantToken, ...] | None
    """The tokens that are not trivia; None when the fast path read the line (they are
    found again by `tokens`)."""

    def placed(self, lines: int, offset: int) -> n.Statement | None:
        """The statement moved `lines` lines down and `offset` characters on."""
        if self.recipe is not None:
            build, data = self.recipe
            return build(data, lines, offset)
        if self.statement is None:
            return None
        return place.statement(self.statement, lines, offset)

    def tokens(self, text: str) -> tuple[RawToken, ...]:
        """Every token of the line `text` (this line's text), trivia included: contiguous
        and covering it."""
        significant = self.significant_tokens(text)
        return _with_trivia(text, self.content[0], significant, self.comments)

    def significant_tokens(self, text: str) -> tuple[SignificantToken, ...]:
        """The tokens of the line `text` (this line's text) that are not trivia."""
        significant = self.significant
        if significant is None:
            found = fast_path.match_line(text)
            assert found is not None, "a line read by the fast path matches it again"
            significant = fast_path.significant_tokens(*found)
        return significant


@functools.lru_cache(maxsize=MEMO_SIZE)
def read_line(text: str, fast: bool = True) -> LineSyntax:
    """Read the logical line `text` (without its final line break).

    `fast=False` reads every statement with Lark (see `fast_path.py`).
    """
    if fast:
        found = fast_path.match_line(text)
        if found is not None:
            return _read_fast(text, *found)
    indent_end, width, problems = _indentation(text)
    scanned = scan(text, indent_end, leading_blanks(text, 0))
    comments = scanned.comments
    source = _without_comments(text, comments) if comments else text
    end = len(source.rstrip(TRAILING_BLANKS + "\n"))
    odd = bool(problems)
    if scanned.problem is None and (end <= indent_end or source[indent_end:end].isspace()):
        if not comments:  # a line of blanks only indents nothing: a tab there is no error
            problems, odd = (), False
        content = (indent_end, indent_end)
        return LineSyntax(width, None, None, problems, False, None, odd, comments, content, ())
    positions = LinePositions(text)
    found_here = list(problems)
    statement: n.Statement | None = None
    significant: tuple[SignificantToken, ...] | None = None
    if scanned.problem is not None:
        kind, offset = scanned.problem
        found_here.append(_problem(text, kind, offset, positions))
    else:
        significant = lark_statement_tokens(source, indent_end, end, positions, found_here)
        if significant is not None:
            statement = _statement(text, significant, positions, found_here)
    if significant is None:
        significant = best_effort_tokens(source, indent_end, end)
    broken = statement is None
    name = _meant_name(text, significant) if broken else None
    return LineSyntax(
        width,
        statement,
        None,
        tuple(found_here),
        broken,
        name,
        odd,
        comments,
        (indent_end, end),
        significant,
    )


def _read_fast(text: str, shape: fast_path.Shape, match: re.Match[str]) -> LineSyntax:
    """A line that a shape of the fast path matched (indented with spaces, no problems in its
    layout)."""
    indent_end = match.end("indent")
    comment_start = match.start("comment")
    comments = ((comment_start, len(text)),) if comment_start >= 0 else ()
    content = (indent_end, match.start("end"))
    recipe = fast_path.recipe(shape, match, text)
    if recipe is not None:
        return LineSyntax(indent_end, None, recipe, (), False, None, False, comments, content, None)
    significant = fast_path.significant_tokens(shape, match)
    found: list[LineDiagnostic] = []
    statement = _statement(text, significant, LinePositions(text), found)
    name = _meant_name(text, significant) if statement is None else None
    return LineSyntax(
        indent_end,
        statement,
        None,
        tuple(found),
        statement is None,
        name,
        False,
        comments,
        content,
        None,
    )


def _statement(
    text: str,
    significant: tuple[SignificantToken, ...],
    positions: LinePositions,
    found: list[LineDiagnostic],
) -> n.Statement | None:
    try:
        return read_statement(text, significant, positions, found)
    except NumberTooLarge as error:
        found.append(error.diagnostic)
        return None


# --- indentation -------------------------------------------------------------------------


def _indentation(text: str) -> tuple[int, int, tuple[LineDiagnostic, ...]]:
    """(end of the indentation, its width, the diagnostic of its first odd blank)."""
    position = 0
    width = 0
    odd: int | None = None
    while position < len(text):
        char = text[position]
        if char == " ":
            width += 1
        elif char == "\t":
            width += TAB_WIDTH
            odd = position if odd is None else odd
        elif char.isspace() and char not in "\r\n\f":
            width += 1
            odd = position if odd is None else odd
        else:
            break
        position += 1
    if odd is None:
        return position, width, ()
    span = LinePositions(text).span(odd, odd + 1)
    if text[odd] == "\t":
        found = LineDiagnostic(
            "E103",
            "a tab is used for indentation",
            span,
            "Ody indents blocks with spaces: replace the tab with spaces",
        )
    else:
        found = unicode_blank(text[odd], span)
    return position, width, (found,)


def unicode_blank(char: str, span: Span) -> LineDiagnostic:
    code_point = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    described = f"{code_point} ({name})" if name else code_point
    return LineDiagnostic(
        "E113",
        f"the indentation contains {described}, which is not a plain space",
        span,
        "indent with plain spaces: delete the start of the line and indent it again",
    )


# --- problems found by the layout pass ------------------------------------------------------


def _problem(text: str, kind: str, offset: int, positions: LinePositions) -> LineDiagnostic:
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end == -1 else line_end
    if kind == "nesting":
        return LineDiagnostic(
            "E112",
            f"the scene is nested too deeply: more than {MAX_NESTING} lists inside one another",
            positions.span(offset, offset + 1),
            "Ody reads at most that many levels; flatten the list, or build the value in a "
            "template",
        )
    end = max(offset + 1, len(text[:line_end].rstrip(TRAILING_BLANKS)))
    if kind == "string":
        help_text = (
            'close it with `"` on the same line; for text over several lines use '
            'a triple-quoted string `"""..."""`'
        )
    else:
        help_text = 'close it with `"""`'
    return LineDiagnostic(
        "E101", f"this {kind} is never closed", positions.span(offset, end), help_text
    )


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _meant_name(text: str, tokens: tuple[SignificantToken, ...]) -> str | None:
    """The NAME of a broken `let NAME ...` (uses of that name are then not reported)."""
    if len(tokens) >= 2 and tokens[0].kind == "let":
        word = text[tokens[1].start : tokens[1].end]
        if _NAME.match(word):
            return word
    return None


# --- trivia -------------------------------------------------------------------------------


def _without_comments(text: str, comments: tuple[tuple[int, int], ...]) -> str:
    """`text` with every comment replaced by spaces (offsets stay the same)."""
    parts = []
    position = 0
    for start, end in comments:
        parts.append(text[position:start])
        parts.append(" " * (end - start))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _with_trivia(
    text: str,
    indent_end: int,
    significant: tuple[SignificantToken, ...],
    comments: tuple[tuple[int, int], ...],
) -> tuple[RawToken, ...]:
    """Every token of the line: the significant ones and the trivia between them."""
    out: list[RawToken] = []
    if indent_end:
        out.append((INDENT, 0, indent_end))
    comment_ends = dict(comments)
    position = indent_end
    for token in significant:
        if token.start > position:
            _trivia(text, position, token.start, comment_ends, out)
        out.append((token.kind, token.start, token.end))
        position = token.end
    if position < len(text):
        _trivia(text, position, len(text), comment_ends, out)
    return tuple(out)


def _trivia(
    text: str, start: int, end: int, comment_ends: dict[int, int], out: list[RawToken]
) -> None:
    position = start
    while position < end:
        if position in comment_ends:
            out.append((COMMENT, position, comment_ends[position]))
            position = comment_ends[position]
            continue
        if text.startswith("\r\n", position):
            out.append((NEWLINE, position, position + 2))
            position += 2
            continue
        if text[position] == "\n":
            out.append((NEWLINE, position, position + 1))
            position += 1
            continue
        run = position + 1
        while (
            run < end
            and text[run] != "\n"
            and run not in comment_ends
            and not text.startswith("\r\n", run)
        ):
            run += 1
        out.append((WHITESPACE, position, run))
        position = run
