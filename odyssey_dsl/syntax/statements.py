"""Typed statements from the tokens of one logical line.

This is the one place where typed nodes (`nodes.py`) are made: both the Lark parse and the
fast paths only decide the tokens of a line (kind and position); the statement is then read
from those tokens. The tokens are known to form a valid statement (the parser accepted
them), so reading them is a walk from left to right. Values are checked here: durations,
escapes, numbers too large to be meant.

Spans are relative to the line: line 1 is the logical line's first line, offset 0 its
first character (see `LinePositions`); `place.py` moves them to the file.
"""

from __future__ import annotations

from typing import NamedTuple

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import DurationError, parse_duration
from odyssey_dsl.syntax.literals import (
    MAX_NUMBER_DIGITS,
    find_escape_errors,
    fold,
    integer_digits,
    unescape,
)
from odyssey_dsl.syntax.text import Span


class LineDiagnostic(NamedTuple):
    """A diagnostic found in one line, with a span relative to the line."""

    code: str
    message: str
    span: Span
    help: str | None = None


class SignificantToken(NamedTuple):
    """A token that is not trivia: its kind and its offsets in the line."""

    kind: str
    start: int
    end: int


class LinePositions:
    """Relative spans inside one logical line (which may hold line breaks)."""

    __slots__ = ("_breaks",)

    def __init__(self, text: str) -> None:
        breaks: list[int] = []
        index = text.find("\n")
        while index != -1:
            breaks.append(index)
            index = text.find("\n", index + 1)
        self._breaks = tuple(breaks)

    def span(self, start: int, end: int) -> Span:
        if not self._breaks:
            return Span(1, start + 1, 1, end + 1, start, end)
        line, column = self._position(start)
        end_line, end_column = self._position(end)
        return Span(line, column, end_line, end_column, start, end)

    def _position(self, offset: int) -> tuple[int, int]:
        line = 0
        for line_break in self._breaks:
            if line_break >= offset:
                break
            line += 1
        line_start = self._breaks[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


class NumberTooLarge(Exception):
    """A number literal with more digits than any count, time or value needs (E111)."""

    def __init__(self, diagnostic: LineDiagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def read_statement(
    text: str,
    tokens: tuple[SignificantToken, ...],
    positions: LinePositions,
    found: list[LineDiagnostic],
) -> n.Statement:
    """The statement that `tokens` (a valid statement) form; value problems go to `found`.

    Raises `NumberTooLarge` when a number is too large to read (the line is then lost).
    """
    return _Reader(text, tokens, positions, found).statement()


class _Reader:
    __slots__ = ("found", "positions", "text", "tokens")

    def __init__(
        self,
        text: str,
        tokens: tuple[SignificantToken, ...],
        positions: LinePositions,
        found: list[LineDiagnostic],
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.positions = positions
        self.found = found

    def span(self, first: int, last: int) -> Span:
        """The span from token `first` to token `last` (inclusive)."""
        return self.positions.span(self.tokens[first].start, self.tokens[last].end)

    def token_text(self, index: int) -> str:
        token = self.tokens[index]
        return self.text[token.start : token.end]

    def statement(self) -> n.Statement:
        tokens = self.tokens
        last = len(tokens) - 1
        span = self.span(0, last)
        kind = tokens[0].kind
        if kind in ("at", "after"):
            prefix = self.prefix(0)
            if tokens[2].kind == "colon":
                return n.ActionStmt(span, prefix, self.action(3))
            return self.loop(span, prefix, 2)
        if kind in ("start", "interact", "end"):
            return n.ActionStmt(span, None, self.action(0))
        if kind == "let":
            value, _ = self.value(3)
            return n.Let(span, self.token_text(1), self.span(1, 1), value)
        if kind in ("repeat", "for"):
            return self.loop(span, None, 0)
        if kind == "portrait":
            return n.Portrait(span, tokens[2].kind == "true")
        if kind == "script":
            return n.ScriptBlock(span, self.string(1), ())
        raise AssertionError(f"not a statement: {kind}")  # pragma: no cover

    def prefix(self, index: int) -> n.TimePrefix:
        time = self.time(index + 1)
        span = self.span(index, index + 1)
        if self.tokens[index].kind == "at":
            return n.At(span, time)
        return n.After(span, time)

    def action(self, index: int) -> n.Action:
        kind = self.tokens[index].kind
        last = len(self.tokens) - 1
        span = self.span(index, last)
        if kind == "start":
            image = self.string(last) if last > index + 1 else None
            return n.Start(span, self.string(index + 1), image)
        if kind == "interact":
            return n.Interact(span, self.string(index + 1))
        return n.End(span)

    def loop(self, span: Span, prefix: n.TimePrefix | None, index: int) -> n.Statement:
        tokens = self.tokens
        if tokens[index].kind == "repeat":
            count, after = self.value(index + 1)
            return n.Repeat(span, prefix, count, self.time(after + 2), ())
        items, after = self.value(index + 3)
        return n.ForLoop(
            span,
            prefix,
            self.token_text(index + 1),
            self.span(index + 1, index + 1),
            items,
            self.time(after + 2),
            (),
        )

    def time(self, index: int) -> n.Expr:
        if self.tokens[index].kind != "number":
            return self.value(index)[0]
        text = self.token_text(index)
        span = self.span(index, index)
        self.check_size(text, span)
        self.found.append(
            LineDiagnostic(
                "E107",
                f"expected a duration, found the bare number `{text}`",
                span,
                f"durations need a unit: write `{text}s` for seconds or `{text}ms` for "
                "milliseconds",
            )
        )
        return n.DurationLit(span, max(round(float(text) * 1000), 0), f"{text}s")

    def value(self, index: int) -> tuple[n.Expr, int]:
        """The value starting at token `index`, and the index of its last token."""
        kind = self.tokens[index].kind
        span = self.span(index, index)
        if kind == "string" or kind == "long_string":
            return self.string(index), index
        if kind == "name":
            return n.NameRef(span, self.token_text(index)), index
        if kind == "true" or kind == "false":
            return n.BoolLit(span, kind == "true"), index
        if kind == "number":
            text = self.token_text(index)
            self.check_size(text, span)
            return n.NumberLit(span, float(text) if "." in text else int(text), text), index
        if kind == "duration":
            return self.duration(index, span), index
        if kind == "lsqb":
            return self.list_value(index)
        raise AssertionError(f"not a value: {kind}")  # pragma: no cover

    def list_value(self, index: int) -> tuple[n.Expr, int]:
        items: list[n.Expr] = []
        position = index + 1
        while self.tokens[position].kind != "rsqb":
            item, last = self.value(position)
            items.append(item)
            position = last + 1
            if self.tokens[position].kind == "comma":
                position += 1
        return n.ListLit(self.span(index, position), tuple(items)), position

    def duration(self, index: int, span: Span) -> n.DurationLit:
        text = self.token_text(index)
        try:
            ms = parse_duration(text)
        except DurationError as error:
            if error.code == "E111":
                raise NumberTooLarge(
                    LineDiagnostic(error.code, error.message, span, error.help)
                ) from None
            self.found.append(LineDiagnostic(error.code, error.message, span, error.help))
            ms = -1  # reported; expansion treats the value as missing
        return n.DurationLit(span, ms, text)

    def string(self, index: int) -> n.StringLit:
        token = self.tokens[index]
        triple = token.kind == "long_string"
        quotes = 3 if triple else 1
        content = self.text[token.start + quotes : token.end - quotes]
        content_offset = token.start + quotes
        if "\\" in content:
            for error in find_escape_errors(content):
                start = content_offset + error.offset
                self.found.append(
                    LineDiagnostic(
                        "E102",
                        error.message,
                        self.positions.span(start, start + error.length),
                        error.help,
                    )
                )
        value = unescape(fold(content) if triple else content)
        return n.StringLit(self.span(index, index), value, content_offset)

    def check_size(self, text: str, span: Span) -> None:
        if integer_digits(text) > MAX_NUMBER_DIGITS:
            raise NumberTooLarge(too_large(text, span))


def too_large(text: str, span: Span) -> LineDiagnostic:
    shown = text if len(text) <= 24 else text[:12] + "…" + text[-8:]
    return LineDiagnostic(
        "E111",
        f"the number `{shown}` is too large",
        span,
        f"a number in a scene has at most {MAX_NUMBER_DIGITS} digits before its decimal "
        "point; no count, time or value needs more",
    )
