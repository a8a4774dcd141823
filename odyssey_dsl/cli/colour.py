"""`--color auto|always|never`, which every command takes, and what it decides.

`auto` (the default) colours a terminal's output unless `NO_COLOR` is set (non-empty);
`FORCE_COLOR` (non-empty, not 0) colours it even in a pipe. `always` and `never` win over
both variables: an option on the command line is the most explicit choice.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TextIO

from odyssey_dsl.diagnostics.render import colour_enabled

if TYPE_CHECKING:
    from rich.console import Console

ColourChoice = Literal["auto", "always", "never"]
CHOICES: tuple[ColourChoice, ...] = ("auto", "always", "never")


def add_colour_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, has_colour: bool = True
) -> None:
    """Register `--color` on `parser` (`has_colour=False`: a command whose output is never
    coloured takes it too, so that every command accepts the same options)."""
    help_text = (
        "colour the output: auto (the default: on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR forces it), always, or never"
        if has_colour
        else "accepted by every command; this one's output is never coloured"
    )
    parser.add_argument("--color", choices=CHOICES, default="auto", help=help_text)


def wants_colour(
    choice: ColourChoice, stream: TextIO, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether output to `stream` is coloured."""
    if choice != "auto":
        return choice == "always"
    return colour_enabled(is_tty(stream), os.environ if environ is None else environ)


def rich_console(stream: TextIO, choice: ColourChoice, **options: object) -> Console:
    """A rich console on `stream` that colours as `choice` says."""
    from rich.console import Console

    colour = wants_colour(choice, stream)
    return Console(
        file=stream,
        force_terminal=True if choice == "always" else None,
        no_color=not colour,
        color_system="auto" if colour else None,
        **options,  # type: ignore[arg-type]
    )


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
