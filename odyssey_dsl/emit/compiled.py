"""Stage 4 — emit: an expansion that passed every check, as the plain values the JSON is
written from (no pydantic: `odyc FILE` writes its JSON without building the models; see
`emit.job` for the validated pydantic `Job`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.timeline.entries import Expansion, TimelineEntry

if TYPE_CHECKING:
    from odyssey_dsl.timeline.limits import Limits


class CompiledJob(NamedTuple):
    """A compiled scene: its scripts' entries, the `portrait` option and, for a batch, the
    names of its `script` blocks."""

    portrait: bool
    scripts: list[list[TimelineEntry]]
    """One list of entries per script (a single script for a file without `script` blocks)."""
    script_names: list[str] | None
    """The names of a batch's `script` blocks (metadata, never sent); None for one script."""

    @property
    def is_batch(self) -> bool:
        return self.script_names is not None


def compiled_job(expansion: Expansion, limits: Limits) -> CompiledJob:
    """The job of an expansion that passed every check.

    Raises `UnicodeEncodeError` for a prompt or image that is not text JSON can carry (a
    lone surrogate, which a template or `--var` can produce): the compiler reports it.
    """
    portrait = limits.portrait if limits.portrait is not None else expansion.portrait
    scripts = [script.entries for script in expansion.scripts]
    for entries in scripts:
        for entry in entries:
            _check_text(entry.prompt)
            _check_text(entry.image)
    names = [script.name or "" for script in expansion.scripts] if expansion.is_batch else None
    return CompiledJob(True if portrait is None else portrait, scripts, names)


def _check_text(text: str | None) -> None:
    if text is not None and not text.isascii():
        text.encode("utf-8")
