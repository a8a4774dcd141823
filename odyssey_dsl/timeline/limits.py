"""The knobs of expansion and the timeline checks, shared by every stage that reads them."""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MIN_GAP_MS = 100


class Limits(NamedTuple):
    """Knobs of the checks (`--max-entries`, `--min-gap`, `--werror`, `--portrait`)."""

    max_entries: int = DEFAULT_MAX_ENTRIES
    min_gap_ms: int = DEFAULT_MIN_GAP_MS
    werror: bool = False
    portrait: bool | None = None
    """Overrides the file's `portrait:` when not None."""
    emit_job: bool = True
    """False for lint-only runs: every check runs, but no `Job` is built."""
