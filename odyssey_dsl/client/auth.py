"""Credentials: where the API key and URL come from, and the bearer-token cache.

The key is exchanged for a bearer token (`POST /auth/token`); the token is reused until shortly
before it expires. Neither may ever be shown: `Secret` hides its value from `repr`/`str`, and
`server_text.redact`/`scrub_secrets` remove both from everything the server sends back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from odyssey_dsl.client.errors import InvalidAPIURLError, MissingAPIKeyError
from odyssey_dsl.client.server_text import REDACTED, printable

DEFAULT_API_URL = "https://api.odyssey.ml"
API_KEY_ENV = "ODYSSEY_API_KEY"
API_URL_ENV = "ODYSSEY_API_URL"

REFRESH_MARGIN_SECONDS = 60.0
"""A token is replaced this long before it expires (as the official SDK does)."""


class Secret:
    """A string that never shows itself: `repr`, `str` and formatting print `***`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def resolve_api_key(explicit: str | None, environ: Mapping[str, str] | None = None) -> Secret:
    """The API key: `explicit`, else `$ODYSSEY_API_KEY`; MissingAPIKeyError if neither is set."""
    env = os.environ if environ is None else environ
    for candidate in (explicit, env.get(API_KEY_ENV)):
        if candidate is not None and candidate.strip():
            return Secret(candidate.strip())
    raise MissingAPIKeyError()


def resolve_api_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The API's base URL: `explicit`, else `$ODYSSEY_API_URL`, else the public API.

    Raises `InvalidAPIURLError` when it is not an http(s) URL with a host.
    """
    env = os.environ if environ is None else environ
    url = next(
        (c.strip() for c in (explicit, env.get(API_URL_ENV)) if c is not None and c.strip()),
        DEFAULT_API_URL,
    )
    problem = api_url_problem(url)
    if problem is not None:
        raise InvalidAPIURLError(
            f"the API URL '{printable(url, max_chars=200)}' {problem} "
            f"(check --api-url or {API_URL_ENV})"
        )
    return url.rstrip("/")


def api_url_problem(url: str) -> str | None:
    """What is wrong with `url` as the API's base URL, or None if it is an http(s) URL."""
    if not url.lower().startswith(("http://", "https://")):
        return "must start with http:// or https://"
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL as error:
        return f"is not a valid URL ({printable(str(error), max_chars=200)})"
    if not host:
        return "has no host name"
    return None


def refresh_margin(expires_in: float) -> float:
    """How long before expiry a token is replaced: 60 s, or half the lifetime of a short one
    (a token that lives under two minutes would otherwise never be reused)."""
    return min(REFRESH_MARGIN_SECONDS, max(0.0, expires_in) / 2)


@dataclass
class TokenCache:
    """The current bearer token and when (on a monotonic clock) it should be replaced."""

    _token: Secret | None = None
    _renew_at: float = 0.0

    def current(self, now: float) -> Secret | None:
        """The token, if there is one that is not due for renewal at `now`."""
        if self._token is not None and now < self._renew_at:
            return self._token
        return None

    def store(self, token: str, expires_in: float, now: float) -> Secret:
        """Remember a new token that expires `expires_in` seconds after `now`."""
        self._token = Secret(token)
        self._renew_at = now + max(0.0, expires_in) - refresh_margin(expires_in)
        return self._token

    def discard(self, token: Secret) -> None:
        """Forget `token` (the server refused it), unless it was already replaced."""
        if self._token == token:
            self._token = None

    def secrets(self) -> list[str]:
        return [self._token.reveal()] if self._token is not None else []

    def __repr__(self) -> str:
        return f"TokenCache(token={'set' if self._token else 'unset'})"
