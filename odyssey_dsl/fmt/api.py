"""`format_source` and `format_range`: what the command line and the language server call."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.fmt.errors import FormatError
from odyssey_dsl.fmt.options import FormatSettings

if TYPE_CHECKING:
    from odyssey_dsl.syntax.tree import SyntaxTree

DEFAULT_NAME = "<input>"


class TextEdit(NamedTuple):
    """Replace `text[start:end]` of the original text (str offsets, half-open) by `new_text`."""

    start: int
    end: int
    new_text: str


def format_source(
    text: str,
    *,
    options: FormatSettings | None = None,
    filename: str = DEFAULT_NAME,
    check_compiled: bool = False,
    variables: Mapping[str, object] | None = None,
    base_dir: Path | None = None,
) -> str:
    """The scene `text` in the canonical style (docs/formatting.md).

    Raises `FormatError` (its `diagnostics` say why) when the text has syntax errors, and
    `UnsafeFormat` (a `FormatError`) when the result fails the formatter's own safety
    check (`fmt.safety`): it must parse, settle in one pass, and hold the same statements
    and comments. With `check_compiled` (what `odyc fmt` does), it must also compile to the
    same JSON as `text`, with `variables` and images looked up in `base_dir`. `filename`
    names the scene in diagnostics.
    """
    from odyssey_dsl.fmt.printer import print_tree
    from odyssey_dsl.fmt.safety import check_formatted

    settings = options or FormatSettings()
    tree = _parsed(text, filename)
    formatted = print_tree(tree, settings).text
    if formatted != text:
        check_formatted(
            tree,
            formatted,
            settings,
            compiled=check_compiled,
            variables=variables,
            base_dir=base_dir,
        )
    return formatted


def format_range(
    text: str,
    start: int,
    end: int,
    *,
    options: FormatSettings | None = None,
    filename: str = DEFAULT_NAME,
) -> TextEdit | None:
    """The edit that formats the statements that `text[start:end]` touches, or None when
    they are formatted already.

    The edit covers whole lines: those of every statement the range touches, and of the
    whole top-level statement holding it (a loop or script block with all of its body, so
    that its indentation stays consistent). The new text is exactly what `format_source`
    gives those lines. Raises `FormatError` as `format_source` does.
    """
    from odyssey_dsl.fmt.printer import print_tree
    from odyssey_dsl.fmt.ranges import touched_lines
    from odyssey_dsl.fmt.safety import check_edit

    settings = options or FormatSettings()
    tree = _parsed(text, filename)
    lines = touched_lines(tree, start, end)
    if lines is None:
        return None
    first, last = lines
    printed = print_tree(tree, settings)
    edit = TextEdit(
        tree.lines[first].start if first else 0,
        tree.lines[last].stop,
        "".join(printed.chunks[first : last + 1]),
    )
    if first == 0:
        edit = edit._replace(new_text=printed.prefix + edit.new_text)
    if text[edit.start : edit.end] == edit.new_text:
        return None
    check_edit(tree, text[: edit.start] + edit.new_text + text[edit.end :])
    return edit


def _parsed(text: str, filename: str) -> SyntaxTree:
    from odyssey_dsl.syntax import parse

    tree = parse(text, filename)
    errors = [d for d in tree.diagnostics if d.is_error]
    if errors or tree.has_broken_lines:
        count = len(errors)
        raise FormatError(
            f"{filename} has {count} syntax error{'s' if count != 1 else ''}: not formatted",
            errors,
        )
    return tree
