"""The names a template reads, with their offsets in the template's text: the one Jinja scan.

Every string literal of a scene is a Jinja2 template. `template_names(text)` lists each place
where the template reads a variable of the scene (`{{ subject }}`, `{% if loop.first %}`,
`{{ moods | join(", ") }}`), in order, with the offset of the name in `text` and, for
`loop.index`, the attribute read. Names that are not variables are left out: attributes
(`.index`), filters (`| upper`), tests (`is defined`), keyword arguments (`f(a=1)`), names the
template defines itself (`{% set x = 1 %}`, `{% for x in xs %}`), and Jinja's own `loop`
inside a `{% for %}`.

The places come from Jinja2's own lexer (`Environment.lex`); which names are read is decided
tag by tag from the tokens, without compiling the template: a name the template binds
anywhere (`set`, `for`, `with`, `macro`, `call`, `import`) is the template's own throughout.
Tests hold the result to Jinja2's answer (`jinja2.meta.find_undeclared_variables`, plus the
globals such as `range` that a scene may shadow) on templates built from every kind of tag.
Templates made only of plain text and `{{ name }}`, `{{ name.attribute }}` or
`{{ name | filter }}` tags (filter arguments may be literals: `| replace('a', 'b')`) take a
regular-expression fast path that gives the same result (a
differential test holds them equal). A template that does not parse still lists the names its
tags mention, so that a `let` used only there is not reported as unused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

import jinja2

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
_LITERAL = r"""(?:'[^'\\\n]*'|"[^"\\\n]*"|-?[0-9]+)"""
_ARGUMENTS = rf"\([ \t]*(?:{_LITERAL}(?:[ \t]*,[ \t]*{_LITERAL})*)?[ \t]*\)"
_SIMPLE_TAG = re.compile(
    rf"\{{\{{[ \t]*({_IDENTIFIER})((?:\.{_IDENTIFIER})*)"
    rf"(?:[ \t]*\|[ \t]*{_IDENTIFIER}(?:{_ARGUMENTS})?)*[ \t]*\}}\}}"
)
"""`{{ name.attribute | filter | filter('literal', 3) }}`: literals only as filter arguments."""
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
    """The fast path: the names of a template whose tags are all `{{ name(.attr)* (| filter)* }}`
    (filters with literal arguments), or None when some tag is anything else."""
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
    """The general path: Jinja2's tokens, read tag by tag (see the module docstring)."""
    tags = _tags(_positioned_tokens(text))
    own: set[str] = set()
    for is_block, body in tags:
        if is_block:
            own.update(_bound_names(body))
    found: list[TemplateName] = []
    jinja_loops = 0  # open `{% for %}` blocks: `loop` inside them is Jinja2's own
    for is_block, body in tags:
        tag = body[0].value if is_block and body and body[0].kind == "name" else None
        for index in _value_positions(tag, body):
            token = body[index]
            if token.kind != "name" or not _reads_variable(body, index):
                continue
            if token.value in _EXPRESSION_WORDS or token.value in own:
                continue
            if token.value == "loop" and jinja_loops:
                continue
            found.append(TemplateName(token.value, token.start, _attribute_after(body, index)))
        if tag == "for":
            jinja_loops += 1
        elif tag == "endfor":
            jinja_loops = max(0, jinja_loops - 1)
    return tuple(found)


_Tag = tuple[bool, list["_Token"]]
"""(is a `{% %}` tag, the tokens between its delimiters)."""


def _tags(tokens: list[_Token]) -> list[_Tag]:
    """The `{{ }}` and `{% %}` tags of a template, each as the tokens inside it."""
    tags: list[_Tag] = []
    current: list[_Token] | None = None
    for token in tokens:
        if token.kind in ("variable_begin", "block_begin"):
            current = []
            tags.append((token.kind == "block_begin", current))
        elif token.kind in ("variable_end", "block_end"):
            current = None
        elif current is not None:
            current.append(token)
    return tags


_NOT_READ_TAGS = frozenset(
    {"macro", "filter", "import", "from", "block", "else", "raw"}
) | frozenset(
    {"endif", "endfor", "endset", "endmacro", "endcall", "endfilter", "endwith", "endblock"}
)
"""Tags whose names are never variables read from the scene."""
_TAG_WORDS = frozenset({"recursive", "ignore", "missing", "with", "without", "context", "as"})
"""Words of the `for`, `include`, `extends`, `import` and `from` tags."""


def _value_positions(tag: str | None, body: list[_Token]) -> range | list[int]:
    """Which tokens of a tag may read a variable: all of a `{{ }}`, the expressions of a
    `{% %}` (its value, its condition, its iterable)."""
    if tag is None:
        return range(len(body))
    if tag in _NOT_READ_TAGS:
        return []
    if tag == "for":
        after = _first(body, lambda t: t.kind == "name" and t.value == "in")
        return [i for i in range(after + 1, len(body)) if body[i].value not in _TAG_WORDS]
    if tag == "set":
        equals = _first(body, lambda t: _is_operator(t, "="))
        namespaces = [i for i in range(1, equals) if _is_operator(_at(body, i + 1), ".")]
        return namespaces + list(range(equals + 1, len(body))) if equals < len(body) else []
    if tag == "call" and _is_operator(_at(body, 1), "("):
        start = _closing_parenthesis(body, 1) + 1
        return range(start, len(body))
    if tag in ("include", "extends"):
        return [i for i in range(1, len(body)) if body[i].value not in _TAG_WORDS]
    return range(1, len(body))


def _bound_names(body: list[_Token]) -> set[str]:
    """The names a `{% %}` tag binds: `set` and `for` targets, `with` and `macro` names,
    `call` parameters, `import`/`from` aliases."""
    tag = body[0].value if body and body[0].kind == "name" else None
    names = [(i, t.value) for i, t in enumerate(body) if t.kind == "name" and i > 0]
    if tag == "for":
        end = _first(body, lambda t: t.kind == "name" and t.value == "in")
        return {v for i, v in names if i < end}
    if tag == "set":
        end = _first(body, lambda t: _is_operator(t, "="))
        return {v for i, v in names if i < end and not _is_operator(_at(body, i + 1), ".")}
    if tag == "with":
        return {v for i, v in names if _is_operator(_at(body, i + 1), "=")}
    if tag == "macro":
        return {v for i, v in names if not _is_operator(_at(body, i - 1), "=")}
    if tag == "call" and _is_operator(_at(body, 1), "("):
        end = _closing_parenthesis(body, 1)
        return {v for i, v in names if i < end}
    if tag in ("import", "from"):
        return {v for _, v in names if v not in _TAG_WORDS and v != "import"}
    return set()


def _first(body: list[_Token], test: Callable[[_Token], bool]) -> int:
    """The position of the first token that passes `test`, else `len(body)`."""
    return next((i for i, token in enumerate(body) if test(token)), len(body))


def _closing_parenthesis(body: list[_Token], opening: int) -> int:
    depth = 0
    for index in range(opening, len(body)):
        if _is_operator(body[index], "("):
            depth += 1
        elif _is_operator(body[index], ")"):
            depth -= 1
            if depth == 0:
                return index
    return len(body)


def _at(body: list[_Token], index: int) -> _Token | None:
    return body[index] if 0 <= index < len(body) else None


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
