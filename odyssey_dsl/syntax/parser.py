"""The generic path: one statement parsed by Lark with the grammar (`grammar.py`).

Lark's LALR parser decides whether the statement is valid and what its tokens are (the
contextual lexer picks each token's terminal from what the grammar accepts there). The
statement itself is then read from those tokens (`statements.py`), as for the fast path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odyssey_dsl.syntax.grammar import statement_parser
from odyssey_dsl.syntax.statements import LineDiagnostic, LinePositions, SignificantToken
from odyssey_dsl.syntax.tokens import kind_of_terminal

if TYPE_CHECKING:
    from odyssey_dsl.syntax.text import SourceFile
    from odyssey_dsl.syntax.tree import SyntaxTree


def lark_statement_tokens(
    source: str, start: int, end: int, positions: LinePositions, found: list[LineDiagnostic]
) -> tuple[SignificantToken, ...] | None:
    """The tokens of the statement `source[start:end]`, or None after reporting why it is
    not one."""
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

    statement = source[start:end]
    try:
        tree = statement_parser().parse(statement)
    except UnexpectedInput as error:
        from odyssey_dsl.syntax.errors import syntax_error  # only when a line is wrong

        found.append(syntax_error(statement, error, start, positions))
        return None
    leaves = tree.scan_values(lambda v: isinstance(v, Token)) if isinstance(tree, Tree) else [tree]
    return tuple(
        SignificantToken(
            kind_of_terminal(leaf.type), start + (leaf.start_pos or 0), start + (leaf.end_pos or 0)
        )
        for leaf in leaves
    )


def parse(source: SourceFile) -> SyntaxTree:
    """The syntax tree of a scene's source (the compiler's entry point; see `tree.py`)."""
    from odyssey_dsl.syntax.tree import parse_source

    return parse_source(source)
