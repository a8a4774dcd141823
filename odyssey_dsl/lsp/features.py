"""The features the server answers, one function each: `(edge, *params) -> LSP result`.

Each runs on the analysis worker thread, from one document version's `Analysis`.
"""

from odyssey_dsl.lsp.actions import code_actions
from odyssey_dsl.lsp.completion import completions
from odyssey_dsl.lsp.diagnostics import lsp_diagnostics
from odyssey_dsl.lsp.formatting import format_document, format_range
from odyssey_dsl.lsp.hints import inlay_hints
from odyssey_dsl.lsp.hover import hover
from odyssey_dsl.lsp.navigation import (
    RenameRefused,
    definition,
    prepare_rename,
    references,
    rename_edits,
)
from odyssey_dsl.lsp.outline import code_lenses, document_symbols, folding_ranges, selection_ranges
from odyssey_dsl.lsp.timeline_request import timeline_result

__all__ = [
    "RenameRefused",
    "code_actions",
    "code_lenses",
    "completions",
    "definition",
    "document_symbols",
    "folding_ranges",
    "format_document",
    "format_range",
    "hover",
    "inlay_hints",
    "lsp_diagnostics",
    "prepare_rename",
    "references",
    "rename_edits",
    "selection_ranges",
    "timeline_result",
]
