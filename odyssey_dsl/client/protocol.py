"""The client's logic with the I/O left out, shared by the sync and async clients.

Each operation is a generator (a "flow") that yields the I/O it needs as values: `Send` an
HTTP request, `Sleep`, or get a usable bearer token (`NeedToken`). A driver performs the step
and sends back the result: the `httpx.Response`, or the `httpx.HTTPError` the request raised,
or the token. `OdysseyClient` drives flows with blocking calls and `AsyncOdysseyClient` with
awaits, so signing in, retrying, refreshing a refused token, reading answers and polling are
written once.
"""

from __future__ import annotations

import logging
import random
import time
import warnings
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

import httpx

from odyssey_dsl.client.auth import Secret, TokenCache
from odyssey_dsl.client.calls import ApiCall, ModelT, cancel_call, status_call, token_call
from odyssey_dsl.client.errors import (
    CannotCancelError,
    OdysseyError,
    UnknownJobStatusWarning,
    WaitTimeoutError,
)
from odyssey_dsl.client.polling import MAX_FAILED_POLLS, PollSchedule, is_transient, settle
from odyssey_dsl.client.responses import decode, error_for_failure, error_for_response
from odyssey_dsl.client.retry import RetryPolicy, delay_after_failure, delay_after_response
from odyssey_dsl.client.server_text import printable
from odyssey_dsl.client.wire import CancelResult, JobStatus

logger = logging.getLogger("odyssey_dsl.client")

T = TypeVar("T")


@dataclass(frozen=True)
class Send:
    """Send one HTTP request to the API (path relative to the base URL)."""

    method: str
    path: str
    params: Mapping[str, str | int]
    json: Any = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True)
class Sleep:
    """Pause before the next step."""

    seconds: float


@dataclass(frozen=True)
class NeedToken:
    """Reply with a usable bearer token (`Session.usable_token`, else `Session.sign_in`).

    `rejected` is a token the server just refused. Drivers serialise this step, so that many
    concurrent calls share one sign-in.
    """

    rejected: Secret | None = None


Step: TypeAlias = Send | Sleep | NeedToken
Reply: TypeAlias = httpx.Response | httpx.HTTPError | Secret | None
Flow: TypeAlias = Generator[Step, Reply, T]


