"""Exit codes of `odyc`, and the `--help` epilog that documents them."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What `odyc` returns to the shell."""

    OK = 0
    """Compiled (warnings allowed); or the job completed."""
    COMPILE_ERRORS = 1
    """The scene has errors: nothing was sent."""
    USAGE = 2
    """Bad command line (unknown option, unreadable file), or an output that could not be
    written completely (a full disk, an unwritable -o PATH or --download folder, the job
    journal)."""
    JOB_FAILED = 3
    """The job ended with status `failed`."""
    JOB_CANCELLED = 4
    """The job ended with status `cancelled`."""
    API_ERROR = 5
    """The API refused the request, could not be reached, or the key was rejected."""
    INTERRUPTED = 130
    """Ctrl-C (the job, if any, goes on unless --cancel-on-interrupt)."""


EXIT_CODES_EPILOG = """\
exit codes:
  0    success (the job completed, or was submitted with --no-wait)
  1    the scene has errors: nothing was sent
  2    usage error (unknown option, unreadable file), or an output could not be written
       (a full disk, an unwritable -o PATH or --download DIR, the job journal)
  3    the job failed
  4    the job was cancelled
  5    API, network or authentication error, or --timeout ran out (the job goes on)
  130  interrupted with Ctrl-C (the job goes on, unless --cancel-on-interrupt)

The API key is read only from the ODYSSEY_API_KEY environment variable (never from a flag, so
it stays out of shell history and process lists); the API URL from --api-url, else
ODYSSEY_API_URL, else https://api.odyssey.ml."""
