"""Shared fixtures. Each author's fixtures live in their own clearly delimited section."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings

from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator, running_emulator

# --- hypothesis -------------------------------------------------------------------------------
# On a developer's machine every run explores new examples (and keeps the failures it finds in
# .hypothesis/). In CI (`CI` set) each property test runs a fixed set of examples, so that a
# result on main is reproducible and a red CI run is a regression, not a new draw; exploring is
# what the local runs are for.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# --- emulator (odyssey_dsl/emulator) ------------------------------------------------------
FAST_EMULATOR = EmulatorConfig(
    pending_seconds=0.05, dispatched_seconds=0.05, processing_seconds=0.2
)
"""Jobs complete about 0.3 s after submission; no faults."""


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    """A fault-free emulator on 127.0.0.1 (random port) whose jobs finish in about 0.3 s."""
    with running_emulator(FAST_EMULATOR) as running:
        yield running


@pytest.fixture
def emulator_factory() -> Iterator[Callable[[EmulatorConfig], RunningEmulator]]:
    """Start emulators with custom configurations (faults, clock, keys); all stop at teardown.

    `emulator_factory(EmulatorConfig(...))` returns the running emulator (`.url`, `.state`).
    Use `dataclasses.replace(FAST_EMULATOR, ...)` to keep the fast clock.
    """
    with contextlib.ExitStack() as stack:

        def start(config: EmulatorConfig) -> RunningEmulator:
            return stack.enter_context(running_emulator(config))

        yield start


# --- end of emulator section --------------------------------------------------------------
