"""The environment scene templates render in: Jinja2's sandbox, metered.

It is Jinja2's `ImmutableSandboxedEnvironment` (no Python internals, and no changing a list
or dict in place, so one template cannot change what the next one sees) with
`StrictUndefined`, plus the budget of `template_budget`:

- every `{% for %}` counts its iterations (the parsed template is rewritten so that the loop
  reads its items through a counting filter, `LOOP_FILTER`);
- `~` concatenation is measured before the text is built (`CONCAT_FILTER`);
- every call, every filter and the operators `+ - * ** %` are checked before and after;
- printing (`finalize`) refuses functions, methods and other objects whose text would be a
  Python repr with a memory address (E308);
- `lipsum` (random text) and the `random` filter are left out, so that a scene compiles to
  the same output every time.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, cast

import jinja2
from jinja2 import nodes
from jinja2.runtime import Context, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_context
from jinja2.visitor import NodeTransformer

from odyssey_dsl.semantics import template_guards as guards
from odyssey_dsl.semantics.template_budget import (
    MAX_INTEGER_BITS,
    RenderMeter,
    callable_name,
    check_integer,
    check_size,
    integer_too_large,
    measure,
    not_printable,
    output_too_long,
)

LOOP_FILTER: Final = "ody loop"
"""The filter every `{% for %}` reads its items through (a name no template can write)."""

CONCAT_FILTER: Final = "ody concat"
"""The filter that replaces `a ~ b` (a name no template can write)."""

CHARGE_FILTER: Final = "ody charge"
"""The filter a loop's, a macro's or a call block's body starts with: it charges the body's
size in steps (a name no template can write)."""

WEIGH_FILTER: Final = "ody weigh"
"""The filter that charges for a value about to be compared or just sliced, by its length
(a name no template can write)."""

LEFT_OUT_GLOBALS: Final = frozenset({"lipsum"})
LEFT_OUT_FILTERS: Final = frozenset({"random"})

ITERABLE_FILTERS: Final = frozenset(
    {
        "attr", "batch", "count", "d", "default", "dictsort", "first", "groupby", "items",
        "join", "last", "length", "list", "map", "max", "min", "reject", "rejectattr",
        "reverse", "select", "selectattr", "slice", "sort", "sum", "tojson", "unique",
        "xmlattr",
    }
)  # fmt: skip
"""Filters that take a sequence or any value as it is; every other filter prints its input
as text, so its input must be printable."""

PYTHON_TEXT_FILTERS: Final = frozenset(
    {"indent", "pprint", "striptags", "title", "truncate", "urlencode", "urlize", "wordwrap",
     "xmlattr"}
)  # fmt: skip
"""Filters that go through their text in Python, a character or word at a time: they cost
a step per few characters, where the others cost one per KiB."""


class LoopInfo:
    """`loop` in templates: the innermost Ody loop's position."""

    __slots__ = ("first", "index", "index0", "last", "length", "revindex", "revindex0")

    def __init__(self, index0: int, length: int) -> None:
        self.index0 = index0
        self.index = index0 + 1
        self.length = length
        self.first = index0 == 0
        self.last = index0 == length - 1
        self.revindex = length - index0
        self.revindex0 = length - index0 - 1


class MeteredContext(Context):
    """A render's context, carrying its `RenderMeter`."""

    meter: RenderMeter | None = None

    def derived(self, locals: dict[str, Any] | None = None) -> Context:
        context = super().derived(locals)
        if isinstance(context, MeteredContext):
            context.meter = self.meter
        return context


def meter_of(context: Context) -> RenderMeter:
    meter = getattr(context, "meter", None)
    if meter is None:
        raise RuntimeError("a template was rendered without a meter")
    return meter  # type: ignore[no-any-return]


def describe(value: object) -> str:
    """What a value that cannot be printed is, for a message."""
    name = callable_name(value)
    if isinstance(value, LoopInfo):
        return "`loop` itself"
    if isinstance(value, Macro):
        return f"the macro `{value.name}`"
    if isinstance(value, types.MethodType | types.BuiltinMethodType) and not isinstance(
        getattr(value, "__self__", None), types.ModuleType | type(None)
    ):
        return f"the method `{name}`"
    if isinstance(value, type):
        return f"the type `{name}`"
    if callable(value) and name:
        return f"the function `{name}`"
    if isinstance(value, types.GeneratorType) or hasattr(value, "__next__"):
        return "a sequence that is computed as it is read"
    return f"a `{type(value).__name__}` object"


