"""Entry point of `odyc`: picks the subcommand and imports only the code it needs.

`odyc FILE ...` compiles (the default command); `odyc SUBCOMMAND ...` runs a subcommand.
A path that merely looks like a subcommand (`./check`) is compiled, since only the bare
word is a subcommand. Each subcommand lives in its own module with a `run(argv) -> int`,
imported lazily so that `odyc check` does not pay for the HTTP client or the emulator.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

SUBCOMMANDS: dict[str, str] = {
    "check": "odyssey_dsl.cli.check_command",
    "jobs": "odyssey_dsl.cli.jobs_command",
    "recordings": "odyssey_dsl.cli.recordings_command",
    "emulator": "odyssey_dsl.cli.emulator_command",
}
"""Subcommand name -> module with `run(argv: list[str]) -> int`."""

COMPILE_MODULE = "odyssey_dsl.cli.compile_command"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        module_name, args = SUBCOMMANDS[args[0]], args[1:]
    else:
        module_name = COMPILE_MODULE
    module = importlib.import_module(module_name)
    try:
        code: int = module.run(args)
    except KeyboardInterrupt:
        print("odyc: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
