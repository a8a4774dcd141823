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

This package's `__init__` stays light: the configuration imports `FormatSettings` from it.
"""

from odyssey_dsl.fmt.api import TextEdit, format_range, format_source
from odyssey_dsl.fmt.errors import FormatError, UnsafeFormat
from odyssey_dsl.fmt.options import FormatSettings

__all__ = [
    "FormatError",
    "FormatSettings",
    "TextEdit",
    "UnsafeFormat",
    "format_range",
    "format_source",
]
