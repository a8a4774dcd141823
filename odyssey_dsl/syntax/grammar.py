"""The grammar (`grammar/ody.lark`): the Lark parser of one statement and its terminals.

The grammar is the single definition of Ody's syntax. Lark reads it into an LALR parser with
the contextual lexer, built once per process and never cached on disk (a cache file is a
pickle, and unpickling a file that someone else could have written runs their code).

The fast paths (`fast_path.py`) and the layout pass need the terminals' regular expressions.
Building the Lark parser takes tens of milliseconds, so the terminals are also kept in
`_terminals.py`, generated from the built parser (`python -m odyssey_dsl.syntax.grammar`)
together with the grammar's SHA-256: when the grammar file no longer matches that hash, the
terminals are read from the built parser instead, so they can never be stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from lark import Lark


class Terminal(NamedTuple):
    """One terminal of the grammar: its name, regular expression and lexer priority."""

    name: str
    pattern: str
    priority: int


def grammar_path() -> Path:
    """The grammar file: inside the installed package, or `grammar/` of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "grammar" / "ody.lark"
    if packaged.is_file():
        return packaged
    return package.parent / "grammar" / "ody.lark"


@functools.cache
def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def statement_parser() -> Lark:
    """The LALR parser of one statement, built once per process (never from a disk cache).

    `keep_all_tokens` keeps keywords and punctuation in the tree: every token of a line
    becomes a token of the lossless syntax tree.
    """
    from lark import Lark

    return Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True)


def terminals_of(parser: Lark) -> tuple[tuple[Terminal, ...], tuple[str, ...]]:
    """(every terminal, the names of the ignored ones) of a built parser."""
    found = tuple(
        Terminal(t.name, t.pattern.to_regexp(), t.priority)
        for t in sorted(parser.terminals, key=lambda t: t.name)
    )
    return found, tuple(sorted(parser.ignore_tokens))


@functools.cache
def terminals() -> dict[str, Terminal]:
    """The grammar's terminals by name (from `_terminals.py` when it matches the grammar)."""
    from odyssey_dsl.syntax import _terminals

    if grammar_digest(grammar_text()) == _terminals.GRAMMAR_SHA256:
        found = tuple(Terminal(*t) for t in _terminals.TERMINALS)
    else:  # the grammar was edited since `_terminals.py` was generated
        found, _ = terminals_of(statement_parser())
    return {t.name: t for t in found}


@functools.cache
def ignored_terminals() -> tuple[str, ...]:
    from odyssey_dsl.syntax import _terminals

    if grammar_digest(grammar_text()) == _terminals.GRAMMAR_SHA256:
        return _terminals.IGNORED
    return terminals_of(statement_parser())[1]


def keyword_terminals() -> dict[str, str]:
    """Keyword → terminal name: the terminals whose pattern is a word followed by `\\b`."""
    found = {}
    for terminal in terminals().values():
        word = terminal.pattern.removesuffix("\\b")
        if word != terminal.pattern and word.isalpha():
            found[word] = terminal.name
    return found


def generated_terminals_module(parser: Lark, digest: str) -> str:
    """The text of `_terminals.py` for a built parser."""
    found, ignored = terminals_of(parser)
    rows = "".join(
        f"    ({_literal(t.name)}, {_literal(t.pattern)}, {t.priority}),\n" for t in found
    )
    names = "".join(f"{_literal(name)}," for name in ignored)
    return (
        '"""The grammar\'s terminals, generated from `grammar/ody.lark` by\n'
        '`python -m odyssey_dsl.syntax.grammar`; do not edit (see `grammar.py`)."""\n\n'
        f'GRAMMAR_SHA256 = "{digest}"\n'
        f"TERMINALS: tuple[tuple[str, str, int], ...] = (\n{rows})\n"
        f"IGNORED: tuple[str, ...] = ({names})\n"
    )


def _literal(text: str) -> str:
    """A Python string literal of `text`, quoted the way `ruff format` leaves it."""
    body = json.dumps(text)[1:-1]
    if '"' in text and "'" not in text:
        return "'" + body.replace('\\"', '"') + "'"
    return f'"{body}"'


def _regenerate() -> None:  # pragma: no cover - a maintainer's command
    target = Path(__file__).with_name("_terminals.py")
    text = generated_terminals_module(statement_parser(), grammar_digest(grammar_text()))
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":  # pragma: no cover
    _regenerate()
