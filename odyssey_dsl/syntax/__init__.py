"""Syntax: source text → the lossless syntax tree, its typed view and syntax diagnostics.

Invariants (tests/test_syntax_tree.py and tests/test_fast_path.py check them):

- Parsing never fails: `parse(text)` returns a tree for every `str` (BOM, CR/CRLF, tabs,
  NUL, any Unicode); problems are diagnostics in `tree.diagnostics`.
- The tree is lossless: `parse(text).text == text`, and `tree.tokens()` yields tokens whose
  texts are contiguous and cover the whole text, trivia (indentation, whitespace, line
  breaks, comments) included.
- A line that cannot be read stays in the tree as an error node holding its tokens; the
  other lines, and what the error node's tokens say (the NAME of a broken `let`), remain.
- The grammar (`grammar/ody.lark`, read by Lark) is the only definition of the syntax; the
  fast paths are built from its terminals and agree with Lark on every line
  (`ODYC_NO_FAST_PATH=1` turns them off).
- The typed nodes (`nodes.py`) are read from the tokens of each line: by `statements.py`,
  or, for the commonest statements (timed and bare actions), by `fast_path.py` straight
  from the offsets of its match; the differential tests hold both to the Lark reading.
- Reading a line is a pure function of its text, memoised: a re-parse after an edit reads
  again only the lines that changed.
- The tree is a value: nothing in it changes after `parse` returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odyssey_dsl.syntax.tree import SyntaxTree

__all__ = ["parse"]


def parse(text: str, filename: str = "<input>") -> SyntaxTree:
    """Parse the text of a scene into its lossless syntax tree. Never raises."""
    from odyssey_dsl.syntax.tree import parse as parse_text

    return parse_text(text, filename)
