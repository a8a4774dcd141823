"""Stage 1 — parse: source text → `Scene` (the syntax tree) plus syntax diagnostics.

The layout pass splits the file into logical lines; each is parsed with the Lark grammar
(`grammar/ody.lark`, LALR); lines are then nested into blocks by indentation. A line that
cannot be parsed is reported and skipped, so the other lines are still read and checked.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import NamedTuple

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.__about__ import __version__
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import DurationError, parse_duration
from odyssey_dsl.syntax.layout import LogicalLine, split_lines
from odyssey_dsl.syntax.literals import find_escape_errors, fold, literal_content, unescape
from odyssey_dsl.syntax.text import SourceFile, Span


class ParseResult(NamedTuple):
    scene: n.Scene | None
    diagnostics: tuple[Diagnostic, ...]
    broken_names: frozenset[str]
    """Names of `let`s on lines that could not be read: uses of them are not reported."""

    @property
    def has_broken_lines(self) -> bool:
        """True when some statement could not be read at all (timeline checks would be noise)."""
        return any(d.code.code in _LINE_LOSING_CODES for d in self.diagnostics)


# Codes after which a statement is missing from the tree.
_LINE_LOSING_CODES = frozenset({"E100", "E101", "E104", "E105"})


def grammar_path() -> Path:
    """The grammar file: inside the installed package, or `grammar/` of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "grammar" / "ody.lark"
    if packaged.is_file():
        return packaged
    return package.parent / "grammar" / "ody.lark"


@functools.cache
def statement_parser() -> Lark:
    """The LALR parser of one statement, built once per process.

    The built parser is cached on disk in the user's cache directory (never inside the
    installed package, which may be read-only); Lark checks the grammar's hash on load.
    """
    grammar = grammar_path().read_text(encoding="utf-8")
    options = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True}
    try:
        from platformdirs import user_cache_dir

        cache_dir = Path(user_cache_dir("odyc"))
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache_file = cache_dir / f"ody-grammar-{__version__}.lark-cache"
        return Lark(grammar, cache=str(cache_file), **options)
    except OSError:
        return Lark(grammar, **options)


def parse(source: SourceFile) -> ParseResult:
    """Parse a whole scene (see the module docstring)."""
    layout = split_lines(source)
    found: list[Diagnostic] = list(layout.diagnostics)
    builder = _BlockBuilder(source, found)
    broken_names: set[str] = set()
    for line in layout.lines:
        builder.add(line, broken_names)
    statements = builder.finish()
    scene = n.Scene(source.span(0, len(source.text)), statements, layout.comments)
    return ParseResult(scene, tuple(found), frozenset(broken_names))


# --- blocks --------------------------------------------------------------------------------


class _Frame:
    """An open block: its indentation, header and the statements read so far."""

    __slots__ = ("body", "header", "indent")

    def __init__(
        self,
        indent: int,
        header: n.Repeat | n.ForLoop | n.ScriptBlock | None,
        body: list[n.Statement],
    ) -> None:
        self.indent = indent
        self.header = header
        self.body = body


_HEADER_TYPES = (n.Repeat, n.ForLoop, n.ScriptBlock)
_LET_NAME = re.compile(r"let\s+([A-Za-z_][A-Za-z0-9_]*)")


