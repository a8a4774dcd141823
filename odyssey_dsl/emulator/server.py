"""Running the emulator with uvicorn: in a background thread (tests, benchmarks) or in the
foreground until SIGINT/SIGTERM (`odyc emulator`)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from types import FrameType

import h11
import uvicorn
from starlette.types import ASGIApp

from odyssey_dsl.emulator.app import create_app
from odyssey_dsl.emulator.config import EmulatorConfig
from odyssey_dsl.emulator.state import EmulatorState

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningEmulator:
    """A started emulator: its base URL, configuration and (live) state."""

    url: str
    config: EmulatorConfig
    state: EmulatorState

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0 picks a free port). Raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say so,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn_config(app: ASGIApp) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        # Leave the process's logging alone; requests are reported through the state's log.
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        server_header=False,
        # Plain asyncio and h11 (not uvloop/httptools): `edge` relies on h11's request cycle.
        loop="asyncio",
        http="h11",
        ws="none",
    )


@contextlib.contextmanager
def running_emulator(
    config: EmulatorConfig | None = None,
    host: str = LOOPBACK,
    port: int = 0,
    *,
    state: EmulatorState | None = None,
) -> Iterator[RunningEmulator]:
    """Run an emulator in a background thread for the duration of a `with` block.

    Binds `host:port` (port 0: any free port, the default) before yielding, so the URL is
    usable at once; stops the server and joins its thread on exit.
    """
    config = config if config is not None else EmulatorConfig()
    state = state if state is not None else EmulatorState(config)
    with running_app(create_app(config, state), host, port) as url:
        yield RunningEmulator(url, config, state)


@contextlib.contextmanager
def running_app(app: ASGIApp, host: str = LOOPBACK, port: int = 0) -> Iterator[str]:
    """Serve any ASGI `app` with uvicorn in a background thread during a `with` block.

    Yields the base URL (bound before yielding, so it is usable at once); stops the server
    and joins its thread on exit. `running_emulator` is this with the emulator's app; tests
    use it for servers that misbehave on purpose.
    """
    sock = bind_socket(host, port)
    server = _BackgroundServer(_uvicorn_config(app))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="odyc-emulator", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    started = threading.Event()
    for _ in range(int(STARTUP_TIMEOUT / 0.005)):
        if server.started:
            return
        if not thread.is_alive():
            raise RuntimeError("the emulator's server stopped while starting")
        started.wait(0.005)
    raise RuntimeError("the emulator's server did not start in time")


class _BackgroundServer(uvicorn.Server):
    """A uvicorn server that notices `should_exit` within 10 ms and stops without lingering.

    uvicorn checks for shutdown every 100 ms and then waits 100 ms more for open connections;
    tests start and stop hundreds of emulators, and by then their clients are gone.
    """

    async def main_loop(self) -> None:
        ticks = 0
        while not self.should_exit:
            if ticks % 10 == 0 and await self.on_tick(ticks // 10):
                return
            ticks += 1
            await asyncio.sleep(0.01)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            # a connection whose client broke the protocol cannot say goodbye
            with contextlib.suppress(h11.LocalProtocolError):
                connection.shutdown()
        await asyncio.sleep(0.01)  # let answers already on their way go out
        for task in list(self.server_state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()


class _QuietExitServer(uvicorn.Server):
    """A uvicorn server that stops on SIGINT/SIGTERM and then simply returns.

    uvicorn re-raises the signal after shutting down (so a Ctrl-C ends in KeyboardInterrupt);
    the emulator's command prefers to say that it stopped and exit 0.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def serve(
    config: EmulatorConfig,
    host: str = LOOPBACK,
    port: int = 8765,
    *,
    sock: socket.socket | None = None,
    state: EmulatorState | None = None,
    on_started: Callable[[str], None] | None = None,
) -> EmulatorState:
    """Serve on host:port (or on the already bound `sock`) until SIGINT or SIGTERM.

    Returns the final state. `on_started(url)` is called once the server accepts connections;
    give `state` an `on_request` callback to hear of each request. Raises OSError when the
    address cannot be bound.
    """
    state = state if state is not None else EmulatorState(config)
    own_socket = sock is None
    listening = bind_socket(host, port) if sock is None else sock
    server = _QuietExitServer(_uvicorn_config(create_app(config, state)))
    if on_started is not None:
        notify = on_started
        url = url_of(listening)
        original_startup = server.startup

        async def startup(sockets: list[socket.socket] | None = None) -> None:
            await original_startup(sockets)
            if server.started:
                notify(url)

        server.startup = startup  # type: ignore[method-assign]
    try:
        server.run(sockets=[listening])
    finally:
        if own_socket:
            listening.close()
    return state