class Session:
    """What a client knows between calls: where the API is, the key, the token, the policy."""

    def __init__(
        self,
        api_key: Secret,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.base_url = base_url
        self.timeout = timeout
        self.policy = policy
        self._api_key = api_key
        self._tokens = TokenCache()
        self._clock = clock
        self._rand = rand

    def __repr__(self) -> str:
        return f"Session(base_url={self.base_url!r})"

    # -- signing in -------------------------------------------------------------------------

    def usable_token(self, rejected: Secret | None) -> Secret | None:
        """The cached token if it is still good (and is not `rejected`), else None."""
        if rejected is not None:
            self._tokens.discard(rejected)
        return self._tokens.current(self._clock())

    def sign_in(self) -> Flow[Secret]:
        """Exchange the API key for a new bearer token and cache it."""
        asked_at = self._clock()
        grant = yield from self.perform(token_call(self._api_key.reveal()))
        logger.debug("signed in; the token expires in %s s", grant.expires_in)
        return self._tokens.store(grant.access_token, grant.expires_in, asked_at)

    def secrets(self) -> list[str]:
        """Everything that must never be shown (for redaction)."""
        return [self._api_key.reveal(), *self._tokens.secrets()]

    # -- one call ---------------------------------------------------------------------------

    def perform(self, call: ApiCall[ModelT]) -> Flow[ModelT]:
        """Make `call` and read its answer, with a fresh token and retries where safe.

        A 401 answer to an authenticated call means the token was refused (expired early,
        revoked): the flow gets a new token and repeats the call, once. A refused request was
        not acted on, so this is safe even for a job submission.
        """
        rejected: Secret | None = None
        while True:
            token: Secret | None = None
            if call.authenticated:
                reply = yield NeedToken(rejected)
                assert isinstance(reply, Secret)
                token = reply
            response = yield from self._send_with_retries(call, token)
            if response.status_code == 401 and token is not None and rejected is None:
                logger.info("%s %s: token refused (401); signing in again", call.method, call.path)
                rejected = token
                continue
            if response.is_success:
                return decode(call, response, self.secrets())
            raise error_for_response(call, response, self.secrets())

    def _send_with_retries(self, call: ApiCall[Any], token: Secret | None) -> Flow[httpx.Response]:
        headers = {"Authorization": f"Bearer {token.reveal()}"} if token is not None else {}
        step = Send(call.method, call.path, call.params, call.body, headers)
        retries = 0
        while True:
            reply = yield step
            if isinstance(reply, httpx.Response):
                delay = delay_after_response(
                    self.policy, retries, reply, repeatable=call.repeatable, rand=self._rand
                )
                if delay is None:
                    return reply
                problem = f"answer {reply.status_code}"
            else:
                assert isinstance(reply, httpx.HTTPError)
                delay = delay_after_failure(
                    self.policy, retries, reply, repeatable=call.repeatable, rand=self._rand
                )
                if delay is None:
                    raise error_for_failure(call, reply, self.base_url, self.timeout) from reply
                problem = type(reply).__name__
            retries += 1
            logger.info(
                "%s %s: %s; retry %d of %d in %.2f s",
                call.method,
                call.path,
                problem,
                retries,
                self.policy.max_retries,
                delay,
            )
            yield Sleep(delay)

    # -- cancelling -------------------------------------------------------------------------

    def cancel(self, job_id: str) -> Flow[CancelResult]:
        """Cancel a job; cancelling a job that is already cancelled succeeds.

        DELETE is retried after a lost answer, and the retry of a cancellation that did go
        through is refused (400): the job's status tells that apart from a real refusal.
        """
        try:
            return (yield from self.perform(cancel_call(job_id)))
        except CannotCancelError:
            status = yield from self.perform(status_call(job_id))
            if status.status != "cancelled":
                raise
            return CancelResult(job_id=status.job_id, status=status.status)

    # -- waiting for a job ------------------------------------------------------------------

    def wait(
        self,
        job_id: str,
        *,
        poll_interval: float,
        timeout: float | None,
        on_update: Callable[[JobStatus], None] | None,
    ) -> Flow[JobStatus]:
        """Poll a job until it ends: its completed status, or JobFailedError,
        JobCancelledError, WaitTimeoutError. Brief outages (network, 5xx, 429 that outlast
        the retries) are sat out, up to `MAX_FAILED_POLLS` failed polls in a row."""
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds (or None)")
        schedule = PollSchedule(poll_interval)
        call = status_call(job_id)
        deadline = None if timeout is None else self._clock() + timeout
        last: JobStatus | None = None
        failed_polls = 0
        warned: set[str] = set()
        while True:
            seen: str | None = None
            try:
                status = yield from self.perform(call)
            except OdysseyError as error:
                if not is_transient(error) or failed_polls >= MAX_FAILED_POLLS:
                    raise
                failed_polls += 1
                logger.warning("polling job %s failed (%s); will try again", job_id, error)
            else:
                failed_polls = 0
                last = status
                seen = status.status
                if not status.is_known_status and status.status not in warned:
                    warned.add(status.status)
                    _warn_unknown_status(status)
                if on_update is not None:
                    on_update(status)
                if status.is_terminal:
                    return settle(status)
            pause = schedule.after_poll(seen)
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    shown = printable(last.status, max_chars=100) if last is not None else ""
                    where = f" (last status: {shown})" if last is not None else ""
                    raise WaitTimeoutError(
                        f"job {job_id} had not finished after {timeout:g} s{where}; it is still "
                        f"running: wait again with `odyc jobs wait {job_id}`",
                        job_id=job_id,
                        last_status=last,
                    )
                pause = min(pause, remaining)
            yield Sleep(pause)


def _warn_unknown_status(status: JobStatus) -> None:
    message = (
        f"job {status.job_id} has a status odyc does not know "
        f"('{printable(status.status, max_chars=100)}'); "
        "treating it as still in progress"
    )
    logger.warning(message)
    warnings.warn(message, UnknownJobStatusWarning, stacklevel=2)
