"""What an emulator remembers: jobs, bearer tokens, per-endpoint request counters, a request log.

Thread-safe: the server runs in one thread while tests and benchmarks read the state from another.
Neither API keys nor tokens are stored: owners and tokens are kept as SHA-256 fingerprints.

Memory stays bounded however long an emulator runs: finished jobs beyond
`config.max_finished_jobs` are forgotten oldest first (jobs still running never are), the
request log keeps the last `REQUEST_LOG_SIZE` requests, and expired tokens are dropped once
there are many.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from odyssey_dsl.emit.models import SimulationRequest
from odyssey_dsl.emulator.config import EmulatorConfig
from odyssey_dsl.emulator.faults import chance
from odyssey_dsl.emulator.jobs import (
    CANCELLABLE,
    FINISHED,
    EmulatedJob,
    EmulatedStream,
    JobPhase,
    phase_at,
    plan_streams,
)

REQUEST_LOG_SIZE = 100_000
"""Requests kept in the log (the oldest go first); `request_count` counts them all."""
TOKENS_BEFORE_CLEANUP = 10_000
"""Expired tokens are dropped when a new one is issued and there are more than this."""


def fingerprint(secret: str) -> str:
    """A stable, non-reversible name for a key or token."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator received (path without query string)."""

    at: float
    method: str
    path: str
    endpoint: str | None
    status_code: int | None
    """None when the connection was dropped before any response."""
    fault: str | None
    job_id: str | None
    stream_id: str | None
    sent_authorization: bool
    client_gone: bool = False
    """True when the client disconnected before it was answered (it got no answer)."""


@dataclass(frozen=True)
class _Token:
    owner: str
    expires_at: float


