"""Running API calls from the CLI: a client per command, and its errors turned into one line a
user can act on, plus a hint, and exit code 5 — never a traceback.

The client's messages already avoid the key and tokens; `redact_key` is a second guard that
removes the key's value from anything odyc prints, should a server ever echo it back.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from odyssey_dsl.api import OdysseyClient, errors
from odyssey_dsl.cli.exit_codes import ExitCode
from odyssey_dsl.cli.terminal import print_error

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
    message = redact_key(str(error))
    hint: str | None
    if isinstance(error, errors.MissingAPIKeyError):
        return (
            "no Odyssey API key: the ODYSSEY_API_KEY environment variable is not set",
            "export ODYSSEY_API_KEY=ody_... (odyc reads the key only from the environment, "
            "so it never lands in your shell history)",
        )
    if isinstance(error, errors.AuthenticationError):
        hint = "check ODYSSEY_API_KEY: keys start with 'ody_' and come from your Odyssey account"
    elif isinstance(error, errors.PermissionDeniedError):
        hint = "the job or recording belongs to another account, or this key lacks access"
    elif isinstance(error, errors.NotFoundError):
        hint = "check the id; `odyc jobs list` shows your jobs"
    elif isinstance(error, errors.RateLimitedError):
        hint = "the API is rate limiting this key; wait a little and try again"
    elif isinstance(error, errors.CannotCancelError):
        hint = "`odyc jobs status JOB_ID` shows where the job is"
    elif isinstance(error, errors.ServerError):
        hint = "the service is having trouble; try again in a few minutes"
    elif isinstance(error, errors.NetworkError):
        hint = f"check the API URL (--api-url or {API_URL_ENV}) and your network connection"
        if error.maybe_submitted:
            hint += "; the job may have been created: see `odyc jobs list --active`"
    else:
        hint = None
    return message, hint


def run_with_client(api_url: str | None, action: Callable[[OdysseyClient], int]) -> int:
    """Run `action` with a client for `api_url`; API errors become one line and exit code 5."""
    try:
        with OdysseyClient(api_url=api_url) as client:
            return action(client)
    except errors.OdysseyError as error:
        message, hint = describe_api_error(error)
        print_error(message, hint)
        return ExitCode.API_ERROR
