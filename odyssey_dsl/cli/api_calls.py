"""Running API calls from the CLI: a client per command, and its errors turned into one line a
user can act on (exit code 5) — never a traceback.

The client's messages already say what to do (check the key, the URL, try again later), so a
hint is added only where odyc knows more. The client already scrubs the key and the token from
everything the server sends; `terminal.shown` removes the key once more from whatever odyc
prints.
"""

from __future__ import annotations

import logging
import shlex
import sys
import warnings
from collections.abc import Callable

from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.terminal import print_error, redact_key, shown
from odyssey_dsl.client import OdysseyClient, errors
from odyssey_dsl.client.auth import API_KEY_ENV, resolve_api_url


def describe_api_error(
    error: errors.OdysseyError, job_id: str | None = None
) -> tuple[str, str | None]:
    """(message, hint) for an API error about the job `job_id` (if any); the hint is None
    when there is nothing to add."""
    if isinstance(error, errors.MissingAPIKeyError):
        return (
            f"no Odyssey API key: the {API_KEY_ENV} environment variable is not set",
            f"export {API_KEY_ENV}=ody_... (odyc reads the key only from the environment, "
            "so it never lands in your shell history)",
        )
    message = redact_key(str(error))
    if isinstance(error, errors.CannotCancelError):
        status = f"odyc jobs status {shlex.quote(job_id) if job_id else 'JOB_ID'}"
        return message, f"`{status}` shows where the job is"
    return message, None


def show_client_warnings() -> None:
    """Print the client's warnings (a poll that failed and will be retried, a status odyc
    does not know) as `odyc: warning: ...` lines on stderr, each once."""
    log = logging.getLogger("odyssey_dsl.client")
    if not any(isinstance(h, _WarningLines) for h in log.handlers):
        log.addHandler(_WarningLines())
        log.propagate = False
    # the same news also comes as a Python warning, for library users: the log line suffices
    warnings.simplefilter("ignore", errors.UnknownJobStatusWarning)


class _WarningLines(logging.StreamHandler):  # type: ignore[type-arg]
    """`odyc: warning: ...` on stderr for the client's warnings."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setLevel(logging.WARNING)
        self.setFormatter(logging.Formatter("odyc: warning: %(message)s"))

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record))


def open_client(api_url: str | None) -> OdysseyClient:
    """A client for `api_url` (else ODYSSEY_API_URL, else the default).

    Raises `OdysseyError` for every problem with the settings: `InvalidAPIURLError` for a
    URL that is not an http(s) URL, or cannot be parsed at all (`http://[::1`).
    """
    show_client_warnings()
    resolve_api_url(api_url)  # a bad URL is a usage error (exit 2), even without a key
    return OdysseyClient(api_url=api_url)


def report_api_error(error: errors.OdysseyError, job_id: str | None = None) -> int:
    """Print `error` (about the job `job_id`, if any) as one line and a hint; returns the
    exit code: 2 for an API URL that is not an http(s) URL (a usage error), else 5."""
    message, hint = describe_api_error(error, job_id)
    print_error(message, hint)
    if isinstance(error, errors.InvalidAPIURLError):
        return ExitCode.USAGE
    return ExitCode.API_ERROR


def run_with_client(
    api_url: str | None, action: Callable[[OdysseyClient], int], job_id: str | None = None
) -> int:
    """Run `action` (about the job `job_id`, if any) with a client for `api_url`; API errors
    become one line and exit code 5."""
    try:
        with open_client(api_url) as client:
            return action(client)
    except errors.OdysseyError as error:
        return report_api_error(error, job_id)
