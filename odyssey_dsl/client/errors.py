"""Typed errors of the Simulate API client.

Every error the client raises is an `OdysseyError`. Those that come from an HTTP response keep
its `status_code` and the server's `detail` (a FastAPI-style list of problems is flattened
into one readable line). Messages say what the user can do about the problem, and never
contain the API key or a bearer token: everything the server sends back is redacted before it
is put into an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odyssey_dsl.client.wire import JobStatus

API_KEY_HINT = "set the ODYSSEY_API_KEY environment variable"


class OdysseyError(Exception):
    """Base class of every error of the Simulate API client."""

    def __init__(
        self, message: str, *, status_code: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        """The HTTP status of the response that caused the error, if there was one."""
        self.detail = detail
        """The server's explanation (its JSON `detail`), if it sent one."""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class MissingAPIKeyError(OdysseyError):
    """No API key was given and `ODYSSEY_API_KEY` is not set (raised before any request)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or f"no Odyssey API key: {API_KEY_HINT} (keys start with 'ody_'; "
            "get one from your Odyssey account)"
        )


class AuthenticationError(OdysseyError):
    """The API key was rejected (401), is malformed (422), or a token was refused twice."""


class PermissionDeniedError(OdysseyError):
    """The account may not do this (403): the job belongs to someone else, or access is denied."""


class NotFoundError(OdysseyError):
    """The job or recording does not exist (404)."""


class RateLimitedError(OdysseyError):
    """The server kept answering 429 Too Many Requests."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, detail=detail)
        self.retry_after = retry_after
        """Seconds the server asked to wait before trying again, if it said."""


class CannotCancelError(OdysseyError):
    """The job cannot be cancelled any more (400/409): it is already processing or finished."""


class InvalidRequestError(OdysseyError):
    """The server refused the request as invalid (400/422), or it could not be built."""


class InvalidAPIURLError(InvalidRequestError):
    """The API URL (`api_url`, or `$ODYSSEY_API_URL`) is not an http(s) URL with a host."""


class ServerError(OdysseyError):
    """The server failed (5xx), even after retrying where that is safe."""


class NetworkError(OdysseyError):
    """The server could not be reached, or the connection broke before an answer arrived."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        detail: str | None = None,
        maybe_submitted: bool = False,
    ) -> None:
        super().__init__(message, status_code=status_code, detail=detail)
        self.maybe_submitted = maybe_submitted
        """True when a job submission was sent but its answer was lost: the job may exist."""


class RequestTimeoutError(NetworkError):
    """The server did not answer within the client's timeout."""


class JobError(OdysseyError):
    """A job ended without completing; `.status` is its final status."""

    def __init__(self, message: str, status: JobStatus) -> None:
        super().__init__(message)
        self.status = status

    @property
    def job_id(self) -> str:
        return self.status.job_id


class JobFailedError(JobError):
    """The job failed; the message holds its `error_message` and each failed stream's."""


class JobCancelledError(JobError):
    """The job was cancelled."""


class WaitTimeoutError(OdysseyError):
    """The job was still running when `wait()`'s timeout ran out (the job itself goes on)."""

    def __init__(self, message: str, *, job_id: str, last_status: JobStatus | None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.last_status = last_status
        """The last status seen, or None if no poll succeeded."""


class UnknownJobStatusWarning(UserWarning):
    """The server reported a job status the client does not know; it is treated as running."""
