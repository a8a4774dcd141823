"""The compiler's diagnostics as LSP diagnostics: code, severity, message with its help,
a link to the code's entry in docs/diagnostics.md, and the lines the text names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.diagnostics.docs import anchor, help_uri

if TYPE_CHECKING:
    from odyssey_dsl.diagnostics import Diagnostic
    from odyssey_dsl.lsp.edge import Edge

SOURCE = "odyc"

_NAMED_LINE = re.compile(r"\bline (\d+)\b")


def lsp_diagnostics(edge: Edge) -> list[types.Diagnostic]:
    """Every diagnostic of the analysis, in the compiler's order."""
    return [lsp_diagnostic(d, edge) for d in edge.analysis.timeline.diagnostics]


def lsp_diagnostic(diagnostic: Diagnostic, edge: Edge) -> types.Diagnostic:
    message = diagnostic.message
    if diagnostic.help:
        message = f"{message}\n{diagnostic.help}"
    related = list(_related(diagnostic, edge))
    return types.Diagnostic(
        range=edge.range(diagnostic.span),
        message=message,
        severity=(
            types.DiagnosticSeverity.Error
            if diagnostic.is_error
            else types.DiagnosticSeverity.Warning
        ),
        code=diagnostic.code.code,
        code_description=_code_description(diagnostic.code.code),
        source=SOURCE,
        related_information=related or None,
        data={"help": diagnostic.help},
    )


LOCAL_DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "diagnostics.md"
"""docs/diagnostics.md of a source checkout (absent from an installed wheel)."""


def _code_description(code: str) -> types.CodeDescription | None:
    """The code's entry in docs/diagnostics.md: where the project publishes it, else the file
    of a source checkout; nothing when neither exists (no address is made up)."""
    published = help_uri(code)
    if published is not None:
        return types.CodeDescription(href=published)
    if LOCAL_DOCS.is_file():
        return types.CodeDescription(href=f"{LOCAL_DOCS.as_uri()}#{anchor(code)}")
    return None


def _related(diagnostic: Diagnostic, edge: Edge) -> Iterator[types.DiagnosticRelatedInformation]:
    """A location for each other line the message or its help names ("line 3")."""
    source = edge.analysis.timeline.source
    uri = edge.analysis.document.uri
    seen = {diagnostic.span.line}
    for text in (diagnostic.message, diagnostic.help or ""):
        for match in _NAMED_LINE.finditer(text):
            line = int(match.group(1))
            if line in seen or not 1 <= line <= source.line_count:
                continue
            seen.add(line)
            span = source.line_span(line)
            yield types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=edge.range(span)),
                message=f"line {line}: {source.line_text(line).strip()}",
            )
