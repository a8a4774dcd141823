"""Terminal output of the job commands: status lines, download progress, tables, errors.

On a terminal (TTY) odyc shows a live status line, progress bars and tables drawn with rich;
otherwise (a pipe, a CI log) it writes plain lines with a timestamp, one per change, that a log
reader or `grep` can follow. `rich` is imported only here and only when a TTY needs it, so the
compile and `check` paths never load it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

from odyssey_dsl.cli.colour import ColourChoice, rich_console
from odyssey_dsl.client.auth import API_KEY_ENV
from odyssey_dsl.client.server_text import printable, printable_lines, redact

if TYPE_CHECKING:
    from odyssey_dsl.client.downloads import DownloadItem, DownloadResult
    from odyssey_dsl.client.wire import JobStatus


STATUS_CHARS = 40
"""A job status longer than this (the API's are under 12) is cut in the status line."""


def is_terminal(stream: TextIO) -> bool:
    """True when `stream` is an interactive terminal (and `TERM` is not `dumb`)."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def timestamp() -> str:
    """Local wall-clock time for plain log lines, e.g. `2026-01-31 12:00:05`."""
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float) -> str:
    """`65.2` → `1m05s`; `3725` → `1h02m05s`; `4.4` → `4s`."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def format_queue_estimate(minutes: float | None) -> str | None:
    """The server's queue estimate in words, or None when it gave none."""
    if minutes is None:
        return None
    if minutes < 1:
        return "queue estimate under a minute"
    return f"queue estimate ~{minutes:g} min"


def redact_key(text: str) -> str:
    """`text` with the value of ODYSSEY_API_KEY (if set) replaced by `***`."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    return redact(text, [key]) if len(key) >= 4 else text


def shown(text: str) -> str:
    """A message as odyc prints it for a human: control characters escaped (its own line
    breaks kept) and the API key replaced by `***`.

    A last guard: the server's parts of a message should already have gone through
    `printable` (which also escapes their line breaks and shortens them).
    """
    return printable_lines(redact_key(text))


def print_error(message: str, hint: str | None = None, *, stream: TextIO | None = None) -> None:
    """One clear line `odyc: error: ...`, and a `hint:` line when there is something to do."""
    out = stream if stream is not None else sys.stderr
    print(f"odyc: error: {shown(message)}", file=out)
    if hint:
        print(f"hint: {shown(hint)}", file=out)


def print_note(message: str, *, stream: TextIO | None = None) -> None:
    """A line for the user on stderr (progress, job ids); stdout stays for results."""
    print(shown(message), file=stream if stream is not None else sys.stderr, flush=True)


class _ClosedOnExit:
    """`with display:` closes the display (stops its live line or bars) however the block ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class StatusDisplay(_ClosedOnExit):
    """Shows a waiting job's progress: `update` after every poll, `close` at the end.

    On a TTY: one live line (status, elapsed time, queue estimate) redrawn in place, its clock
    ticking between polls. Otherwise: a timestamped line each time the status changes.
    """

    def __init__(
        self,
        job_id: str,
        *,
        queue_estimate_minutes: float | None = None,
        stream: TextIO | None = None,
        live: bool | None = None,
        colour: ColourChoice = "auto",
        just_submitted: bool = True,
    ) -> None:
        self.job_id = job_id
        self.stream = stream if stream is not None else sys.stderr
        self.colour = colour
        self.started = time.monotonic()
        self.status = "submitted" if just_submitted else "waiting"
        self.queue_estimate = format_queue_estimate(queue_estimate_minutes)
        self.just_submitted = just_submitted
        """True when the clock started at the submission (else: when odyc started waiting)."""
        self.ended_before_waiting: str | None = None
        """For a job that had ended before odyc looked: when it ended, said for the line."""
        self._polls = 0
        self._last_logged: str | None = None
        self._live: Any = None
        if live if live is not None else is_terminal(self.stream):
            self._live = _start_live_line(self)

    def line(self) -> str:
        """The current status line's text: the time is the job's since its submission, or
        odyc's wait for a job submitted earlier; a job that had already ended says when."""
        status = printable(self.status, max_chars=STATUS_CHARS)
        if self.ended_before_waiting is not None:
            return f"job {self.job_id}: {status} · {self.ended_before_waiting}"
        elapsed = format_duration(self.elapsed())
        parts = [f"job {self.job_id}: {status}"]
        parts.append(elapsed if self.just_submitted else f"waited {elapsed}")
        if self.queue_estimate and self.status in ("submitted", "pending"):
            parts.append(self.queue_estimate)
        return " · ".join(parts)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def update(self, status: JobStatus) -> None:
        """Record a new poll result."""
        if self._polls == 0 and status.is_terminal and not self.just_submitted:
            ended = status.completed_at
            self.ended_before_waiting = (
                f"ended {printable(ended)}" if ended else "had already ended"
            )
        self._polls += 1
        self.status = status.status
        if self._live is not None:
            self._live.refresh()
        elif status.status != self._last_logged:
            self._last_logged = status.status
            print(f"{timestamp()} {self.line()}", file=self.stream, flush=True)

    def close(self) -> None:
        """Stop the live line (leaving its last state on screen)."""
        if self._live is not None:
            self._live.stop()
            self._live = None


def _start_live_line(display: StatusDisplay) -> Any:
    from rich.live import Live
    from rich.text import Text

    class _Line:
        def __rich__(self) -> Text:
            return Text(display.line())

    live = Live(
        _Line(),
        console=rich_console(display.stream, display.colour),
        refresh_per_second=4,
        transient=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    live.start()
    return live


class DownloadDisplay(_ClosedOnExit):
    """Progress of downloads: rich progress bars on a TTY, one line per file otherwise."""

    def __init__(
        self,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        colour: ColourChoice = "auto",
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if live if live is not None else is_terminal(self.stream):
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=rich_console(self.stream, colour),
            )
            self._progress.start()

    def on_progress(self, item: DownloadItem, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        key = str(item.path)
        task = self._tasks.get(key)
        if task is None:
            task = self._progress.add_task(item.path.name, total=total)
            self._tasks[key] = task
        self._progress.update(task, completed=done, total=total)

    def on_done(self, result: DownloadResult) -> None:
        path = result.item.path
        if self._progress is not None:
            if result.skipped:
                self._progress.console.print(f"already downloaded: {path}")
            return
        if result.skipped:
            message = f"already downloaded: {path}"
        elif result.resumed_from:
            message = f"saved {path} ({result.size} bytes, resumed at {result.resumed_from})"
        else:
            message = f"saved {path} ({result.size} bytes)"
        print(f"{timestamp()} {message}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    whole: Collection[int] = (),
    stream: TextIO | None = None,
    title: str | None = None,
    colour: ColourChoice = "auto",
) -> None:
    """A table: drawn by rich on a TTY, plain columns separated by two spaces otherwise;
    written completely on `stream` (stdout by default) or `OutputError` is raised.

    On a terminal too narrow for every cell, the columns numbered in `whole` (ids, statuses)
    keep their full width on one line; the others wrap, so nothing is cut off.
    """
    from odyssey_dsl.cli.output import print_result

    out = stream if stream is not None else sys.stdout
    cells = [[shown(printable(cell)) for cell in row] for row in rows]
    if is_terminal(out):
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title)
        for index, header in enumerate(headers):
            if index in whole:
                width = max([len(header), *(len(row[index]) for row in cells)])
                table.add_column(header, no_wrap=True, min_width=width)
            else:
                table.add_column(header, overflow="fold")
        for row in cells:
            table.add_row(*(Text(cell) for cell in row))  # Text: no [markup] from a server
        console = rich_console(out, colour)
        with console.capture() as capture:
            console.print(table)
        print_result(capture.get().removesuffix("\n"), stream=out)
        return
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [list(headers), *cells]
    ]
    print_result("\n".join(lines), stream=out)


def optional(value: object, formatter: Callable[[Any], str] = str) -> str:
    """A table cell: `-` for a missing value."""
    return "-" if value is None or value == "" else formatter(value)
