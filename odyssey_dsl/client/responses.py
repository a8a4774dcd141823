"""Reading answers: a successful one becomes its model, a failed one a typed `OdysseyError`.

Shared by the sync and async clients. Everything taken from the server's answer is redacted
(the API key and the token are removed) before it goes into an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import httpx
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import from_json

from odyssey_dsl.client.calls import ApiCall, ModelT, describe_validation_errors
from odyssey_dsl.client.errors import (
    API_KEY_HINT,
    AuthenticationError,
    CannotCancelError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
    OdysseyError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from odyssey_dsl.client.retry import parse_retry_after, was_never_sent
from odyssey_dsl.client.server_text import printable, redact, scrub_secrets

MAX_DETAIL_CHARS = 300
MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""The largest answer the client reads from the API (32 MiB, after decompression); a larger
one is an error, and is not read any further."""
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
MAYBE_SUBMITTED_HINT = (
    "the job may have been created anyway: check `odyc jobs list --active` before submitting again"
)


class AnswerTooLarge(httpx.HTTPError):
    """The API's answer was larger than `MAX_ANSWER_BYTES`; reading it stopped there."""


class CappedBody:
    """Collects an answer's body as it streams in, refusing more than `limit` bytes.

    Feed it every decoded chunk with `add` (it raises `AnswerTooLarge` as soon as the body,
    or the length the server announces, goes over the limit), then take the complete
    `response()`.
    """

    def __init__(self, streamed: httpx.Response, limit: int = MAX_ANSWER_BYTES) -> None:
        self._streamed = streamed
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        declared = streamed.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise AnswerTooLarge(f"the answer announces {int(declared)} bytes")

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise AnswerTooLarge(f"the answer went on past {self._limit} bytes")
        self._chunks.append(chunk)

    def response(self) -> httpx.Response:
        """The answer with its whole (already decoded) body."""
        headers = [
            (name, value)
            for name, value in self._streamed.headers.multi_items()
            if name.lower() not in _BODY_HEADERS
        ]
        return httpx.Response(
            self._streamed.status_code,
            headers=headers,
            content=b"".join(self._chunks),
            request=self._streamed.request,
        )


def decode(call: ApiCall[ModelT], response: httpx.Response, secrets: Sequence[str]) -> ModelT:
    """The model of a successful answer; `ServerError` if it is not what the API sends.

    The API key and the token (`secrets`) are scrubbed from every string of the answer
    before it is read, so no id, URL or message the server echoes can carry them further.
    """
    try:
        parsed = from_json(response.content)
    except ValueError as error:
        raise ServerError(
            f"the API's answer to the request to {call.action} is not valid JSON "
            f"({printable(str(error), max_chars=200)}); is the API URL right?",
            status_code=response.status_code,
        ) from None
    try:
        return call.answer.model_validate(scrub_secrets(parsed, secrets))
    except PydanticValidationError as error:
        problems = describe_validation_errors(error.errors(include_input=False))
        raise ServerError(
            f"the API's answer to the request to {call.action} could not be read ({problems}); "
            "is the API URL right?",
            status_code=response.status_code,
        ) from None


def detail_of(response: httpx.Response, secrets: Iterable[str]) -> str | None:
    """The server's explanation: JSON `detail` (a string, or a FastAPI-style list of problems,
    flattened), else the start of a non-JSON body; redacted and shortened."""
    text = response.text.strip()
    if not text:
        return None
    try:
        body: Any = from_json(text)
    except ValueError:
        detail = text if "<html" not in text[:200].lower() else None
    else:
        raw = body.get("detail", body.get("message")) if isinstance(body, dict) else body
        if raw is None:
            detail = None
        elif isinstance(raw, str):
            detail = raw
        elif isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
            detail = describe_validation_errors(raw)
        else:
            detail = json.dumps(raw)
    if detail is None:
        return None
    detail = printable(redact(" ".join(detail.split()), secrets), max_chars=MAX_DETAIL_CHARS)
    return detail or None


