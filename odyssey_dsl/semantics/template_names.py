"""The names a template reads, with their offsets in the template's text: the one Jinja scan.

Every string literal of a scene is a Jinja2 template. `template_names(text)` lists each place
where the template reads a variable of the scene (`{{ subject }}`, `{% if loop.first %}`,
`{{ moods | join(", ") }}`), in order, with the offset of the name in `text` and, for
`loop.index`, the attribute read. Names that are not variables are left out: attributes
(`.index`), filters (`| upper`), tests (`is defined`), keyword arguments (`f(a=1)`), names the
template defines itself (`{% set x = 1 %}`, `{% for x in xs %}`), and Jinja's own `loop`
inside a `{% for %}`.

Which names a template reads from outside is Jinja2's own answer
(`jinja2.meta.find_undeclared_variables`, plus Jinja2's globals such as `range`, which a
scene may shadow with a `let`); their places come from Jinja2's lexer
(`Environment.lex`). Templates made only of plain text and `{{ name }}`,
`{{ name.attribute }}` or `{{ name | filter }}` tags take a regular-expression fast path
that gives the same result (a differential test holds them equal). A template that does
not parse still lists the names its tags mention, so that a `let` used only there is not
reported as unused.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import jinja2
from jinja2 import meta

from odyssey_dsl.semantics.templates import environment


class TemplateName(NamedTuple):
    """One read of a scene variable inside a template."""

    name: str
    start: int
    """Offset of the name's first character in the template's text."""
    attribute: str | None = None
    """The attribute read right after the name (`index` in `loop.index`), if any."""


_MARKERS = re.compile(r"\{[{%#]")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_SIMPLE_TAG = re.compile(
    rf"\{{\{{[ \t]*({_IDENTIFIER})((?:\.{_IDENTIFIER})*)"
    rf"(?:[ \t]*\|[ \t]*{_IDENTIFIER})*[ \t]*\}}\}}"
)
_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})
_EXPRESSION_WORDS = _CONSTANTS | frozenset({"and", "or", "not", "in", "is", "if", "else"})
"""Names that are Jinja2 syntax inside an expression, never variables."""


@functools.lru_cache(maxsize=8192)
def template_names(text: str) -> tuple[TemplateName, ...]:
    """Every read of a scene variable in the template `text`, in order (see the module
    docstring). Plain text gives `()`."""
    if not _MARKERS.search(text):
        return ()
    simple = simple_template_names(text)
    if simple is not None:
        return simple
    return lexed_template_names(text)


def simple_template_names(text: str) -> tuple[TemplateName, ...] | None:
    """The fast path: the names of a template whose tags are all `{{ name(.attr)* (| filter)* }}`,
    or None when some tag is anything else."""
    found: list[TemplateName] = []
    position = 0
    while (marker := _MARKERS.search(text, position)) is not None:
        tag = _SIMPLE_TAG.match(text, marker.start())
        if tag is None or tag.group(1) in _EXPRESSION_WORDS:
            return None
        attributes = tag.group(2)
        attribute = attributes[1:].split(".", 1)[0] if attributes else None
        found.append(TemplateName(tag.group(1), tag.start(1), attribute))
        position = tag.end()
    return tuple(found)


class _Token(NamedTuple):
    kind: str
    value: str
    start: int


def lexed_template_names(text: str) -> tuple[TemplateName, ...]:
    """The general path: Jinja2's lexer for the places, its `meta` analysis for the names."""
    tokens = _positioned_tokens(text)
    env = environment()
    try:
        # `meta` leaves out Jinja2's globals (`range`, ...); a scene may shadow them.
        free: frozenset[str] | None = frozenset(
            meta.find_undeclared_variables(env.parse(text))
        ) | frozenset(env.globals)
    except jinja2.TemplateSyntaxError:
        free = None  # a broken template: every name its tags mention counts
    found: list[TemplateName] = []
    jinja_loops = 0  # open `{% for %}` blocks: `loop` inside them is Jinja2's own
    for index, token in enumerate(tokens):
        if token.kind != "name":
            continue
        before = tokens[index - 1] if index else None
        if before is not None and before.kind == "block_begin":
            if token.value == "for":
                jinja_loops += 1
            elif token.value == "endfor":
                jinja_loops = max(0, jinja_loops - 1)
            continue
        if not _reads_variable(tokens, index):
            continue
        if free is not None and token.value not in free:
            continue
        if free is None and token.value in _EXPRESSION_WORDS:
            continue
        if token.value == "loop" and jinja_loops:
            continue
        found.append(TemplateName(token.value, token.start, _attribute_after(tokens, index)))
    return tuple(found)


def _positioned_tokens(text: str) -> list[_Token]:
    """Jinja2's tokens of `text` with their offsets, without whitespace.

    The lexer yields each token's text; the offsets are found by walking `text` alongside
    (whitespace control such as `{{-` drops characters, which `find` steps over). Tokens
    after a lexing error, or after text the lexer rewrote (a `\\r\\n`), are left out.
    """
    tokens: list[_Token] = []
    position = 0
    try:
        for _, kind, value in environment().lex(text):
            start = position if text.startswith(value, position) else text.find(value, position)
            if start < 0:
                break
            position = start + len(value)
            if kind != "whitespace":
                tokens.append(_Token(kind, value, start))
    except jinja2.TemplateSyntaxError:
        pass
    return tokens


def _is_operator(token: _Token | None, value: str) -> bool:
    return token is not None and token.kind == "operator" and token.value == value


def _is_name(token: _Token | None, value: str) -> bool:
    return token is not None and token.kind == "name" and token.value == value


def _reads_variable(tokens: list[_Token], index: int) -> bool:
    """Whether the name token at `index` stands where Jinja2 reads a variable."""
    before = tokens[index - 1] if index else None
    two_before = tokens[index - 2] if index > 1 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if _is_operator(before, ".") or _is_operator(before, "|"):
        return False  # an attribute or a filter
    if _is_name(before, "is") or (_is_name(before, "not") and _is_name(two_before, "is")):
        return False  # a test
    return not _is_operator(after, "=")  # a keyword argument or an assignment


def _attribute_after(tokens: list[_Token], index: int) -> str | None:
    if index + 2 < len(tokens) and _is_operator(tokens[index + 1], "."):
        following = tokens[index + 2]
        if following.kind == "name":
            return following.value
    return None
