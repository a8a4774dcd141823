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

`ODYC_NO_FAST_PATH=1` in the environment turns this off.
"""

from __future__ import annotations

import os
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
