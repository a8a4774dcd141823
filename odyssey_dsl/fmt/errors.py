"""Why the formatter gives no text back."""

from __future__ import annotations

from odyssey_dsl.diagnostics import Diagnostic


class FormatError(Exception):
    """The text cannot be formatted; `diagnostics` say why (its syntax errors)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class UnsafeFormat(FormatError):
    """The formatter's own result failed its safety check (a bug in odyc): the formatted
    text would not settle in one pass, or would change what the scene does, or would lose
    a comment. Nothing is to be written; `diagnostics` holds one E999 saying so."""
