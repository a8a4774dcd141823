"""Rendered prompts, remembered for the length of one expansion.

A loop renders the same prompt templates again and again, often with the same values (the
same `subject` in every stream, `loop.index` running 1 to 18 in each of a hundred loops).
A simple template (`{{ name.attribute | filter('literal') }}` tags only, whose names
`template_names` lists exactly) renders to a text that depends on nothing but its own text
and the values of those names, so the text it rendered to is kept under the key (template,
values) and given again instead of rendering anew.

Only successful renders are kept (a failure renders again and is reported as usual), only
values that have a key (`keys.value_key`: equal keys render the same), never a template
that mentions `random`, and at most `MEMO_SIZE` prompts. `tests/test_prompt_memo.py`
holds it to rendering every time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odyssey_dsl.semantics.template_names import simple_template_names
from odyssey_dsl.semantics.templates import LoopInfo
from odyssey_dsl.timeline.keys import value_key

if TYPE_CHECKING:
    from odyssey_dsl.semantics.values import Evaluator
    from odyssey_dsl.syntax import nodes as n

MEMO_SIZE = 1 << 15
"""Prompts remembered by one expansion at most."""


class PromptMemo:
    """The prompts one expansion rendered, by template and values (see the module docstring)."""

    __slots__ = ("_names", "_rendered", "_seen")

    def __init__(self) -> None:
        self._rendered: dict[tuple[object, ...], str] = {}
        self._names: dict[str, tuple[tuple[str, bool], ...] | None] = {}
        """Per template text: the names it reads (and whether it reads an attribute of
        them), None when it is not kept."""
        self._seen: set[str] = set()
        """Templates rendered once so far."""

    def prompt(self, literal: n.StringLit, evaluator: Evaluator) -> str | None:
        """`evaluator.prompt(literal)`, from the memo when it rendered the same before."""
        key = self._key(literal.value, evaluator.bindings.visible)
        if key is None:
            return evaluator.prompt(literal)
        found = self._rendered.get(key)
        if found is not None:
            return found
        text = evaluator.prompt(literal)
        # A prompt is returned only when nothing was reported. A text that shows where an
        # object lives in memory (`<... at 0x...>`) is not the same for equal values.
        if text is not None and len(self._rendered) < MEMO_SIZE and " at 0x" not in text:
            self._rendered[key] = text
        return text

    def _key(self, template: str, visible: dict[str, object]) -> tuple[object, ...] | None:
        if template in self._names:
            names = self._names[template]
        elif template in self._seen:
            names = self._names[template] = _read_names(template)
        else:  # a template rendered only once is not worth a key
            self._seen.add(template)
            return None
        if names is None:
            return None
        key: list[object] = [template]
        for name, reads_attribute in names:
            value = visible.get(name, _ABSENT)
            if reads_attribute and type(value) is not LoopInfo:
                return None  # `subject.upper` is a method of the string: render
            found = value_key(value)
            if found is None:
                return None  # a missing name, a global: render
            key.append(found)
        return tuple(key)


_ABSENT = object()


def _read_names(template: str) -> tuple[tuple[str, bool], ...] | None:
    """The distinct names a simple template reads, in order, each with whether the template
    reads an attribute of it; None for any other template (and for plain text, which
    `compile_template` already keeps)."""
    if "random" in template:
        return None
    names = simple_template_names(template)
    if not names:
        return None
    attributes: dict[str, bool] = {}
    for found in names:
        attributes[found.name] = attributes.get(found.name, False) or found.attribute is not None
    return tuple(attributes.items())
