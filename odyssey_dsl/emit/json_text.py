"""The JSON text of a compiled job, written directly from its entries.

The text is exactly what the output models (`emit.models`) serialise the same job to,
indented or compact (`tests/test_emit.py` checks it, byte for byte, for arbitrary prompts):
the models stay the one definition of the format, while `odyc FILE` neither builds nor
validates a model per entry.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Literal

from odyssey_dsl.emit.compiled import CompiledJob
from odyssey_dsl.timeline.entries import TimelineEntry

EmitForm = Literal["script", "request"]


class _Layout:
    """The separators of one nesting depth: newline and indentation, or nothing (compact)."""

    __slots__ = ("close", "colon", "inner", "item")

    def __init__(self, depth: int, compact: bool) -> None:
        def line(level: int) -> str:
            return "" if compact else "\n" + "  " * level

        self.item = line(depth)
        """Before a value of an array at this depth."""
        self.close = line(depth - 1)
        """Before the array's closing bracket."""
        self.inner = (line(depth + 1), line(depth + 2))
        """Before the fields of an entry, and before the fields of its action."""
        self.colon = ":" if compact else ": "


def json_text(job: CompiledJob, *, emit: EmitForm = "script", compact: bool = False) -> str:
    """The JSON text `odyc` prints: the entries (an array of arrays for a batch), or with
    `emit="request"` the body of the API's `POST /simulation-jobs` request."""
    if emit == "request":
        layout = _Layout(1, compact)
        key = '"scripts"' if job.is_batch else '"script"'
        portrait = "true" if job.portrait else "false"
        fields = [
            f'"portrait"{layout.colon}{portrait}',
            f"{key}{layout.colon}{_scripts(job, 1, compact)}",
        ]
        return "{" + layout.item + ("," + layout.item).join(fields) + layout.close + "}\n"
    return _scripts(job, 0, compact) + "\n"


def _scripts(job: CompiledJob, depth: int, compact: bool) -> str:
    """The entries, or the array of scripts of a batch, as a value at `depth`."""
    if not job.is_batch:
        return _entries(job.scripts[0], depth, compact)
    arrays = [_entries(entries, depth + 1, compact) for entries in job.scripts]
    return _array(arrays, _Layout(depth + 1, compact))


def _array(values: list[str], layout: _Layout) -> str:
    if not values:
        return "[]"
    return "[" + layout.item + ("," + layout.item).join(values) + layout.close + "]"


def _entries(entries: list[TimelineEntry], depth: int, compact: bool) -> str:
    layout = _Layout(depth + 1, compact)
    field, action = layout.inner
    colon = layout.colon
    time_key = f'{field}"timestamp_ms"{colon}'
    interact = f',{field}"interact"{colon}{{{action}"prompt"{colon}'
    start = f',{field}"start"{colon}{{{action}"prompt"{colon}'
    image = f',{action}"image"{colon}'
    end = f',{field}"end"{colon}{{}}{layout.item}}}'
    close = f"{field}}}{layout.item}}}"
    quote = encode_basestring
    values = []
    for entry in entries:
        head = f"{{{time_key}{entry.time_ms}"
        if entry.kind == "end":
            values.append(head + end)
            continue
        prompt = quote(entry.prompt or "")
        if entry.kind == "interact":
            values.append(f"{head}{interact}{prompt}{close}")
        elif entry.image is None:
            values.append(f"{head}{start}{prompt}{close}")
        else:
            values.append(f"{head}{start}{prompt}{image}{quote(entry.image)}{close}")
    return _array(values, layout)
