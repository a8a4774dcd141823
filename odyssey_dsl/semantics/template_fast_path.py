"""Rendering the simplest templates without compiling them to Python.

Compiling a Jinja2 template generates and compiles Python code: about three quarters of the
cost of a template that is used once, as most of a long scene's are. A template that is only
text and `{{ }}` substitutions of names, attributes, items, constants and filters
(`"Shot {{ loop.index }}: the {{ subject | upper }} at {{ place.name }}"`) is rendered here
from the tree that Jinja2's own parser made, doing exactly what the generated code would do,
step for step and with the same objects: the same context, `environment.getattr`,
`environment.getitem`, the same (metered) filters and `finalize`, the same undefined values.
Anything else (tags, tests, operators, calls, ...) goes through Jinja2's compiler. The tests
compare both ways on generated templates, errors included.

Parsing is the other half of the cost: the commonest shapes (`{{ name }}`, `{{ name.attribute
}}`, `{{ name | filter }}`, filters with string or integer arguments) are read by
`quick_template`, with a regular expression, into the very nodes Jinja2's parser makes for
them; anything else (and any text with a `\r`, which Jinja2's lexer rewrites) is left to
Jinja2's parser. The tests hold both readings equal on generated templates.

`ODYC_NO_FAST_PATH=1` in the environment turns this off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final, NamedTuple

from jinja2 import nodes
from jinja2.runtime import Context, new_context
from jinja2.utils import missing

from odyssey_dsl.semantics.template_budget import RenderMeter
from odyssey_dsl.semantics.template_sandbox import SceneSandbox

NO_FAST_PATH_VARIABLE: Final = "ODYC_NO_FAST_PATH"
"""Set to 1 to turn every fast path of odyc off (the parser's too)."""

_SPECIAL_NAMES: Final = frozenset({"self"})
"""Names Jinja2's compiler binds itself rather than looking them up."""


def fast_paths_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(NO_FAST_PATH_VARIABLE, "") in ("", "0")


class SimpleTemplate(NamedTuple):
    """A template of text and simple substitutions: its pieces, in order (a string is text)."""

    pieces: tuple[str | nodes.Expr, ...]

    def render(
        self, environment: SceneSandbox, variables: dict[str, Any], meter: RenderMeter
    ) -> str:
        """What Jinja2's generated code for this template yields, joined; raises what it
        raises."""
        context = new_context(environment, None, {}, variables, shared=True)
        context.meter = meter  # type: ignore[attr-defined]
        finalize = environment.finalize
        assert finalize is not None
        parts = []
        for piece in self.pieces:
            if isinstance(piece, str):
                parts.append(meter.emit(piece))
            else:
                value = _evaluate(piece, environment, context)
                parts.append(meter.emit(str(finalize(context, value))))
        return "".join(parts)


_IDENTIFIER: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_LITERAL: Final = r"""'[^'\\\r\n]*'|"[^"\\\r\n]*"|[1-9][0-9]*|0"""
_ARGUMENTS: Final = rf"\([ \t]*(?:(?:{_LITERAL})(?:[ \t]*,[ \t]*(?:{_LITERAL}))*)?[ \t]*\)"
_FILTER: Final = re.compile(rf"[ \t]*\|[ \t]*({_IDENTIFIER})({_ARGUMENTS})?")
_ARGUMENT: Final = re.compile(_LITERAL)
_TAG: Final = re.compile(
    rf"\{{\{{[ \t]*({_IDENTIFIER}(?:\.{_IDENTIFIER})*)"
    rf"((?:[ \t]*\|[ \t]*{_IDENTIFIER}(?:{_ARGUMENTS})?)*)[ \t]*\}}\}}"
)
"""`{{ name.attribute | filter | filter('text', 3) }}`."""
_MARKER: Final = re.compile(r"\{[{%#]")
_EXPRESSION_WORDS: Final = frozenset(
    {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if"}
)
"""Names that are Jinja2 syntax (or constants) where a variable would stand."""


def quick_template(text: str, environment: SceneSandbox) -> SimpleTemplate | None:
    """`simple_template(environment.parse(text), environment)` for the commonest shapes of
    template, read without Jinja2's lexer and parser; None when `text` has another shape
    (then ask Jinja2)."""
    if "\r" in text:
        return None
    pieces: list[str | nodes.Expr] = []
    position = 0
    while (marker := _MARKER.search(text, position)) is not None:
        tag = _TAG.match(text, marker.start())
        if tag is None:
            return None
        if marker.start() > position:
            pieces.append(text[position : marker.start()])
        expression = _substitution(tag.group(1), tag.group(2), environment)
        if expression is None:
            return None
        pieces.append(expression)
        position = tag.end()
    if position < len(text):
        pieces.append(text[position:])
    return SimpleTemplate(tuple(pieces))


def _substitution(path: str, filters: str, environment: SceneSandbox) -> nodes.Expr | None:
    """The node of `name.attribute...` followed by the `| filter(...)` chain `filters`."""
    name, *attributes = path.split(".")
    if name in _EXPRESSION_WORDS or name in _SPECIAL_NAMES:
        return None
    node: nodes.Expr = nodes.Name(name, "load")
    for attribute in attributes:
        node = nodes.Getattr(node, attribute, "load")
    for applied in _FILTER.finditer(filters):
        if applied.group(1) not in environment.filters:
            return None
        arguments = [
            _constant(match.group()) for match in _ARGUMENT.finditer(applied.group(2) or "")
        ]
        node = nodes.Filter(node, applied.group(1), arguments, [], None, None)
    return node


def _constant(literal: str) -> nodes.Const:
    if literal[0] in "'\"":
        # What Jinja2's lexer makes of a string without backslashes or line breaks.
        return nodes.Const(
            literal[1:-1].encode("ascii", "backslashreplace").decode("unicode-escape")
        )
    return nodes.Const(int(literal))


def simple_template(tree: nodes.Template, environment: SceneSandbox) -> SimpleTemplate | None:
    """`tree` as a `SimpleTemplate`, or None when it is not that simple."""
    pieces: list[str | nodes.Expr] = []
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            return None
        for child in statement.nodes:
            if isinstance(child, nodes.TemplateData):
                if pieces and isinstance(pieces[-1], str):
                    pieces[-1] += child.data  # the generated code yields adjacent text at once
                else:
                    pieces.append(child.data)
            elif _is_simple(child, environment):
                pieces.append(child)
            else:
                return None
    return SimpleTemplate(tuple(pieces))


def _is_simple(node: nodes.Node, environment: SceneSandbox) -> bool:
    if isinstance(node, nodes.Name):
        return node.ctx == "load" and node.name not in _SPECIAL_NAMES
    if isinstance(node, nodes.Const):
        return True
    if isinstance(node, nodes.Getattr):
        return _is_simple(node.node, environment)
    if isinstance(node, nodes.Getitem):
        return not isinstance(node.arg, nodes.Slice) and all(
            _is_simple(child, environment) for child in (node.node, node.arg)
        )
    if isinstance(node, nodes.Filter):
        return (
            node.node is not None
            and node.name in environment.filters
            and node.dyn_args is None
            and node.dyn_kwargs is None
            and all(_is_simple(child, environment) for child in _filter_operands(node))
        )
    return False


def _filter_operands(node: nodes.Filter) -> Iterator[nodes.Node]:
    assert node.node is not None
    yield node.node
    yield from node.args
    yield from (keyword.value for keyword in node.kwargs)


def _evaluate(node: nodes.Node, environment: SceneSandbox, context: Context) -> Any:
    """The value of a simple expression, as the generated code computes it."""
    if isinstance(node, nodes.Name):
        value = context.resolve_or_missing(node.name)
        return environment.undefined(name=node.name) if value is missing else value
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Getattr):
        return environment.getattr(_evaluate(node.node, environment, context), node.attr)
    if isinstance(node, nodes.Getitem):
        target = _evaluate(node.node, environment, context)
        return environment.getitem(target, _evaluate(node.arg, environment, context))
    assert isinstance(node, nodes.Filter) and node.node is not None
    function = environment.filters[node.name]
    value = _evaluate(node.node, environment, context)
    args = [_evaluate(arg, environment, context) for arg in node.args]
    kwargs = {str(kw.key): _evaluate(kw.value, environment, context) for kw in node.kwargs}
    return function(context, value, *args, **kwargs)