def _measure(meter: RenderMeter, *, printing: bool = False) -> Callable[[object], int]:
    return lambda value: measure(value, meter, printing=printing, describe=describe)


def check_made(value: object, meter: RenderMeter) -> None:
    """Refuse (E307) a value a template made that is too large; charge the work of it."""
    if isinstance(value, str | bytes):
        check_size(len(value))
        meter.charge_size(len(value))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        check_integer(value)
    elif isinstance(value, list | tuple | dict | set | frozenset):
        size = measure(value, meter, printing=False, describe=describe)
        check_size(size)


def _as_ody(value: object) -> str:
    """A value as Ody writes it (lists render like list literals, not Python reprs)."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_as_ody(item) for item in value) + "]"
    return str(value)


def finalize_value(meter: RenderMeter, value: object) -> object:
    """What `{{ value }}` prints: `true`/`false`, lists as Ody lists, a duration as written;
    anything that is not text is refused (E308), and so is a value longer than what is
    left of the output limit (E305), before its text is built."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    size = measure(value, meter, printing=True, describe=describe)
    if size > meter.output_left:
        raise output_too_long(meter.output_limit)
    if isinstance(value, list):
        return _as_ody(value)
    return value


@pass_context
def _finalize(context: Context, value: object) -> object:
    return finalize_value(meter_of(context), value)


@pass_context
def _loop_items(context: Context, items: Iterable[object], weight: int = 0) -> Iterator[object]:
    """A `{% for %}`'s items, each costing a step and the `weight` of the loop's body."""
    meter = meter_of(context)
    cost = 1 + weight
    for item in items:
        meter.charge(cost)
        yield item


@pass_context
def _charge_steps(context: Context, steps: int) -> None:
    meter_of(context).charge(steps)


@pass_context
def _weigh(context: Context, value: object) -> object:
    meter_of(context).charge_length(value)
    return value


@pass_context
def _concat(context: Context, items: list[object]) -> str:
    """`a ~ b ~ c`, measured before it is built."""
    meter = meter_of(context)
    measure_printed = _measure(meter, printing=True)
    check_size(sum(measure_printed(item) for item in items))
    text = "".join(map(str, items))
    check_made(text, meter)
    return text


def _bounded_concat(pieces: Iterable[str]) -> str:
    """Joins the output of a macro, a `{% set %}` block or a `{% filter %}` block."""
    parts = pieces if isinstance(pieces, list) else list(pieces)
    check_size(sum(map(len, parts)))
    return "".join(parts)


_PASS_ARGUMENT: Final[dict[str, Callable[[Context], object]]] = {
    "context": lambda context: context,
    "eval_context": lambda context: context.eval_ctx,
    "environment": lambda context: context.environment,
}


_GUARD_STEPS: Final = 8
"""What estimating a filter's result costs (matching its arguments to its parameters)."""


