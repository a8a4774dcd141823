"""`odyc schema`: the JSON Schema of what odyc emits, generated from its pydantic models."""

from __future__ import annotations

import argparse
import json
import sys

from odyssey_dsl.cli.colour import add_colour_option
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.output import ArgumentParser, write_utf8

DESCRIPTION = """\
Print the JSON Schema (draft 2020-12) of odyc's output, generated from the models that odyc
itself validates its output with. Use it to check odyc's JSON in other tools, or to generate
types from it."""

EPILOG = """\
examples:
  odyc schema                  the script that `odyc FILE` prints (entries, or arrays of them)
  odyc schema --entry          one entry of a script
  odyc schema --request        the request body that `odyc FILE --emit request` prints"""


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="odyc schema",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--script",
        dest="kind",
        action="store_const",
        const="script",
        help="the output of `odyc FILE`: an array of entries, or an array of arrays for a "
        "batch (the default)",
    )
    kind.add_argument(
        "--entry", dest="kind", action="store_const", const="entry", help="one script entry"
    )
    kind.add_argument(
        "--request",
        dest="kind",
        action="store_const",
        const="request",
        help='the output of `odyc FILE --emit request`: {"portrait": ..., "script": [...]} '
        'or "scripts"',
    )
    parser.set_defaults(kind="script")
    add_colour_option(parser, has_colour=False)
    return parser


def run(argv: list[str]) -> int:
    """Run `odyc schema [--script | --entry | --request]`; returns the exit code."""
    args = build_parser().parse_args(argv)
    from odyssey_dsl.emit.schema import output_schema

    write_utf8(sys.stdout, json.dumps(output_schema(args.kind), indent=2) + "\n")
    return ExitCode.OK
