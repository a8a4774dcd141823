"""The JSON text of a compiled job, written directly from its entries.

The text is exactly what the output models (`emit.models`) serialise the same job to,
indented or compact (`tests/test_emit.py` checks it, byte for byte, for arbitrary prompts):
the models stay the one definition of the format, while `odyc FILE` neither builds nor
validates a model per entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
    return "".join(_pieces(job, emit, compact))


def json_chunks(
    job: CompiledJob,
    *,
    emit: EmitForm = "script",
    compact: bool = False,
    chunk_size: int = 1 << 20,
) -> Iterator[bytes]:
    """`json_text(...)` in UTF-8, a chunk of about `chunk_size` characters at a time, made as
    it is read: writing a long scene's JSON this way never holds all of its text at once."""
    buffer: list[str] = []
    length = 0
    for piece in _pieces(job, emit, compact):
        buffer.append(piece)
        length += len(piece)
        if length >= chunk_size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _pieces(job: CompiledJob, emit: EmitForm, compact: bool) -> Iterator[str]:
    if emit == "request":
        layout = _Layout(1, compact)
        key = '"scripts"' if job.is_batch else '"script"'
        portrait = "true" if job.portrait else "false"
        yield "{" + layout.item + f'"portrait"{layout.colon}{portrait},'
        yield layout.item + f"{key}{layout.colon}"
        yield from _scripts(job, 1, compact)
        yield layout.close + "}\n"
        return
    yield from _scripts(job, 0, compact)
    yield "\n"


def _scripts(job: CompiledJob, depth: int, compact: bool) -> Iterator[str]:
    """The entries, or the array of scripts of a batch, as a value at `depth`."""
    if not job.is_batch:
        yield from _entries(job.scripts[0], depth, compact)
        return
    arrays = (_entries(entries, depth + 1, compact) for entries in job.scripts)
    yield from _array(arrays, _Layout(depth + 1, compact))


def _array(values: Iterable[Iterable[str]], layout: _Layout) -> Iterator[str]:
    """An array of the values, each given in pieces."""
    before = "[" + layout.item
    for value in values:
        yield before
        yield from value
        before = "," + layout.item
    yield "[]" if before.startswith("[") else layout.close + "]"


def _entries(entries: list[TimelineEntry], depth: int, compact: bool) -> Iterator[str]:
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

    def entry_text(entry: TimelineEntry) -> tuple[str]:
        head = f"{{{time_key}{entry.time_ms}"
        if entry.kind == "end":
            return (head + end,)
        prompt = quote(entry.prompt or "")
        if entry.kind == "interact":
            return (f"{head}{interact}{prompt}{close}",)
        if entry.image is None:
            return (f"{head}{start}{prompt}{close}",)
        return (f"{head}{start}{prompt}{image}{quote(entry.image)}{close}",)

    return _array(map(entry_text, entries), layout)