class EmulatorState:
    """The jobs, tokens and request log of one emulator."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        clock: Callable[[], float] = time.time,
        on_request: Callable[[RequestRecord], None] | None = None,
    ) -> None:
        self.config = config if config is not None else EmulatorConfig()
        """The configuration whose clock and faults this state follows."""
        self.clock = clock
        self.on_request = on_request
        """Called with each request's record once it is answered (e.g. to print an access log)."""
        self.signing_key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._jobs: dict[str, EmulatedJob] = {}
        self._streams: dict[str, tuple[EmulatedJob, EmulatedStream]] = {}
        self._tokens: dict[str, _Token] = {}
        self._counters: Counter[str] = Counter()
        self._log: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._logged = 0
        self._submitted = 0

    def __repr__(self) -> str:
        return f"EmulatorState(jobs={self.job_count}, requests={self.request_count})"

    # --- inspection (tests, benchmarks) ---------------------------------------------------

    @property
    def jobs(self) -> dict[str, EmulatedJob]:
        """A snapshot of every job, by id."""
        with self._lock:
            return dict(self._jobs)

    @property
    def job_count(self) -> int:
        with self._lock:
            return len(self._jobs)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    @property
    def request_count(self) -> int:
        """Every request logged so far (the log itself keeps the last `REQUEST_LOG_SIZE`)."""
        with self._lock:
            return self._logged

    def requests_for_job(self, job_id: str) -> list[RequestRecord]:
        """The requests that named `job_id` in their path."""
        return [r for r in self.requests if r.job_id == job_id]

    def requests_to(self, endpoint: str) -> list[RequestRecord]:
        """The requests to one endpoint, e.g. `"POST /simulation-jobs"`."""
        return [r for r in self.requests if r.endpoint == endpoint]

    def status_of(self, job_id: str) -> str:
        """A job's status now (KeyError if there is no such job)."""
        return self.phase(self.jobs[job_id]).status

    # --- request bookkeeping --------------------------------------------------------------

    def count_request(self, endpoint: str) -> tuple[int, int]:
        """Count a request to `endpoint`: its ordinal for that endpoint, and over all endpoints."""
        with self._lock:
            self._counters[endpoint] += 1
            self._counters["*"] += 1
            return self._counters[endpoint], self._counters["*"]

    def log(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)
            self._logged += 1
        if self.on_request is not None:
            self.on_request(record)

    # --- tokens ---------------------------------------------------------------------------

    def issue_token(self, api_key: str, lifetime: float) -> str:
        token = "emu_" + secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            if len(self._tokens) > TOKENS_BEFORE_CLEANUP:
                self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[fingerprint(token)] = _Token(fingerprint(api_key), now + lifetime)
        return token

    def token_owner(self, token: str) -> tuple[str | None, bool]:
        """(owner, expired): owner is None for an unknown token."""
        with self._lock:
            found = self._tokens.get(fingerprint(token))
        if found is None:
            return None, False
        return found.owner, self.clock() >= found.expires_at

    # --- jobs -----------------------------------------------------------------------------

    def phase(self, job: EmulatedJob) -> JobPhase:
        return phase_at(job, self.clock(), self.config)

    def submit(self, owner: str, request: SimulationRequest) -> EmulatedJob:
        """Create a job; whether it (or any of its streams) will fail is decided now."""
        config = self.config
        with self._lock:
            self._submitted += 1
            ordinal = self._submitted
            job_fails = ordinal in config.failing_jobs or chance(
                config.seed, config.fail_fraction, "job", ordinal
            )
            failures = [
                (ordinal, index) in config.failing_streams
                or chance(config.seed, config.stream_fail_fraction, "stream", ordinal, index)
                for index in range(_stream_budget(request))
            ]
            streams = plan_streams(request, failures, job_fails)
            failed_streams = [s for s in streams if s.failed]
            message: str | None = None
            if job_fails:
                message = "Emulated failure: the simulation worker stopped unexpectedly"
            elif failed_streams:
                message = f"{len(failed_streams)} of {len(streams)} streams failed to render"
            job = EmulatedJob(
                job_id=str(uuid.uuid4()),
                owner=owner,
                ordinal=ordinal,
                created_at=self.clock(),
                portrait=request.portrait,
                streams=streams,
                error_message=message,
                script_url=request.script_url,
                bypass_prompt_expansion=bool(request.bypass_vlm_expansion),
            )
            self._jobs[job.job_id] = job
            for stream in streams:
                self._streams[stream.stream_id] = (job, stream)
            self._forget_old_finished_jobs()
        return job

    def _forget_old_finished_jobs(self) -> None:
        """Drop the oldest finished jobs beyond `max_finished_jobs` (call with the lock held)."""
        cap = self.config.max_finished_jobs
        if len(self._jobs) <= cap:
            return
        finished = [job for job in self._jobs.values() if self.phase(job).status in FINISHED]
        for job in finished[: max(0, len(finished) - cap)]:  # oldest first: insertion order
            del self._jobs[job.job_id]
            for stream in job.streams:
                self._streams.pop(stream.stream_id, None)

    def get_job(self, job_id: str) -> EmulatedJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def get_stream(self, stream_id: str) -> tuple[EmulatedJob, EmulatedStream] | None:
        with self._lock:
            return self._streams.get(stream_id)

    def jobs_of(self, owner: str) -> list[EmulatedJob]:
        """The owner's jobs, newest first."""
        with self._lock:
            mine = [job for job in self._jobs.values() if job.owner == owner]
        return sorted(mine, key=lambda job: (job.created_at, job.ordinal), reverse=True)

    def cancel(self, job: EmulatedJob) -> tuple[bool, str]:
        """Cancel `job` if it is still pending or dispatched: (cancelled, status now)."""
        with self._lock:
            status = self.phase(job).status
            if status not in CANCELLABLE:
                return False, status
            job.cancelled_at = self.clock()
            return True, "cancelled"


def _stream_budget(request: SimulationRequest) -> int:
    if request.script_url is not None:
        return 1
    scripts = request.scripts if request.scripts is not None else [request.script or []]
    return sum(1 for script in scripts for entry in script if entry.start is not None)
