"""A server on loopback that plays a hostile or broken Simulate API, for the hardening tests.

Each test hands it the answers it wants, keyed by `"METHOD /exact/path"`:

    with hostile_server({"GET /simulation-jobs/j1": job_status("j1", error_message=EVIL)}) as s:
        run_odyc(["jobs", "status", "j1"], odyc_env(s.url, state_dir))

An answer is a ready `Response`, a dict (sent as JSON, status 200), or a function of the
request returning either (sync or async). `POST /auth/token` always answers with
`HOSTILE_TOKEN`, so tests can check that the bearer token is never shown. Every request is
recorded in `server.requests` ("METHOD /path?query").
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from odyssey_dsl.emulator.server import running_app

HOSTILE_TOKEN = "tok_SECRET_bearer_777"
"""The bearer token the hostile server hands out: it must never be shown either."""

Answer = Response | dict[str, Any] | Callable[[Request], Any]


@dataclass
class HostileServer:
    url: str
    answers: dict[str, Answer]
    requests: list[str] = field(default_factory=list)

    def count(self, method_and_path: str) -> int:
        """How many requests went to `"METHOD /path"` (any query)."""
        return sum(1 for r in self.requests if r.split("?")[0] == method_and_path)


def _app(server_ref: list[HostileServer]) -> Starlette:
    async def answer(request: Request) -> Response:
        server = server_ref[0]
        key = f"{request.method} {request.url.path}"
        server.requests.append(key + (f"?{request.url.query}" if request.url.query else ""))
        if key == "POST /auth/token":
            await request.body()
            return JSONResponse({"access_token": HOSTILE_TOKEN, "expires_in": 3600})
        found = server.answers.get(key)
        if found is None:
            return JSONResponse({"detail": "Not Found"}, 404)
        if callable(found) and not isinstance(found, Response):
            found = found(request)
            if inspect.isawaitable(found):
                found = await found
        if isinstance(found, Response):
            return found
        return JSONResponse(found)

    methods = ["GET", "POST", "DELETE", "HEAD", "PUT"]
    return Starlette(routes=[Route("/{path:path}", answer, methods=methods)])


@contextlib.contextmanager
def hostile_server(answers: Mapping[str, Answer] | None = None) -> Iterator[HostileServer]:
    """Run a hostile server for the duration of a `with` block."""
    holder: list[HostileServer] = []
    with running_app(_app(holder)) as url:
        server = HostileServer(url, dict(answers or {}))
        holder.append(server)
        yield server


def job_status(job_id: str, status: str = "completed", **fields: Any) -> dict[str, Any]:
    """A job status answer (no streams unless given)."""
    return {"job_id": job_id, "status": status, "streams": [], **fields}


def stream(stream_id: str, base_url: str, **fields: Any) -> dict[str, Any]:
    """A completed stream whose video is served at `{base_url}/v/{name}`."""
    return {
        "stream_id": stream_id,
        "script_index": 0,
        "status": "completed",
        "duration_seconds": 3.0,
        **fields,
    }


def stalling_body(first: bytes, *, total: int, stall_seconds: float = 3600) -> Response:
    """A 200 that announces `total` bytes, sends `first`, then sends nothing for a long time."""

    async def body() -> AsyncIterator[bytes]:
        yield first
        await asyncio.sleep(stall_seconds)

    return StreamingResponse(body(), headers={"content-length": str(total)})


def endless_body(chunk: bytes = b"\0" * 65536) -> Response:
    """A 200 without a length whose body never ends (until the client goes away)."""

    async def body() -> AsyncIterator[bytes]:
        while True:
            yield chunk
            await asyncio.sleep(0)

    return StreamingResponse(body(), media_type="video/mp4")