class _BlockBuilder:
    """Nests parsed lines into blocks by their indentation."""

    def __init__(self, source: SourceFile, found: list[Diagnostic]) -> None:
        self.source = source
        self.found = found
        self.stack: list[_Frame] = [_Frame(0, None, [])]
        self.pending: n.Repeat | n.ForLoop | n.ScriptBlock | None = None
        self.pending_indent = 0
        self.skip_deeper_than: int | None = None

    def add(self, line: LogicalLine, broken_names: set[str]) -> None:
        text = self.source.text[line.start : line.end]
        if self.skip_deeper_than is not None:
            if line.indent > self.skip_deeper_than:
                # The body of a header that could not be read: check its syntax only.
                parse_statement(self.source, line, self.found)
                return
            self.skip_deeper_than = None
        if self.pending is not None:
            header, self.pending = self.pending, None
            if line.indent > self.pending_indent:
                self.stack.append(_Frame(line.indent, header, []))
            else:
                self._missing_block(header)
                self.stack[-1].body.append(header)
        while line.indent < self.stack[-1].indent:
            self._close()
        if line.indent != self.stack[-1].indent and not line.tab_indent:
            self._bad_indent(line)
            return
        # A line indented with a tab (E103) is read as part of the current block: its
        # width is a guess, and dropping the line would bring follow-on errors.
        statement = parse_statement(self.source, line, self.found)
        if statement is None:
            let = _LET_NAME.match(text)
            if let:
                broken_names.add(let.group(1))
            if text.endswith(":"):
                self.skip_deeper_than = line.indent
            return
        if isinstance(statement, _HEADER_TYPES):
            self.pending = statement
            self.pending_indent = line.indent
        else:
            self.stack[-1].body.append(statement)

    def finish(self) -> tuple[n.Statement, ...]:
        if self.pending is not None:
            self._missing_block(self.pending)
            self.stack[-1].body.append(self.pending)
            self.pending = None
        while len(self.stack) > 1:
            self._close()
        return tuple(self.stack[0].body)

    def _close(self) -> None:
        frame = self.stack.pop()
        assert frame.header is not None
        body = tuple(frame.body)
        header = frame.header
        closed: n.Statement
        if isinstance(header, n.Repeat):
            closed = n.Repeat(header.span, header.prefix, header.times, header.every, body)
        elif isinstance(header, n.ForLoop):
            closed = n.ForLoop(
                header.span,
                header.prefix,
                header.var,
                header.var_span,
                header.items,
                header.every,
                body,
            )
        else:
            closed = n.ScriptBlock(header.span, header.name, body)
        self.stack[-1].body.append(closed)

    def _missing_block(self, header: n.Repeat | n.ForLoop | n.ScriptBlock) -> None:
        what = "script" if isinstance(header, n.ScriptBlock) else "loop"
        self.found.append(
            diag.make(
                "E110",
                f"this {what} has no body",
                self.source.name,
                header.span,
                help="indent the lines that belong to it under the header, e.g.\n"
                + self.source.line_text(header.span.line)
                + '\n    interact "..."',
            )
        )

    def _bad_indent(self, line: LogicalLine) -> None:
        start = line.start
        if line.indent > self.stack[-1].indent:
            message = "unexpected indentation"
            help_text = "only the lines of a block (after a header ending in `:`) are indented"
        else:
            message = "this line's indentation matches no enclosing block"
            levels = ", ".join(str(frame.indent) for frame in self.stack)
            help_text = f"indent it by one of the enclosing blocks' levels ({levels} spaces)"
        self.found.append(
            diag.make(
                "E104",
                message,
                self.source.name,
                self.source.span(start, line.end),
                help=help_text,
            )
        )


# --- one statement -------------------------------------------------------------------------


def parse_statement(
    source: SourceFile, line: LogicalLine, found: list[Diagnostic]
) -> n.Statement | None:
    """Parse one logical line; on a syntax error report it and return None."""
    text = source.text[line.start : line.end]
    try:
        tree = statement_parser().parse(text)
    except UnexpectedInput as error:
        from odyssey_dsl.syntax.errors import syntax_error  # only when a line is wrong

        found.append(syntax_error(source, line, text, error))
        return None
    builder = _NodeBuilder(source, line.start, found)
    try:
        return builder.statement(tree)
    except _ActionOutsideTime:
        return None


class _ActionOutsideTime(Exception):
    pass


