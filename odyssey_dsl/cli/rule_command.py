"""`odyc rule CODE` / `odyc rule --all`: a diagnostic code explained in the terminal, from
the catalogue: what it means, how to fix it, and its example with what odyc says of it."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import TYPE_CHECKING

from odyssey_dsl.cli.colour import add_colour_option, rich_console
from odyssey_dsl.cli.diagnostic_output import print_usage_error
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.diagnostics import CATALOGUE, Code

if TYPE_CHECKING:
    from rich.console import Console

DESCRIPTION = """\
Explain a diagnostic code: what it means, how to fix it, and an example scene with what odyc
reports for it. The same text is in docs/diagnostics.md."""

EPILOG = """\
examples:
  odyc rule E501               one code
  odyc rule repeated-prompt    a code by its name
  odyc rule --all              every code"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odyc rule",
        usage="odyc rule CODE | odyc rule --all",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("code", metavar="CODE", nargs="?", help="a code (E501) or its name")
    parser.add_argument("--all", action="store_true", help="explain every code")
    add_colour_option(parser)
    return parser


def run(argv: list[str]) -> int:
    """Run `odyc rule CODE` or `odyc rule --all`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.all == (args.code is not None):
        parser.error("give one CODE, or --all")
    if args.all:
        codes = list(CATALOGUE.values())
    else:
        found = find_code(args.code)
        if found is None:
            print_usage_error(_unknown(args.code))
            return ExitCode.USAGE
        codes = [found]
    console = rich_console(sys.stdout, args.color, highlight=False, soft_wrap=True)
    for index, code in enumerate(codes):
        if index:
            console.rule(style="dim")
        explain(console, code)
    return ExitCode.OK


def find_code(text: str) -> Code | None:
    """The catalogue entry named by `text`: its code in any case (`e501`) or its name."""
    entry = CATALOGUE.get(text.strip().upper())
    if entry is not None:
        return entry
    return next((c for c in CATALOGUE.values() if c.name == text.strip().lower()), None)


def _unknown(text: str) -> str:
    candidates = [*CATALOGUE, *(c.name for c in CATALOGUE.values())]
    guess = difflib.get_close_matches(text.strip(), candidates, n=1)
    hint = f"; did you mean {guess[0]}?" if guess else ""
    return f"no diagnostic code {text!r}{hint} ('odyc rule --all' lists every code)"


def explain(console: Console, code: Code) -> None:
    """Print one code's explanation."""
    from rich.text import Text

    from odyssey_dsl.diagnostics.docs import help_uri

    severity_style = "bold red" if code.severity.value == "error" else "bold yellow"
    console.print(
        Text.assemble(
            (code.code, severity_style),
            " ",
            (code.name, "bold"),
            f" ({code.severity.value})",
        )
    )
    console.print(Text(code.summary))
    console.print()
    console.print(Text.assemble(("Fix: ", "bold cyan"), code.fix))
    if code.example:
        line, column = code.example_at
        console.print()
        console.print(Text(f"Example (reported at line {line}, column {column}):", style="bold"))
        for number, text in enumerate(code.example.rstrip("\n").splitlines(), start=1):
            console.print(Text.assemble((f"{number:>4} | ", "blue"), text))
        report = _report(code)
        if report:
            console.print()
            console.print(Text("odyc reports:", style="bold"))
            console.print(Text(report.rstrip("\n")))
    uri = help_uri(code.code)
    if uri is not None:
        console.print()
        console.print(Text(f"More: {uri}", style="dim"))


def _report(code: Code) -> str:
    """What odyc prints for the example (this code's diagnostics only)."""
    from odyssey_dsl import compile_source
    from odyssey_dsl.diagnostics.render import render_text

    result = compile_source(code.example, filename="example.ody", emit_job=False)
    mine = [d for d in result.diagnostics if d.code.code == code.code]
    return render_text(mine, result.source)