def _metered_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter `function`, checked and charged: its input must be printable unless it
    takes sequences, no argument may be a function, its result is estimated first when it
    could be huge (or its work when that grows faster than its input), and checked after."""
    pass_arg = getattr(function, "jinja_pass_arg", None)
    extra = _PASS_ARGUMENT[pass_arg.name] if pass_arg is not None else None
    prints_input = name not in ITERABLE_FILTERS
    per_char = name in PYTHON_TEXT_FILTERS
    guarded = name in guards.FILTER_SIZES or name in guards.FILTER_STEPS

    @pass_context
    def metered(context: Context, value: object, *args: Any, **kwargs: Any) -> Any:
        meter = meter_of(context)
        meter.charge(1)
        meter.charge_length(value, per_char=per_char)
        if prints_input and not isinstance(value, str):
            measure(value, meter, printing=True, describe=describe)
        for argument in (*args, *kwargs.values()):
            _refuse_function(argument)
        leading = () if extra is None else (extra(context),)
        if name == "join":
            value = _joinable(context, meter, value, args, kwargs)
            args, kwargs = _without_attribute(args, kwargs)
        if guarded:
            meter.charge(_GUARD_STEPS)
            bound = guards.bind(function, leading, (value, *args), kwargs)
            guards.check_filter(name, bound, _measure(meter), meter)
        result = function(*leading, value, *args, **kwargs)
        check_made(result, meter)
        return result

    metered.__name__ = getattr(function, "__name__", name)
    return metered


def _joinable(
    context: Context,
    meter: RenderMeter,
    value: object,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> list[object]:
    """`join`'s items, read once and checked: printable, and not too large together."""
    attribute = kwargs.get("attribute", args[1] if len(args) > 1 else None)
    items = list(value) if isinstance(value, Iterable) else [value]
    if attribute is not None:
        from jinja2.filters import make_attrgetter

        getter = make_attrgetter(context.environment, attribute)
        items = [getter(item) for item in items]
    separator = kwargs.get("d", args[0] if args else "")
    check_size(guards.join_size(separator, items, _measure(meter, printing=True)))
    return items


