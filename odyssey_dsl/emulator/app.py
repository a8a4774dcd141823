"""The emulated Simulate API as a Starlette application.

Same endpoints, JSON shapes and status codes as the Odyssey Simulate API (as the official
JavaScript SDK uses it); submissions are validated with odyc's own request model; recording
URLs point back at this server, which serves placeholder files for them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic import HttpUrl, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.emit.models import SimulationRequest
from odyssey_dsl.emulator import payloads
from odyssey_dsl.emulator.config import EmulatorConfig
from odyssey_dsl.emulator.edge import FaultingEdge
from odyssey_dsl.emulator.jobs import ACTIVE, STATUSES, EmulatedJob, EmulatedStream
from odyssey_dsl.emulator.media import (
    CONTENT_TYPES,
    UnsatisfiableRange,
    etag_of,
    file_content,
    parse_range,
    presigned_urls,
    signature_problem,
)
from odyssey_dsl.emulator.state import EmulatorState

_NOT_AUTHENTICATED = {"WWW-Authenticate": "Bearer"}
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)
"""`script_url` must be an http(s) URL, as the API (a FastAPI server) checks it."""


class _Refusal(Exception):
    """Stops a handler with a ready response (auth failures, bad query parameters)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _detail(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class _NoAnswer(Response):
    """The answer to a client that has gone away: nothing is sent (nobody would read it)."""

    def __init__(self) -> None:
        super().__init__(status_code=499)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


async def _read_body(request: Request, limit: int) -> bytearray:
    """The request's body, refused with 413 as soon as it is known to exceed `limit` bytes
    (from its Content-Length, else while it streams in), so that no more than `limit` bytes
    are ever held. A client that disconnects part-way gets no answer."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _Refusal(_too_large(limit))
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _Refusal(_too_large(limit))
    except ClientDisconnect:
        raise _Refusal(_NoAnswer()) from None
    return body


def _too_large(limit: int) -> JSONResponse:
    return _detail(413, f"Request body too large: the limit is {limit} bytes")


class _Api:
    """Route handlers over one state (and the configuration it follows)."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    @property
    def config(self) -> EmulatorConfig:
        return self.state.config

    # --- request helpers ------------------------------------------------------------------

    def owner(self, request: Request) -> str:
        """The fingerprint of the API key behind the request's bearer token."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _Refusal(_detail(401, "Not authenticated", _NOT_AUTHENTICATED))
        owner, expired = self.state.token_owner(token.strip())
        if owner is None:
            raise _Refusal(_detail(401, "Invalid authentication token", _NOT_AUTHENTICATED))
        if expired:
            raise _Refusal(_detail(401, "Token has expired", _NOT_AUTHENTICATED))
        return owner

    async def json_body(self, request: Request) -> Any:
        raw = await _read_body(request, self.config.max_body_bytes)
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            body = payloads.problem("json_invalid", ["body", 0], "JSON decode error", {})
            body["detail"][0]["ctx"] = {"error": str(error)}
            raise _Refusal(JSONResponse(body, status_code=422)) from None

    def own_job(self, request: Request) -> EmulatedJob:
        owner = self.owner(request)
        job = self.state.get_job(request.path_params["job_id"])
        if job is None:
            raise _Refusal(_detail(404, "Simulation job not found"))
        if job.owner != owner:
            raise _Refusal(_detail(403, "Not authorized to access this simulation job"))
        return job

    def stream_urls(self, request: Request, stream: EmulatedStream) -> dict[str, str]:
        expires = int(self.state.clock() + self.config.media_url_lifetime)
        base = str(request.base_url)
        return presigned_urls(base, self.state.signing_key, stream.stream_id, expires)

    # --- endpoints ------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return JSONResponse(
            {
                "service": "odyc emulator of the Odyssey Simulate API",
                "version": __version__,
                "jobs": self.state.job_count,
            }
        )

    async def auth_token(self, request: Request) -> Response:
        body = await self.json_body(request)
        if not isinstance(body, dict) or "api_key" not in body:
            given = body if isinstance(body, dict) else None
            return JSONResponse(
                payloads.problem("missing", ["body", "api_key"], "Field required", given), 422
            )
        api_key = body["api_key"]
        if not isinstance(api_key, str) or not api_key.strip():
            problem = payloads.problem(
                "string_type", ["body", "api_key"], "Input should be a non-empty string"
            )
            return JSONResponse(problem, 422)
        if not self.config.accepts_key_format(api_key):
            return _detail(401, "Invalid API key")
        if api_key in self.config.denied_api_keys:
            return _detail(403, "API key access denied: this key has been disabled")
        lifetime = self.config.token_expires_in
        token = self.state.issue_token(api_key, lifetime)
        expires_in = int(lifetime) if float(lifetime).is_integer() else lifetime
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
        )

    async def submit(self, request: Request) -> Response:
        owner = self.owner(request)
        body = await self.json_body(request)
        try:
            submission = SimulationRequest.model_validate(body)
        except ValidationError as error:
            return JSONResponse(payloads.validation_detail(error, "body"), 422)
        try:
            if submission.script_url is not None:
                _HTTP_URL.validate_python(submission.script_url)
        except ValidationError as error:
            return JSONResponse(payloads.validation_detail(error, "body", "script_url"), 422)
        job = self.state.submit(owner, submission)
        queued = self.config.pending_seconds + self.config.dispatched_seconds
        wait_minutes = round(queued / self.config.speed / 60, 2)
        return JSONResponse(payloads.submitted(job, wait_minutes))

    async def status(self, request: Request) -> Response:
        job = self.own_job(request)
        phase = self.state.phase(job)
        streams = []
        if phase.status in ("processing", "completed", "failed"):
            streams = [
                payloads.stream_entry(stream, phase, self.stream_urls(request, stream))
                for stream in job.streams
            ]
        return JSONResponse(payloads.job_status(job, phase, streams))

    async def list_jobs(self, request: Request) -> Response:
        owner = self.owner(request)
        limit, offset = _page(request)
        wanted = request.query_params.get("status")
        if wanted is not None and wanted not in STATUSES:
            options = ", ".join(f"'{s}'" for s in STATUSES)
            raise _Refusal(
                JSONResponse(
                    payloads.problem(
                        "enum", ["query", "status"], f"Input should be {options}", wanted
                    ),
                    422,
                )
            )
        active = _flag(request, "active")
        rows = []
        for job in self.state.jobs_of(owner):
            phase = self.state.phase(job)
            if wanted is not None and phase.status != wanted:
                continue
            if active and phase.status not in ACTIVE:
                continue
            rows.append(payloads.job_summary(job, phase))
        page = rows[offset : offset + limit]
        return JSONResponse({"jobs": page, "total": len(rows), "limit": limit, "offset": offset})

    async def cancel(self, request: Request) -> Response:
        job = self.own_job(request)
        cancelled, status = self.state.cancel(job)
        if not cancelled:
            return _detail(
                400,
                f"Cannot cancel a job that is {status}: only pending or dispatched jobs"
                " can be cancelled",
            )
        return JSONResponse({"job_id": job.job_id, "status": status})

    async def recording(self, request: Request) -> Response:
        owner = self.owner(request)
        found = self.state.get_stream(request.path_params["stream_id"])
        if found is None:
            return _detail(404, "Recording not found")
        job, stream = found
        if job.owner != owner:
            return _detail(403, "Not authorized to access this recording")
        phase = self.state.phase(job)
        if phase.status not in ("completed", "failed") or stream.failed:
            return _detail(404, "Recording not found")
        urls = self.stream_urls(request, stream)
        fields = payloads.recording_fields(stream, urls, finished=True)
        return JSONResponse({"stream_id": stream.stream_id, **fields})

    async def stream_recordings(self, request: Request) -> Response:
        owner = self.owner(request)
        limit, offset = _page(request)
        rows = []
        for job in self.state.jobs_of(owner):
            phase = self.state.phase(job)
            if phase.status not in ("completed", "failed"):
                continue
            for stream in reversed(job.streams):
                if not stream.failed:
                    rows.append(payloads.stream_recording(job, stream, phase))
        page = rows[offset : offset + limit]
        return JSONResponse(
            {"recordings": page, "total": len(rows), "limit": limit, "offset": offset}
        )

    async def media(self, request: Request) -> Response:
        if "authorization" in request.headers:
            return PlainTextResponse(
                "InvalidArgument: only one auth mechanism allowed; a presigned URL must be"
                " fetched without an Authorization header.",
                400,
            )
        stream_id, name = request.path_params["stream_id"], request.path_params["name"]
        if name not in CONTENT_TYPES:
            return PlainTextResponse("NoSuchKey: the specified key does not exist.", 404)
        problem = signature_problem(
            self.state.signing_key,
            stream_id,
            name,
            request.query_params.get("expires"),
            request.query_params.get("signature"),
            self.state.clock(),
        )
        if problem is not None:
            return PlainTextResponse(f"AccessDenied: {problem}", 403)
        found = self.state.get_stream(stream_id)
        if found is None or found[1].failed:
            return PlainTextResponse("NoSuchKey: the specified key does not exist.", 404)
        job, stream = found
        content = file_content(name, job, stream, self.config.video_bytes)
        return _ranged(request, content, CONTENT_TYPES[name])


def _ranged(request: Request, content: bytes, content_type: str) -> Response:
    """`content`, or the part of it the Range header asks for (honouring If-Range)."""
    etag = etag_of(content)
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": "private, max-age=3600"}
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != etag:
        range_header = None  # the file changed since the client's partial copy: send it all
    try:
        wanted = parse_range(range_header, len(content))
    except UnsatisfiableRange:
        headers["Content-Range"] = f"bytes */{len(content)}"
        return Response(b"", 416, headers=headers, media_type=content_type)
    if wanted is None:
        return Response(content, 200, headers=headers, media_type=content_type)
    headers["Content-Range"] = f"bytes {wanted.first}-{wanted.last}/{len(content)}"
    part = content[wanted.first : wanted.last + 1]
    return Response(part, 206, headers=headers, media_type=content_type)


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    loc: list[str | int] = ["query", name]
    try:
        value = int(text)
    except ValueError:
        message = "Input should be a valid integer, unable to parse string as an integer"
        problem = payloads.problem("int_parsing", loc, message, text)
        raise _Refusal(JSONResponse(problem, 422)) from None
    if value < low:
        message = f"Input should be greater than or equal to {low}"
        raise _Refusal(
            JSONResponse(payloads.problem("greater_than_equal", loc, message, text), 422)
        )
    if high is not None and value > high:
        message = f"Input should be less than or equal to {high}"
        raise _Refusal(JSONResponse(payloads.problem("less_than_equal", loc, message, text), 422))
    return value


def _page(request: Request) -> tuple[int, int]:
    """`limit` (1–100, default 20) and `offset` (≥ 0, default 0) of a list request."""
    return _int_param(request, "limit", 20, 1, 100), _int_param(request, "offset", 0, 0, None)


_TRUE = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "off", "n", "f"})


def _flag(request: Request, name: str) -> bool | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    message = "Input should be a valid boolean, unable to interpret input"
    problem = payloads.problem("bool_parsing", ["query", name], message, text)
    raise _Refusal(JSONResponse(problem, 422))


async def _refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _Refusal)
    return exc.response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)


class EmulatorApp(Starlette):
    """The Starlette application behind the fault-injecting edge.

    The edge wraps the whole Starlette stack (not just the routes) so that it receives the
    server's own `send` and can drop connections; `state` is the emulator's state.
    """

    def __init__(self, state: EmulatorState, routes: list[Route]) -> None:
        super().__init__(
            routes=routes,
            exception_handlers={_Refusal: _refusal, HTTPException: _http_error},
        )
        self.emulator_state = state
        self.state.emulator = state
        self._edge = FaultingEdge(functools.partial(Starlette.__call__, self), state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._edge(scope, receive, send)


def create_app(
    config: EmulatorConfig | None = None, state: EmulatorState | None = None
) -> Starlette:
    """The emulator as an ASGI application (`EmulatorApp`, a Starlette app).

    `state` (jobs, tokens, request log) is created when not given; it follows `config`.
    It is reachable as `app.emulator_state`.
    """
    config = config if config is not None else EmulatorConfig()
    if state is None:
        state = EmulatorState(config)
    else:
        state.config = config
    api = _Api(state)
    routes = [
        Route("/", api.index, methods=["GET"]),
        Route("/auth/token", api.auth_token, methods=["POST"]),
        Route("/simulation-jobs", api.submit, methods=["POST"]),
        Route("/simulation-jobs", api.list_jobs, methods=["GET"]),
        Route("/simulation-jobs/{job_id}", api.status, methods=["GET"]),
        Route("/simulation-jobs/{job_id}", api.cancel, methods=["DELETE"]),
        Route("/recordings/{stream_id}", api.recording, methods=["GET"]),
        Route("/stream-recordings", api.stream_recordings, methods=["GET"]),
        Route("/media/{stream_id}/{name}", api.media, methods=["GET", "HEAD"]),
    ]
    return EmulatorApp(state, routes)
