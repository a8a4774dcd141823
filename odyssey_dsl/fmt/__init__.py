"""The formatter: a scene printed again in one settled style (docs/formatting.md).

Invariants (tests/test_fmt.py checks them with hypothesis over generated scenes and over
every example):

- Built on the lossless tree (`odyssey_dsl.syntax.parse`): a text with syntax errors is
  never formatted (`FormatError`, with the diagnostics).
- Safe mode, on every call: the result parses, formatting it again changes nothing, it
  holds the same statements and comments in the same order, and, when the scene compiles,
  it compiles to byte-identical JSON (`safety.py`). Otherwise `UnsafeFormat`, and the
  caller writes nothing.
- `format_range` gives exactly the text `format_source` gives the lines it covers.
- Nothing here prints, reads files (but images, for the compile check) or exits.

This package's `__init__` stays light (the rest loads on first use): the configuration,
which every `odyc check` reads, imports `FormatSettings` from it.
"""

from typing import TYPE_CHECKING

from odyssey_dsl.fmt.options import FormatSettings

if TYPE_CHECKING:
    from odyssey_dsl.fmt.api import TextEdit, format_range, format_source
    from odyssey_dsl.fmt.errors import FormatError, UnsafeFormat

_LAZY = {
    "TextEdit": "odyssey_dsl.fmt.api",
    "format_range": "odyssey_dsl.fmt.api",
    "format_source": "odyssey_dsl.fmt.api",
    "FormatError": "odyssey_dsl.fmt.errors",
    "UnsafeFormat": "odyssey_dsl.fmt.errors",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'odyssey_dsl.fmt' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "FormatError",
    "FormatSettings",
    "TextEdit",
    "UnsafeFormat",
    "format_range",
    "format_source",
]
