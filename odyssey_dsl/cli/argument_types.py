"""argparse types of the job commands: each turns bad input into a usage error (exit 2)."""

from __future__ import annotations

import argparse
import math
import re

MAX_PAGE_SIZE = 100
"""The API's largest page (`limit`)."""


def positive_seconds(text: str) -> float:
    """A number of seconds greater than zero (`0.5`, `5`, `90`)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def job_id(text: str) -> str:
    """A job id as the API writes them (see `client.wire.JOB_ID_PATTERN`): never `.`, `..`,
    a path or something that reads as an option."""
    from odyssey_dsl.client.server_text import printable
    from odyssey_dsl.client.wire import job_id_problem

    problem = job_id_problem(text)
    if problem is not None:
        shown = printable(text, max_chars=80)
        raise argparse.ArgumentTypeError(f"'{shown}' is not a job id: {problem}")
    return text


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def byte_size(text: str) -> int:
    """A size in bytes: `1000000`, or with a unit K, M, G or T (powers of 1024, with or
    without a trailing `B`/`iB`): `500M`, `1.5G`, `2GiB`."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a size such as 500M or 2G, got {text!r}")
    number, unit = match.groups()
    size = int(float(number) * _SIZE_UNITS[unit.upper()])
    if size < 1:
        raise argparse.ArgumentTypeError(f"expected a size of at least one byte, got {text!r}")
    return size


def format_size(size: int) -> str:
    """`2147483648` → `2 GiB`; `1536` → `1.5 KiB`; `100` → `100 bytes`."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"


def page_size(text: str) -> int:
    """A page size the API accepts: 1 to 100."""
    value = whole_number(text)
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to {MAX_PAGE_SIZE}, got {text}")
    return value


def non_negative(text: str) -> int:
    """0 or more."""
    value = whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def add_paging_arguments(parser: argparse.ArgumentParser, items: str) -> None:
    """`--limit`, `--offset` and `--all` of a listing of `items` ("jobs", "recordings")."""
    parser.add_argument(
        "--limit",
        type=page_size,
        default=20,
        metavar="N",
        help=f"{items} per page, 1-{MAX_PAGE_SIZE} (default: 20)",
    )
    parser.add_argument(
        "--offset", type=non_negative, default=0, metavar="N", help=f"skip the first N {items}"
    )
    parser.add_argument(
        "--all", action="store_true", help="fetch every page (--limit is then the page size)"
    )
