"""The output format: pydantic models of the Simulate API's `ScriptEntry` and job request.

These models are the single definition of what odyc emits and what the emulator accepts;
`json_schema()` gives their JSON Schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, TypeAdapter, model_validator

from odyssey_dsl.syntax.durations import MAX_TIMESTAMP_MS

_STRICT = ConfigDict(extra="forbid", frozen=True)


class StartAction(BaseModel):
    """Begin a new stream with a prompt and, optionally, an image (a base64 data URL)."""

    model_config = _STRICT
    prompt: str = Field(min_length=1)
    image: str | None = None


class InteractAction(BaseModel):
    """Send an interaction prompt to the running stream."""

    model_config = _STRICT
    prompt: str = Field(min_length=1)


class EndAction(BaseModel):
    """End the running stream (serialised as an empty object)."""

    model_config = _STRICT


class ScriptEntry(BaseModel):
    """One action of a script, `timestamp_ms` after the script's start."""

    model_config = _STRICT
    timestamp_ms: NonNegativeInt = Field(le=MAX_TIMESTAMP_MS)
    start: StartAction | None = None
    interact: InteractAction | None = None
    end: EndAction | None = None

    @model_validator(mode="after")
    def _exactly_one_action(self) -> ScriptEntry:
        present = [name for name in ("start", "interact", "end") if getattr(self, name) is not None]
        if len(present) != 1:
            raise ValueError(
                "a script entry needs exactly one of 'start', 'interact' or 'end'"
                + (f" (found {', '.join(present)})" if present else "")
            )
        return self


Script = list[ScriptEntry]


class Job(BaseModel):
    """A compiled scene: one script, or several (batch), and the `portrait` option."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    portrait: bool = True
    script: list[ScriptEntry] | None = None
    scripts: list[list[ScriptEntry]] | None = None
    script_names: list[str] | None = Field(default=None, exclude=True)
    """Names of the batch's `script` blocks: metadata, never sent to the API."""

    @model_validator(mode="after")
    def _exactly_one_form(self) -> Job:
        if (self.script is None) == (self.scripts is None):
            raise ValueError("a job needs exactly one of 'script' or 'scripts'")
        return self

    @property
    def is_batch(self) -> bool:
        return self.scripts is not None

    def all_scripts(self) -> list[list[ScriptEntry]]:
        """The job's scripts, one list per script (a single script is a batch of one)."""
        if self.scripts is not None:
            return self.scripts
        assert self.script is not None
        return [self.script]


class SimulationRequest(BaseModel):
    """The body of `POST /simulation-jobs`: exactly one of `script`, `scripts`, `script_url`."""

    model_config = ConfigDict(extra="ignore")
    portrait: bool = True
    output_video: bool = True
    script: list[ScriptEntry] | None = None
    scripts: list[list[ScriptEntry]] | None = Field(default=None, min_length=1)
    script_url: str | None = None
    bypass_vlm_expansion: bool | None = None

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SimulationRequest:
        given = [n for n in ("script", "scripts", "script_url") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("exactly one of 'script', 'scripts' or 'script_url' is required")
        return self


SCRIPT_ADAPTER: TypeAdapter[list[ScriptEntry]] = TypeAdapter(list[ScriptEntry])


def json_schema() -> dict[str, Any]:
    """JSON Schema of the request body odyc emits with `--emit request`."""
    return Job.model_json_schema(mode="serialization")