class _NodeBuilder:
    """Lark tree of one line → nodes, with file spans (the line starts at `base`)."""

    def __init__(self, source: SourceFile, base: int, found: list[Diagnostic]) -> None:
        self.source = source
        self.base = base
        self.found = found

    def span(self, item: Tree[Token] | Token) -> Span:
        if isinstance(item, Token):
            start, end = item.start_pos or 0, item.end_pos or 0
        else:
            start, end = item.meta.start_pos, item.meta.end_pos
        return self.source.span(self.base + start, self.base + end)

    def statement(self, tree: Tree[Token]) -> n.Statement:
        kind = tree.data
        span = self.span(tree)
        if kind == "portrait":
            return n.Portrait(span, tree.children[0].data == "true")  # type: ignore[union-attr]
        if kind == "let":
            name = tree.children[0]
            assert isinstance(name, Token)
            return n.Let(span, str(name), self.span(name), self.value(tree.children[1]))
        if kind == "timed_action":
            prefix, action = tree.children
            return n.ActionStmt(span, self.prefix(prefix), self.action(action))  # type: ignore[arg-type]
        if kind == "loop_header":
            loop = tree.children[-1]
            first = tree.children[0]
            time = self.prefix(first) if len(tree.children) > 1 else None  # type: ignore[arg-type]
            return self.loop(span, time, loop)  # type: ignore[arg-type]
        if kind == "script_header":
            return n.ScriptBlock(span, self.string(tree.children[0]), ())  # type: ignore[arg-type]
        return n.ActionStmt(span, None, self.action(tree))

    def loop(self, span: Span, prefix: n.TimePrefix | None, tree: Tree[Token]) -> n.Statement:
        if tree.data == "repeat":
            count, every = tree.children
            return n.Repeat(span, prefix, self.value(count), self.time(every), ())
        var, items, every = tree.children
        assert isinstance(var, Token)
        return n.ForLoop(
            span, prefix, str(var), self.span(var), self.value(items), self.time(every), ()
        )

    def prefix(self, tree: Tree[Token]) -> n.TimePrefix:
        time = self.time(tree.children[0])
        if tree.data == "at":
            return n.At(self.span(tree), time)
        return n.After(self.span(tree), time)

    def action(self, tree: Tree[Token]) -> n.Action:
        span = self.span(tree)
        if tree.data == "start":
            prompt = self.string(tree.children[0])  # type: ignore[arg-type]
            image = tree.children[1] if len(tree.children) > 1 else None
            return n.Start(span, prompt, self.string(image) if image is not None else None)  # type: ignore[arg-type]
        if tree.data == "interact":
            return n.Interact(span, self.string(tree.children[0]))  # type: ignore[arg-type]
        return n.End(span)

    def time(self, tree: Tree[Token] | Token | None) -> n.Expr:
        assert isinstance(tree, Tree)
        if tree.data == "bare_number":
            token = tree.children[0]
            span = self.span(tree)
            self.found.append(
                diag.make(
                    "E107",
                    f"expected a duration, found the bare number `{token}`",
                    self.source.name,
                    span,
                    help=f"durations need a unit: write `{token}s` for seconds or "
                    f"`{token}ms` for milliseconds",
                )
            )
            try:
                ms = round(float(str(token)) * 1000)
            except ValueError:  # pragma: no cover - NUMBER is always a float
                ms = 0
            return n.DurationLit(span, max(ms, 0), f"{token}s")
        return self.value(tree)

    def value(self, tree: Tree[Token] | Token | None) -> n.Expr:
        assert isinstance(tree, Tree)
        span = self.span(tree)
        kind = tree.data
        if kind == "string":
            return self.string(tree)
        if kind == "name":
            return n.NameRef(span, str(tree.children[0]))
        if kind == "true" or kind == "false":
            return n.BoolLit(span, kind == "true")
        if kind == "number":
            text = str(tree.children[0])
            return n.NumberLit(span, float(text) if "." in text else int(text), text)
        if kind == "duration":
            text = str(tree.children[0])
            try:
                ms = parse_duration(text)
            except DurationError as error:
                self.found.append(
                    diag.make(error.code, error.message, self.source.name, span, error.help)
                )
                ms = -1  # reported; expansion treats the value as missing
            return n.DurationLit(span, ms, text)
        if kind == "list":
            items = tuple(self.value(child) for child in tree.children if child is not None)
            return n.ListLit(span, items)
        raise AssertionError(f"unexpected value node {kind}")  # pragma: no cover

    def string(self, tree: Tree[Token]) -> n.StringLit:
        token = tree.children[0]
        assert isinstance(token, Token)
        span = self.span(token)
        content, quote_length, triple = literal_content(str(token))
        content_offset = span.start_offset + quote_length
        for error in find_escape_errors(content):
            start = content_offset + error.offset
            self.found.append(
                diag.make(
                    "E102",
                    error.message,
                    self.source.name,
                    self.source.span(start, start + error.length),
                    help=error.help,
                )
            )
        value = unescape(fold(content) if triple else content)
        return n.StringLit(span, value, content_offset)
