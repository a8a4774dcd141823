"""Running API calls from the CLI: a client per command, and its errors turned into one line a
user can act on (exit code 5) — never a traceback.

The client's messages already say what to do (check the key, the URL, try again later), so a
hint is added only where odyc knows more. `redact_key` is a second guard that removes the key's
value from anything odyc prints, should a server ever echo it back.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable

from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.terminal import print_error
from odyssey_dsl.client import OdysseyClient, errors

API_KEY_ENV = "ODYSSEY_API_KEY"
API_URL_ENV = "ODYSSEY_API_URL"


def redact_key(text: str) -> str:
    """`text` with the value of ODYSSEY_API_KEY (if set) replaced by `ody_***`."""
    key = os.environ.get(API_KEY_ENV, "")
    if len(key) >= 4 and key in text:
        text = text.replace(key, "ody_***")
    return text


def describe_api_error(error: errors.OdysseyError) -> tuple[str, str | None]:
    """(message, hint) for an API error; the hint is None when there is nothing to add."""
    if isinstance(error, errors.MissingAPIKeyError):
        return (
            f"no Odyssey API key: the {API_KEY_ENV} environment variable is not set",
            f"export {API_KEY_ENV}=ody_... (odyc reads the key only from the environment, "
            "so it never lands in your shell history)",
        )
    message = redact_key(str(error))
    if isinstance(error, errors.CannotCancelError):
        return message, "`odyc jobs status JOB_ID` shows where the job is"
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


def open_client(api_url: str | None) -> OdysseyClient:
    """A client for `api_url` (else ODYSSEY_API_URL, else the default).

    Raises `OdysseyError` for every problem with the settings, including a URL that cannot
    be parsed at all.
    """
    import httpx

    show_client_warnings()
    try:
        return OdysseyClient(api_url=api_url)
    except (httpx.InvalidURL, ValueError) as error:  # e.g. "http://[::1"
        shown = api_url if api_url is not None else os.environ.get(API_URL_ENV, "")
        raise errors.InvalidRequestError(
            f"the API URL {shown!r} is not a valid URL ({error}); check --api-url or {API_URL_ENV}"
        ) from None


def run_with_client(api_url: str | None, action: Callable[[OdysseyClient], int]) -> int:
    """Run `action` with a client for `api_url`; API errors become one line and exit code 5."""
    try:
        with open_client(api_url) as client:
            return action(client)
    except errors.OdysseyError as error:
        message, hint = describe_api_error(error)
        print_error(message, hint)
        return ExitCode.API_ERROR
