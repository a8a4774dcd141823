"""Entry point of `odyc`: picks the subcommand, imports only the code it needs, and is the one
place where every command's unexpected ends are turned into something a user can read.

`odyc FILE ...` compiles (the default command); `odyc SUBCOMMAND ...` runs a subcommand.
A path that merely looks like a subcommand (`./check`) is compiled, since only the bare
word is a subcommand; a bare word that is neither a subcommand nor an existing file but is
close to a subcommand's name (`odyc chek x.ody`) is reported as a mistyped command. Each
subcommand lives in its own module with a `run(argv) -> int`, imported lazily so that
`odyc check` does not pay for the HTTP client or the emulator.

Whatever the command: a closed standard output (`odyc jobs list | head -1`) ends odyc quietly
with exit code 2; an output that could not be written completely (a full disk) is one
`odyc: error:` line and exit code 2; any other exception is one line asking for a bug report
and exit code 1 — never a Python traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from odyssey_dsl.cli.output import OutputError

SUBCOMMANDS: dict[str, str] = {
    "check": "odyssey_dsl.cli.check_command",
    "fmt": "odyssey_dsl.cli.fmt_command",
    "jobs": "odyssey_dsl.cli.jobs_command",
    "recordings": "odyssey_dsl.cli.recordings_command",
    "emulator": "odyssey_dsl.cli.emulator_command",
    "rule": "odyssey_dsl.cli.rule_command",
    "schema": "odyssey_dsl.cli.schema_command",
}
"""Subcommand name -> module with `run(argv: list[str]) -> int`."""

COMPILE_MODULE = "odyssey_dsl.cli.compile_command"

REPORT_HINT = "this is a bug in odyc; please report it, with the command and scene that trigger it"

EXIT_USAGE = 2
"""`ExitCode.USAGE` (not imported, to keep this module light): a bad command line, or an
output that could not be written."""
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        module_name, args = SUBCOMMANDS[args[0]], args[1:]
    else:
        mistyped = mistyped_command(args)
        if mistyped is not None:
            print(f"odyc: error: {mistyped}", file=sys.stderr)
            return EXIT_USAGE
        module_name = COMPILE_MODULE
    module = importlib.import_module(module_name)
    return run_guarded(module.run, args)


def mistyped_command(args: Sequence[str]) -> str | None:
    """The message for `odyc chek x.ody` (a bare word close to a subcommand's name, that is
    not a file), or None when the first argument is to be compiled."""
    if not args:
        return None
    word = args[0]
    if not word or word.startswith("-") or os.sep in word or "." in word:
        return None
    if (os.altsep and os.altsep in word) or os.path.lexists(word):
        return None
    import difflib

    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.6)
    if not close:
        return None
    return (
        f"unknown command `{word}`; did you mean `{close[0]}`? "
        f"(to compile a file named {word}, write ./{word})"
    )


def run_guarded(command: Callable[[list[str]], int], argv: list[str]) -> int:
    """Run a command so that no Python traceback ever reaches the user (see the module
    docstring), then flush standard output and report it if that fails."""
    try:
        code = command(argv)
    except SystemExit as exit_request:  # argparse's --help, --version and usage errors
        code = exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
    except BrokenPipeError:
        return _stdout_lost(None)
    except OutputError as error:
        return _stdout_lost(str(error))
    except KeyboardInterrupt:
        print("odyc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        if _stdout_is_stuck():  # a `print` to stdout failed (a full disk)
            return _stdout_lost(f"cannot write to standard output: {error.strerror or error}")
        return _internal_error(error)
    except Exception as error:
        return _internal_error(error)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_lost(None)
    except OSError as error:
        return _stdout_lost(f"cannot write to standard output: {error.strerror or error}")
    return code


def _stdout_lost(message: str | None) -> int:
    """Report an output that could not be written (`None`: the reader closed the pipe,
    which needs no message) and return the exit code."""
    if message is not None:
        print(f"odyc: error: {message}", file=sys.stderr)
    _silence_stdout()
    return EXIT_USAGE


def _stdout_is_stuck() -> bool:
    """True when standard output holds bytes it cannot write."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _internal_error(error: Exception) -> int:
    detail = str(error).splitlines()[0] if str(error) else ""
    print(
        f"odyc: internal error: {type(error).__name__}{': ' + detail if detail else ''}\n"
        f"{REPORT_HINT}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    # Python flushes stdout at exit; with the reader gone (or the disk full) that would
    # print another error, so what is left goes to the null device instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
