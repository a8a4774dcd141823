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

from odyssey_dsl.syntax import fast_path
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.grammar import ignored_terminals, terminals
from odyssey_dsl.syntax.layout import MAX_NESTING, TRAILING_BLANKS, leading_blanks
from odyssey_dsl.syntax.layout import scan_logical_line as scan
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
    ERROR,
    INDENT,
    NEWLINE,
    WHITESPACE,
    kind_of_terminal,
)

TAB_WIDTH = 4
MEMO_SIZE = 1 << 14
"""Lines remembered by `read_line`: more than the lines of any scene edited by hand."""

RawToken = tuple[str, int, int]
"""A token as the tree stores it: kind, start and end offsets in the line."""


class LineSyntax(NamedTuple):
    """One logical line, read on its own (offsets and spans relative to the line)."""

    tokens: tuple[RawToken, ...]
    """Every token, trivia included: contiguous, covering the whole line."""
    indent: int
    """Width of the indentation (a tab counts as 4)."""
    statement: n.Statement | None
    """The statement, None for a blank or comment line and for a line that is `broken`."""
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


@functools.lru_cache(maxsize=MEMO_SIZE)
def read_line(text: str, fast: bool = True) -> LineSyntax:
    """Read the logical line `text` (without its final line break).

    `fast=False` reads every statement with Lark (see `fast_path.py`).
    """
    indent_end, width, found = _indentation(text)
    scanned = scan(text, indent_end, leading_blanks(text, 0))
    comments = scanned.comments
    source = _without_comments(text, comments) if comments else text
    end = len(source.rstrip(TRAILING_BLANKS + "\n"))
    if end <= indent_end and scanned.problem is None:
        tokens = _with_trivia(text, indent_end, (), comments)
        return LineSyntax(
            tokens,
            width,
            None,
            tuple(found),
            False,
            None,
            bool(found),
            comments,
            (indent_end, indent_end),
        )
    positions = LinePositions(text)
    statement: n.Statement | None = None
    significant: tuple[SignificantToken, ...] | None = None
    if scanned.problem is not None:
        found.append(_problem(text, scanned.problem.kind, scanned.problem.offset, positions))
    else:
        if fast:
            significant = fast_path.statement_tokens(source, indent_end, end)
        if significant is None:
            significant = lark_statement_tokens(source, indent_end, end, positions, found)
        if significant is not None:
            try:
                statement = read_statement(text, significant, positions, found)
            except NumberTooLarge as error:
                found.append(error.diagnostic)
    if significant is None:
        significant = best_effort_tokens(source, indent_end, end)
    broken = statement is None
    tokens = _with_trivia(text, indent_end, significant, comments)
    name = _meant_name(text, significant) if broken else None
    odd = any(d.code in ("E103", "E113") for d in found)
    return LineSyntax(
        tokens, width, statement, tuple(found), broken, name, odd, comments, (indent_end, end)
    )


# --- indentation -------------------------------------------------------------------------


def _indentation(text: str) -> tuple[int, int, list[LineDiagnostic]]:
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
        return position, width, []
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
    return position, width, [found]


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


# --- tokens of lines that could not be read ----------------------------------------------


@functools.cache
def _lexer() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern trying every terminal in the lexer's priority order (blanks first), and
    the token kind of each of its groups."""
    found = terminals()
    ignored = set(ignored_terminals())
    ordered = sorted(found.values(), key=lambda t: (t.name not in ignored, -t.priority, t.name))
    pattern = "|".join(f"(?P<t{index}>{t.pattern})" for index, t in enumerate(ordered))
    kinds = {
        f"t{index}": WHITESPACE if t.name in ignored else kind_of_terminal(t.name)
        for index, t in enumerate(ordered)
    }
    return re.compile(pattern), kinds


def best_effort_tokens(source: str, start: int, end: int) -> tuple[SignificantToken, ...]:
    """Tokens of a statement that could not be read, as far as the terminals match them;
    the rest is `error` tokens."""
    pattern, kinds = _lexer()
    found: list[SignificantToken] = []
    position = start
    while position < end:
        match = pattern.match(source, position, end)
        if match is None or match.end() == position:
            if found and found[-1].kind == ERROR and found[-1].end == position:
                found[-1] = SignificantToken(ERROR, found[-1].start, position + 1)
            else:
                found.append(SignificantToken(ERROR, position, position + 1))
            position += 1
            continue
        kind = kinds[match.lastgroup or ""]
        if kind != WHITESPACE:
            found.append(SignificantToken(kind, position, match.end()))
        position = match.end()
    return tuple(found)


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
