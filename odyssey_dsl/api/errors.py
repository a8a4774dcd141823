"""Former home of the client's errors, kept for old imports; see `odyssey_dsl.client.errors`."""

from odyssey_dsl.client.errors import (
    AuthenticationError,
    CannotCancelError,
    InvalidRequestError,
    JobCancelledError,
    JobError,
    JobFailedError,
    MissingAPIKeyError,
    NetworkError,
    NotFoundError,
    OdysseyError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnknownJobStatusWarning,
    WaitTimeoutError,
)

__all__ = [
    "AuthenticationError",
    "CannotCancelError",
    "InvalidRequestError",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "MissingAPIKeyError",
    "NetworkError",
    "NotFoundError",
    "OdysseyError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ServerError",
    "UnknownJobStatusWarning",
    "WaitTimeoutError",
]
