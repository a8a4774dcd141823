"""Nesting statements into blocks by their indentation (E104, E110, E112).

A header (`repeat`, `for`, `script`) takes the lines indented deeper than it as its body.
A line that could not be read takes its deeper lines with it: they are not reported again
as wrongly indented, and are not read as statements of the enclosing block.
"""

from __future__ import annotations

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.layout import MAX_NESTING
from odyssey_dsl.syntax.text import SourceFile

Header = n.Repeat | n.ForLoop | n.ScriptBlock
_HEADER_TYPES = (n.Repeat, n.ForLoop, n.ScriptBlock)


class _Frame:
    """An open block: its indentation, header and the statements read so far."""

    __slots__ = ("body", "header", "indent")

    def __init__(self, indent: int, header: Header | None) -> None:
        self.indent = indent
        self.header = header
        self.body: list[n.Statement] = []


class BlockBuilder:
    """Nests lines into blocks; `lost` tells whether a statement was left out."""

    def __init__(self, source: SourceFile, found: list[Diagnostic]) -> None:
        self.source = source
        self.found = found
        self.stack: list[_Frame] = [_Frame(0, None)]
        self.pending: Header | None = None
        self.pending_indent = 0
        self.skip_deeper_than: int | None = None
        self.lost = False

    def add(
        self,
        indent: int,
        odd_indent: bool,
        statement: n.Statement | None,
        start: int,
        end: int,
        unreadable: bool,
    ) -> bool:
        """Place the statement of a line that is not blank (None when the line could not be
        read). `odd_indent`: the indentation has a tab or another odd blank (reported);
        `start`, `end`: the statement's text; `unreadable`: a string or list in it never
        ends (reported), so its indentation is not checked.

        Returns False when the indentation is wrong (E104: the line is left out, and its
        own syntax errors are not reported)."""
        if self.skip_deeper_than is not None:
            if indent > self.skip_deeper_than:
                return True  # inside a line that could not be read: reported there
            self.skip_deeper_than = None
        if self.pending is not None and not self._open_pending(indent):
            return True
        while indent < self.stack[-1].indent:
            self._close()
        if unreadable:
            self.skip_deeper_than = indent
            return True
        if indent != self.stack[-1].indent and not odd_indent:
            # A line indented with a tab or another odd blank (reported) is read as part of
            # the current block: its width is a guess, and dropping it would bring
            # follow-on errors.
            self._bad_indent(indent, start, end)
            self.skip_deeper_than = indent
            self.lost = True
            return False
        if statement is None:
            self.skip_deeper_than = indent
        elif isinstance(statement, _HEADER_TYPES):
            self.pending = statement
            self.pending_indent = indent
        else:
            self.stack[-1].body.append(statement)
        return True

    def finish(self) -> tuple[n.Statement, ...]:
        if self.pending is not None:
            self._missing_block(self.pending)
            self.stack[-1].body.append(self.pending)
            self.pending = None
        while len(self.stack) > 1:
            self._close()
        return tuple(self.stack[0].body)

    def _open_pending(self, indent: int) -> bool:
        """Give the pending header its body (or report that it has none); False when the
        header is nested too deeply and the line, in its body, is left out."""
        header = self.pending
        assert header is not None
        self.pending = None
        if indent <= self.pending_indent:
            self._missing_block(header)
            self.stack[-1].body.append(header)
        elif len(self.stack) > MAX_NESTING:
            self.found.append(
                diag.make(
                    "E112",
                    f"the scene is nested too deeply: more than {MAX_NESTING} blocks inside "
                    "one another",
                    self.source.name,
                    header.span,
                    help="Ody reads at most that many levels; move the inner loops into "
                    "fewer levels",
                )
            )
            self.skip_deeper_than = self.pending_indent
            self.lost = True
            return False
        else:
            self.stack.append(_Frame(indent, header))
        return True

    def _close(self) -> None:
        frame = self.stack.pop()
        header = frame.header
        assert header is not None
        body = tuple(frame.body)
        closed: n.Statement
        if isinstance(header, n.Repeat):
            closed = n.Repeat(header.where, header.prefix, header.times, header.every, body)
        elif isinstance(header, n.ForLoop):
            closed = n.ForLoop(
                header.where,
                header.prefix,
                header.var,
                header.var_span,
                header.items,
                header.every,
                body,
            )
        else:
            closed = n.ScriptBlock(header.where, header.name, body)
        self.stack[-1].body.append(closed)

    def _missing_block(self, header: Header) -> None:
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

    def _bad_indent(self, indent: int, start: int, end: int) -> None:
        if indent > self.stack[-1].indent:
            message = "unexpected indentation"
            help_text = "only the lines of a block (after a header ending in `:`) are indented"
        else:
            message = "this line's indentation matches no enclosing block"
            levels = ", ".join(str(frame.indent) for frame in self.stack)
            help_text = f"indent it by one of the enclosing blocks' levels ({levels} spaces)"
        span = self.source.span(start, end)
        self.found.append(diag.make("E104", message, self.source.name, span, help_text))
