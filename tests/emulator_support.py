"""Helpers of the emulator's tests: a hand-driven clock and small HTTP conveniences."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import httpx

from odyssey_dsl.emulator import EmulatorConfig, EmulatorState, RunningEmulator, running_emulator

KEY = "ody_test_key"
OTHER_KEY = "ody_someone_else"


class ManualClock:
    """A clock that only moves when told to (Unix seconds)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@contextlib.contextmanager
def clocked_emulator(
    config: EmulatorConfig | None = None,
) -> Iterator[tuple[RunningEmulator, ManualClock]]:
    """An emulator whose job clock (and token and URL expiry) follows a `ManualClock`."""
    config = config if config is not None else EmulatorConfig()
    clock = ManualClock()
    with running_emulator(config, state=EmulatorState(config, clock=clock)) as running:
        yield running, clock


def bearer(client: httpx.Client, key: str = KEY) -> dict[str, str]:
    """Authorization headers for `key`."""
    response = client.post("/auth/token", json={"api_key": key})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def entry(at_ms: int, action: str, prompt: str = "a scene") -> dict[str, Any]:
    """One script entry in wire form."""
    if action == "end":
        return {"timestamp_ms": at_ms, "end": {}}
    return {"timestamp_ms": at_ms, action: {"prompt": prompt}}


SIMPLE_SCRIPT = [
    entry(0, "start", "a cat"),
    entry(1500, "interact", "it yawns"),
    entry(3000, "end"),
]


def submit(client: httpx.Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """Submit a job (`SIMPLE_SCRIPT` unless `body` gives a source); returns the answer."""
    if not {"script", "scripts", "script_url"} & set(body):
        body["script"] = SIMPLE_SCRIPT
    response = client.post("/simulation-jobs", json={"portrait": True, **body}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer
