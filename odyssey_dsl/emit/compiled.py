"""Stage 4 — emit: an expansion that passed every check, as the plain values the JSON is
written from (no pydantic: `odyc FILE` writes its JSON without building the models; see
`emit.job` for the validated pydantic `Job`)."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.timeline.entries import Expansion, TimelineEntry

if TYPE_CHECKING:
    from collections.abc import Iterator

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
        _check_texts(map(_PROMPT, entries))
        _check_texts(map(_IMAGE, entries))
    names = [script.name or "" for script in expansion.scripts] if expansion.is_batch else None
    return CompiledJob(True if portrait is None else portrait, scripts, names)


_PROMPT = attrgetter("prompt")
_IMAGE = attrgetter("image")


def _check_texts(texts: Iterator[str | None]) -> None:
    """Raise `UnicodeEncodeError` if a text is not valid Unicode (the loop runs in C until a
    text that is not ASCII turns up: only those need encoding to be checked)."""
    present: list[str] = list(filter(None, texts))
    if not all(map(str.isascii, present)):
        for text in present:
            text.encode("utf-8")
