"""A local emulator of the Odyssey Simulate API, for development, demos and tests.

>>> from odyssey_dsl.emulator import EmulatorConfig, running_emulator
>>> with running_emulator(EmulatorConfig(speed=100)) as emulator:
...     emulator.url.startswith("http://127.0.0.1:")
True

Needs the `emulator` extra (Starlette and uvicorn).
"""

from odyssey_dsl.emulator.config import EmulatorConfig, PlannedFault
from odyssey_dsl.emulator.server import RunningEmulator, running_emulator
from odyssey_dsl.emulator.state import EmulatorState, RequestRecord

__all__ = [
    "EmulatorConfig",
    "EmulatorState",
    "PlannedFault",
    "RequestRecord",
    "RunningEmulator",
    "running_emulator",
]
