"""The formatter's safe mode: every result is checked before anyone may write it.

The formatted text must

1. parse without a syntax error;
2. be stable: formatting it again changes nothing (`fmt(fmt(x)) == fmt(x)`);
3. mean the same as the original, checked two ways:
   - always, as black compares syntax trees: both texts read to the same statements
     (`skeleton`: the typed syntax tree without positions, each literal by its value — a
     string after folding and escapes, a number with its type, a duration in milliseconds,
     and also by its text where a template could print it, in a `let` or a list), and the
     same comments in the same order. This needs no variables and holds whatever variables
     are given later: the compiler reads only the statements.
   - when asked (`odyc fmt` asks; the language server, formatting as the user types, does
     not: expanding a loop-heavy scene twice costs more than the rest), and when the
     original compiles without errors with the caller's variables: the compiled JSON of
     both is byte-identical.

A failure is odyc's bug, never the user's: `UnsafeFormat` says which check failed, and the
caller writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from odyssey_dsl.diagnostics import catalogue
from odyssey_dsl.fmt.errors import UnsafeFormat
from odyssey_dsl.fmt.options import FormatSettings
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax import parse
from odyssey_dsl.syntax.tree import SyntaxTree

_POSITIONS = frozenset({"where", "name_span", "var_span", "content_offset"})
_TIME_FIELDS = frozenset({"time", "every"})
_TRAILING_BLANKS = " \t\r\f\v"


def skeleton(value: object, timing: bool = False) -> object:
    """What a node means, without where it stands (see the module docstring)."""
    if isinstance(value, n.DurationLit):
        return ("duration", value.ms) if timing else ("duration", value.ms, value.text)
    if isinstance(value, n.NumberLit):
        return ("number", type(value.value).__name__, value.value)
    if isinstance(value, n.StringLit):
        return ("string", value.value)
    if isinstance(value, n.Comment):
        return ("comment", value.text.rstrip(_TRAILING_BLANKS))
    if not isinstance(value, tuple):
        return value
    kind = type(value)
    if kind is tuple:
        return tuple([skeleton(item) for item in value])
    fields = _FIELDS.get(kind)
    if fields is None:
        names: tuple[str, ...] = getattr(kind, "_fields", ())
        fields = _FIELDS[kind] = tuple(
            (index, name in _TIME_FIELDS)
            for index, name in enumerate(names)
            if name not in _POSITIONS
        )
    return (kind.__name__, *[skeleton(value[index], time) for index, time in fields])


_FIELDS: dict[type, tuple[tuple[int, bool], ...]] = {}
"""(index, is a time) of the fields of each node type that are not positions (a memo)."""


def check_formatted(
    original: SyntaxTree,
    formatted: str,
    options: FormatSettings,
    *,
    compiled: bool = True,
    variables: Mapping[str, object] | None = None,
    base_dir: Path | None = None,
) -> None:
    """Raise `UnsafeFormat` unless `formatted` (the printed `original`) passes every check
    (the compiled JSON's only with `compiled`)."""
    from odyssey_dsl.fmt.printer import print_tree

    name = original.source.name
    tree = parse(formatted, name)
    if tree.has_broken_lines or any(d.is_error for d in tree.diagnostics):
        raise _unsafe(name, "the formatted scene would not parse")
    if print_tree(tree, options).text != formatted:
        raise _unsafe(name, "formatting the formatted scene again would change it")
    check_same_meaning(original, tree)
    if compiled:
        _check_compiled(original.text, formatted, name, variables, base_dir)


def check_edit(original: SyntaxTree, edited: str) -> None:
    """Raise `UnsafeFormat` unless `edited` (the original with some lines formatted)
    parses and means the same."""
    tree = parse(edited, original.source.name)
    if tree.has_broken_lines or any(d.is_error for d in tree.diagnostics):
        raise _unsafe(original.source.name, "the formatted lines would not parse")
    check_same_meaning(original, tree)


def check_same_meaning(original: SyntaxTree, changed: SyntaxTree) -> None:
    """Raise `UnsafeFormat` unless both trees hold the same statements and comments."""
    name = original.source.name
    if skeleton(original.scene.statements) != skeleton(changed.scene.statements):
        raise _unsafe(name, "the formatted scene would not mean the same")
    if skeleton(original.scene.comments) != skeleton(changed.scene.comments):
        raise _unsafe(name, "the formatted scene would not keep every comment in order")


def _check_compiled(
    text: str,
    formatted: str,
    name: str,
    variables: Mapping[str, object] | None,
    base_dir: Path | None,
) -> None:
    from odyssey_dsl.compiler import compile_source
    from odyssey_dsl.emit.json_text import json_text
    from odyssey_dsl.semantics.images import ImageLoader

    images = ImageLoader()  # each image is read once, for both compiles
    before = compile_source(
        text, filename=name, variables=variables, base_dir=base_dir, images=images
    )
    if before.compiled is None:
        return  # a scene that does not compile: the skeletons were compared
    after = compile_source(
        formatted, filename=name, variables=variables, base_dir=base_dir, images=images
    )
    if after.compiled is None or json_text(after.compiled) != json_text(before.compiled):
        raise _unsafe(name, "the formatted scene would not compile to the same job")


def _unsafe(name: str, reason: str) -> UnsafeFormat:
    span = parse("", name).source.span(0, 0)
    message = f"internal error: {reason}; nothing was formatted"
    help_text = "this is a bug in odyc's formatter; please report it with the scene"
    return UnsafeFormat(message, [catalogue.make("E999", message, name, span, help_text)])