def error_for_response(
    call: ApiCall[Any], response: httpx.Response, secrets: Iterable[str]
) -> OdysseyError:
    """The typed error for a failed answer to `call`."""
    status = response.status_code
    detail = detail_of(response, secrets)
    said = f": {detail}" if detail else ""
    code = f"{status} {response.reason_phrase}".strip()

    if call.kind == "auth":
        if status == 401:
            return AuthenticationError(
                f"the Odyssey API rejected the API key ({code}); {API_KEY_HINT} with a valid key",
                status_code=status,
                detail=detail,
            )
        if status == 422:
            return AuthenticationError(
                f"the API key is malformed ({code}; keys look like 'ody_…'); {API_KEY_HINT} "
                "with a valid key",
                status_code=status,
                detail=detail,
            )
        if status == 403:
            return PermissionDeniedError(
                f"this API key may not use the Simulate API ({code}){said}",
                status_code=status,
                detail=detail,
            )
    if status == 401:
        return AuthenticationError(
            f"the Odyssey API refused the access token even after renewing it ({code}); "
            f"check the API key: {API_KEY_HINT}",
            status_code=status,
            detail=detail,
        )
    if status == 403:
        about = call.subject or "this resource"
        return PermissionDeniedError(
            f"you are not allowed to access {about} ({code}){said}; it may belong to another "
            "account",
            status_code=status,
            detail=detail,
        )
    if status == 404:
        about = call.subject or "the requested resource"
        return NotFoundError(
            f"{about} was not found ({code}); {call.not_found_hint}",
            status_code=status,
            detail=detail,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        wait = f"; the server asked to wait {retry_after:g} s" if retry_after is not None else ""
        return RateLimitedError(
            f"the Odyssey API is limiting the rate of requests ({code}){said}{wait}; "
            "try again later",
            status_code=status,
            detail=detail,
            retry_after=retry_after,
        )
    if call.kind == "cancel" and status in (400, 409):
        return CannotCancelError(
            f"{call.subject or 'the job'} cannot be cancelled"
            f"{said or ': only pending or dispatched jobs can be cancelled'}",
            status_code=status,
            detail=detail,
        )
    if status in (400, 422):
        return InvalidRequestError(
            f"the Odyssey API refused the request to {call.action} ({code}){said}",
            status_code=status,
            detail=detail,
        )
    if status >= 500:
        hint = MAYBE_SUBMITTED_HINT if call.kind == "submit" else "try again in a moment"
        return ServerError(
            f"the Odyssey API failed to {call.action} ({code}){said}; {hint}",
            status_code=status,
            detail=detail,
        )
    if 300 <= status < 400:
        return OdysseyError(
            f"the Odyssey API answered the request to {call.action} with a redirect ({code}); "
            "odyc does not follow the API's redirects: check the API URL "
            "(--api-url or ODYSSEY_API_URL)",
            status_code=status,
        )
    return OdysseyError(
        f"unexpected answer from the Odyssey API to the request to {call.action} ({code}){said}",
        status_code=status,
        detail=detail,
    )


def error_for_failure(
    call: ApiCall[Any], error: httpx.HTTPError, base_url: str, timeout: float
) -> OdysseyError:
    """The typed error for a request that got no (usable) answer."""
    reason = printable(str(error).strip() or type(error).__name__, max_chars=MAX_DETAIL_CHARS)
    maybe_submitted = call.kind == "submit" and not was_never_sent(error)
    hint = f"; {MAYBE_SUBMITTED_HINT}" if maybe_submitted else ""
    if isinstance(error, AnswerTooLarge):
        return ServerError(
            f"the Odyssey API at {base_url} sent an answer larger than "
            f"{MAX_ANSWER_BYTES // (1024 * 1024)} MiB to the request to {call.action} ({reason})"
            f"; is the API URL right?{hint}",
        )
    if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
        return RequestTimeoutError(
            f"the Odyssey API at {base_url} did not answer the request to {call.action} within "
            f"{timeout:g} s{hint}",
            maybe_submitted=maybe_submitted,
        )
    if was_never_sent(error) or isinstance(error, httpx.UnsupportedProtocol):
        return NetworkError(
            f"could not connect to the Odyssey API at {base_url} ({reason}); check the network "
            "and the API URL (--api-url or ODYSSEY_API_URL)"
        )
    return NetworkError(
        f"the connection to the Odyssey API at {base_url} broke during the request to "
        f"{call.action} ({reason}){hint}",
        maybe_submitted=maybe_submitted,
    )
