"""`odyc lsp`: start the language server on standard input and output."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from odyssey_dsl.cli.diagnostic_output import print_usage_error
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.output import ArgumentParser

INSTALL_HINT = "pip install 'odyssey-dsl[lsp]'"

DESCRIPTION = """\
Run the Ody language server: diagnostics as you type, the time of every line as inlay hints,
hover, go to definition, rename, completion and the `ody/timeline` request. It speaks the
Language Server Protocol over standard input and output (nothing else is written to standard
output; logs go to standard error) and takes no arguments: editors start it themselves.
Settings come from the nearest odyc.toml or [tool.odyc] above each document, as for
`odyc check`. See docs/lsp.md."""


def build_parser() -> argparse.ArgumentParser:
    return ArgumentParser(
        prog="odyc lsp",
        usage="odyc lsp",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def missing_dependencies() -> list[str]:
    """The server's optional dependencies that are not installed."""
    return [name for name in ("pygls", "lsprotocol") if not _installed(name)]


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: a module blocked in sys.modules
        return False


def run(argv: list[str]) -> int:
    build_parser().parse_args(argv)
    missing = missing_dependencies()
    if missing:
        print_usage_error(
            f"`odyc lsp` needs {' and '.join(missing)}, which are not installed; "
            f"install them with: {INSTALL_HINT}"
        )
        return ExitCode.USAGE
    from odyssey_dsl.lsp.server import serve

    try:
        return serve()
    finally:
        # The server closes standard output when the client says `exit`; what is left to
        # flush goes nowhere.
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