def _without_attribute(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args[:1], {key: value for key, value in kwargs.items() if key != "attribute"}


def _metered_test(function: Any) -> Callable[..., Any]:
    """The test `function`, charged by the length of what it looks at."""

    @pass_context
    def metered(context: Context, *args: Any, **kwargs: Any) -> Any:
        meter = meter_of(context)
        meter.charge(1)
        for argument in (*args, *kwargs.values()):
            meter.charge_length(argument)
        pass_arg = getattr(function, "jinja_pass_arg", None)
        leading = () if pass_arg is None else (_PASS_ARGUMENT[pass_arg.name](context),)
        return function(*leading, *args, **kwargs)

    metered.__name__ = getattr(function, "__name__", "test")
    return metered


def _refuse_function(value: object) -> None:
    if callable(value) and not isinstance(value, Undefined):
        raise not_printable(value, describe)


class _HooksInserter(NodeTransformer):
    """Rewrites a parsed template so that its work goes through the meter:

    - a `{% for %}` reads its items through `LOOP_FILTER` (a step each);
    - the body of a loop, a macro or a `{% call %}` starts by charging its size in nodes,
      each time it runs (`CHARGE_FILTER`), so a long body repeated costs what it does;
    - `~` builds its text through `CONCAT_FILTER`, measured first;
    - the operands of comparisons (`in`, `==`, ...) and the results of slices are weighed
      (`WEIGH_FILTER`): they take time in proportion to their length."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        weight = _size(node.body) + (_size([node.test]) if node.test is not None else 0)
        if node.recursive:  # its deeper levels iterate without going through `iter`
            node.iter = _filtered(cast(nodes.Expr, node.iter), LOOP_FILTER, nodes.Const(0))
            node.body = [*_charge(node.body, node.lineno), *node.body]
        else:
            node.iter = _filtered(cast(nodes.Expr, node.iter), LOOP_FILTER, nodes.Const(weight))
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        self.generic_visit(node)
        node.body = [*_charge(node.body, node.lineno), *node.body]
        return node

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        self.generic_visit(node)
        node.body = [*_charge(node.body, node.lineno), *node.body]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filtered(nodes.List(node.nodes, lineno=node.lineno), CONCAT_FILTER)

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        node.expr = _filtered(node.expr, WEIGH_FILTER)
        for operand in node.ops:
            operand.expr = _filtered(operand.expr, WEIGH_FILTER)
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)
        if isinstance(node.arg, nodes.Slice):  # slices do not go through `getitem`
            return _filtered(node, WEIGH_FILTER)
        return node


def _filtered(node: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


_NODE_STEPS: Final[dict[type[nodes.Node], int]] = {
    nodes.Call: 25,
    nodes.CallBlock: 25,
    nodes.Getattr: 8,
    nodes.Getitem: 8,
    nodes.Filter: 4,
    nodes.Test: 3,
    nodes.Concat: 5,
}
"""What evaluating a node costs, in steps, where it is more than one (a sandboxed call or
attribute lookup goes through several checks)."""


def _size(body: list[nodes.Node]) -> int:
    """The steps one run of `body` costs: a step per syntax node, more for costly ones."""
    return sum(
        _NODE_STEPS.get(type(node), 1)
        for statement in body
        for node in (statement, *statement.find_all(nodes.Node))
    )


def _charge(body: list[nodes.Node], lineno: int) -> list[nodes.Node]:
    """The statement that charges for one run of `body` (none for an empty body)."""
    size = _size(body)
    if not size:
        return []
    return [nodes.ExprStmt(_filtered(nodes.Const(size), CHARGE_FILTER), lineno=lineno)]


def insert_hooks(tree: nodes.Template) -> nodes.Template:
    """`tree` with its work metered (changed in place); see `_HooksInserter`."""
    _HooksInserter().visit(tree)
    return tree


class SceneSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with every render metered (see the module docs)."""

    intercepted_binops = frozenset({"+", "-", "*", "**", "%"})
    context_class = MeteredContext

    def __init__(self) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            finalize=_finalize,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
        )
        for name in LEFT_OUT_GLOBALS:
            self.globals.pop(name, None)
        self.filters = {
            name: _metered_filter(name, function)
            for name, function in self.filters.items()
            if name not in LEFT_OUT_FILTERS
        }
        self.filters[LOOP_FILTER] = _loop_items
        self.filters[CONCAT_FILTER] = _concat
        self.filters[CHARGE_FILTER] = _charge_steps
        self.filters[WEIGH_FILTER] = _weigh
        self.tests = {name: _metered_test(test) for name, test in self.tests.items()}
        self.concat = _bounded_concat  # type: ignore[method-assign]

    def call(
        __self,  # Jinja2's own spelling, so that no keyword argument of the call clashes
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        meter = meter_of(__context)
        meter.charge(1)
        for argument in (*args, *kwargs.values()):
            _refuse_function(argument)
            meter.charge_length(argument)
        owner = getattr(__obj, "__self__", None)
        meter.charge_length(owner)
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (_loop_items(__context, args[0]), *args[1:])
        name = getattr(__obj, "__name__", "")
        args = guards.materialize_join_argument(owner, name, args)
        if name == "join" and isinstance(owner, str | bytes) and args:
            items = args[0]
            if isinstance(items, list):
                check_size(guards.join_size(owner, items, _measure(meter, printing=True)))
        check_size(guards.method_size(owner, name, args, _measure(meter)))
        result = super().call(__context, __obj, *args, **kwargs)
        check_made(result, meter)
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        meter = meter_of(context)
        meter.charge(1)
        _check_operands(operator, left, right, meter)
        result = super().call_binop(context, operator, left, right)
        check_made(result, meter)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        template: str = value.__self__
        is_format_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            values = args[0] if is_format_map and args else None
            if isinstance(values, dict):
                size = guards.format_size(template, (), values, _plain_measure)
            else:
                size = guards.format_size(template, args, kwargs, _plain_measure)
            check_size(size)
            return formatter(*args, **kwargs)

        return checked


def _plain_measure(value: object) -> int:
    """A measure outside any render's account (`str.format` is looked up without one):
    refuses what cannot be printed."""
    return measure(value, None, printing=True, describe=describe)


def _check_operands(operator: str, left: Any, right: Any, meter: RenderMeter) -> None:
    """Refuse `left operator right` when its result would be too large to make."""
    measure_plain = _measure(meter)
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                check_size(measure_plain(sequence) * max(times, 0))
        bits = left.bit_length() + right.bit_length() if _integer(left) and _integer(right) else 0
        if bits > MAX_INTEGER_BITS + 1:
            raise integer_too_large()
    elif operator == "**" and _integer(left) and _integer(right) and abs(left) > 1:
        if right > 0 and (left.bit_length() - 1) * right > MAX_INTEGER_BITS:
            raise integer_too_large()
    elif operator == "%" and isinstance(left, str | bytes):
        for value in guards.format_values(right):
            _refuse_function(value)
        check_size(guards.percent_size(left, right, _measure(meter, printing=True)))


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
