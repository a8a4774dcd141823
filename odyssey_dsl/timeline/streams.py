"""The streams of a script: which `start` opens each, which `end` closes it, and which
entries the stream model refuses.

A script runs one stream at a time. A `start` opens a stream when none is running; an
`interact` or `end` goes to the running stream, and `end` closes it. An entry that comes
at the wrong moment (`interact` with no stream, `start` while one runs) is *rejected*: it
changes nothing, so what later messages say about the running stream stays true.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from odyssey_dsl.timeline.entries import TimelineEntry

RejectionReason = Literal["before-first-start", "no-stream", "already-running"]


class Stream(NamedTuple):
    """One stream: its `start` and its `end` (None when it is never ended)."""

    start: TimelineEntry
    end: TimelineEntry | None
    start_index: int
    """The position of the `start` among the script's entries."""
    end_index: int | None

    @property
    def start_ms(self) -> int:
        return self.start.time_ms

    @property
    def end_ms(self) -> int | None:
        return None if self.end is None else self.end.time_ms


class Rejection(NamedTuple):
    """An entry the stream model refuses, and the state it met."""

    position: int
    """The entry's position among the script's entries."""
    entry: TimelineEntry
    reason: RejectionReason
    """`before-first-start`: no stream was ever started; `no-stream`: the previous stream
    has ended; `already-running`: a `start` while a stream runs."""
    running: TimelineEntry | None
    """The `start` of the running stream (for `already-running`)."""
    last_end: TimelineEntry | None
    """The `end` of the previous stream (for `no-stream`)."""


class StreamWalk(NamedTuple):
    streams: list[Stream]
    rejections: list[Rejection]


def walk_streams(entries: list[TimelineEntry]) -> StreamWalk:
    """The streams and the rejected entries of one script's entries (see the docstring)."""
    streams: list[Stream] = []
    rejections: list[Rejection] = []
    running: int | None = None  # index of the running stream's `start`
    last_end: TimelineEntry | None = None
    for index, entry in enumerate(entries):
        kind = entry.kind
        if kind == "start":
            if running is None:
                running = index
            else:
                rejections.append(
                    Rejection(index, entry, "already-running", entries[running], None)
                )
        elif running is not None:
            if kind == "end":
                streams.append(Stream(entries[running], entry, running, index))
                running = None
                last_end = entry
        else:
            reason: RejectionReason = "no-stream" if last_end is not None else "before-first-start"
            rejections.append(Rejection(index, entry, reason, None, last_end))
    if running is not None:
        streams.append(Stream(entries[running], None, running, None))
    return StreamWalk(streams, rejections)
