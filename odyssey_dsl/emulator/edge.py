"""The ASGI layer in front of the routes: names each request's endpoint, logs it, injects faults.

Dropping a connection "without a response" needs the socket: ASGI itself can only answer.
With uvicorn, `send` is a method of the request cycle that holds the transport, so closing that
transport drops the connection exactly as a crashed server or a broken proxy would; the client
sees the connection end with no status line (httpx: `RemoteProtocolError`, or `ReadError`
when the kernel resets a connection that still had unread request bytes).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from odyssey_dsl.emulator.faults import Fault, choose_fault, format_retry_after
from odyssey_dsl.emulator.state import EmulatorState, RequestRecord

_ID = r"(?P<{name}>[^/]+)"
_ROUTES: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = tuple(
    (frozenset(methods.split()), re.compile(pattern), endpoint)
    for methods, pattern, endpoint in (
        ("POST", r"/auth/token", "POST /auth/token"),
        ("POST", r"/simulation-jobs", "POST /simulation-jobs"),
        ("GET", r"/simulation-jobs", "GET /simulation-jobs"),
        ("GET", r"/simulation-jobs/" + _ID.format(name="job_id"), "GET /simulation-jobs/{job_id}"),
        (
            "DELETE",
            r"/simulation-jobs/" + _ID.format(name="job_id"),
            "DELETE /simulation-jobs/{job_id}",
        ),
        ("GET", r"/recordings/" + _ID.format(name="stream_id"), "GET /recordings/{stream_id}"),
        ("GET", r"/stream-recordings", "GET /stream-recordings"),
        (
            "GET",
            r"/media/" + _ID.format(name="stream_id") + r"/[^/]+",
            "GET /media/{stream_id}/{name}",
        ),
        (
            "HEAD",
            r"/media/" + _ID.format(name="stream_id") + r"/[^/]+",
            "HEAD /media/{stream_id}/{name}",
        ),
    )
)


def endpoint_of(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    """The endpoint name of a request (None for an unknown path) and its path parameters."""
    path = path.rstrip("/") or "/"
    for methods, pattern, endpoint in _ROUTES:
        match = pattern.fullmatch(path)
        if match and method in methods:
            return endpoint, match.groupdict()
    return None, {}


class FaultingEdge:
    """ASGI middleware: counts and logs every request and applies the fault chosen for it."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        endpoint, params = endpoint_of(scope["method"], scope["path"])
        fault: Fault | None = None
        if endpoint is not None:
            nth, nth_overall = self.state.count_request(endpoint)
            fault = choose_fault(self.state.config, endpoint, nth, nth_overall)
        headers = dict(scope.get("headers") or [])
        logged = False
        client_gone = False

        def log(status_code: int | None) -> None:
            # Logged before the answer (or the drop) leaves, so a client never sees an answer
            # that the log does not hold yet.
            nonlocal logged
            if logged:
                return
            logged = True
            self.state.log(
                RequestRecord(
                    at=self.state.clock(),
                    method=scope["method"],
                    path=scope["path"],
                    endpoint=endpoint,
                    status_code=status_code,
                    fault=fault.kind if fault else None,
                    job_id=params.get("job_id"),
                    stream_id=params.get("stream_id"),
                    sent_authorization=b"authorization" in headers,
                    client_gone=client_gone and status_code is None,
                )
            )

        async def watching_receive() -> Message:
            nonlocal client_gone
            message = await receive()
            if message["type"] == "http.disconnect":
                client_gone = True
            return message

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                log(int(message["status"]))
            await send(message)

        async def drop(started: bool = False) -> None:
            log(None)
            await _drop_connection(send, started=started)

        try:
            await self._answer(fault, scope, watching_receive, logging_send, drop)
        finally:
            log(None)

    async def _answer(
        self,
        fault: Fault | None,
        scope: Scope,
        receive: Receive,
        send: Send,
        drop: Callable[[bool], Awaitable[None]],
    ) -> None:
        kind = fault.kind if fault else None
        if fault is None:
            await self.app(scope, receive, send)
        elif kind == "slow":
            await asyncio.sleep(fault.seconds)
            await self.app(scope, receive, send)
        elif kind in (
            "rate_limit",
            "unavailable",
            "server_error",
            "bad_gateway",
            "gateway_timeout",
        ):
            await _error_response(fault)(scope, receive, send)
        elif kind == "drop":
            await drop(False)
        elif kind == "drop_after":
            await self.app(scope, receive, _swallow_into([]))
            await drop(False)
        else:  # drop_midway
            messages: list[Message] = []
            await self.app(scope, receive, _swallow_into(messages))
            await drop(await _send_part(messages, fault.fraction, send))


def _error_response(fault: Fault) -> Response:
    retry_after = {"Retry-After": format_retry_after(fault.seconds)}
    if fault.kind == "rate_limit":
        detail = "Rate limit exceeded: too many requests. Retry after the time in Retry-After."
        return JSONResponse({"detail": detail}, status_code=429, headers=retry_after)
    if fault.kind == "unavailable":
        detail = "Service temporarily unavailable (emulated). Please retry."
        return JSONResponse({"detail": detail}, status_code=503, headers=retry_after)
    if fault.kind == "server_error":
        return JSONResponse({"detail": "Internal server error (emulated)"}, status_code=500)
    if fault.kind == "bad_gateway":
        return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", 502)
    return HTMLResponse("<html><body><h1>504 Gateway Time-out</h1></body></html>", 504)


def _swallow_into(messages: list[Message]) -> Send:
    async def swallow(message: Message) -> None:
        messages.append(message)

    return swallow


async def _send_part(messages: list[Message], fraction: float, send: Send) -> bool:
    """Send the response's start and the first `fraction` of its body, promising more.

    Returns whether a response was started.
    """
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None:
        return False
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    await send(start)
    part = body[: int(len(body) * fraction)]
    await send({"type": "http.response.body", "body": part, "more_body": True})
    return True


async def _drop_connection(send: Send, *, started: bool = False) -> None:
    """Close the client's connection without (finishing) a response."""
    cycle: Any = getattr(send, "__self__", None)
    transport: Any = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        # Not uvicorn: leave the response unfinished; the server must then close the connection.
        if started:
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1048576")],
            }
        )
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        return
    transport.close()
    # Let the server notice the closed connection before the app returns, so that it does not
    # try to answer the request with a 500 of its own.
    for _ in range(20):
        if getattr(cycle, "disconnected", False):
            break
        await asyncio.sleep(0)
