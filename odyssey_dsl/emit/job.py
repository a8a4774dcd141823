"""Stage 4 — emit: checked timelines → the pydantic `Job` → JSON text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import TypeAdapter

from odyssey_dsl.emit.models import Job, ScriptEntry
from odyssey_dsl.timeline.entries import Expansion, TimelineEntry

if TYPE_CHECKING:
    from odyssey_dsl.timeline.limits import Limits

EmitForm = Literal["script", "request"]

_BATCH_ADAPTER: TypeAdapter[list[list[ScriptEntry]]] = TypeAdapter(list[list[ScriptEntry]])


def _entry(entry: TimelineEntry) -> dict[str, Any]:
    if entry.kind == "start":
        start: dict[str, str] = {"prompt": entry.prompt or ""}
        if entry.image is not None:
            start["image"] = entry.image
        return {"timestamp_ms": entry.time_ms, "start": start}
    if entry.kind == "interact":
        return {"timestamp_ms": entry.time_ms, "interact": {"prompt": entry.prompt}}
    return {"timestamp_ms": entry.time_ms, "end": {}}


def build_job(expansion: Expansion, limits: Limits) -> Job:
    """The validated job of an expansion that passed every check."""
    assert expansion.scripts is not None
    portrait = limits.portrait if limits.portrait is not None else expansion.portrait
    scripts = [[_entry(e) for e in script.entries] for script in expansion.scripts]
    data: dict[str, Any] = {"portrait": True if portrait is None else portrait}
    if expansion.is_batch:
        data["scripts"] = scripts
        data["script_names"] = [script.name or "" for script in expansion.scripts]
    else:
        data["script"] = scripts[0]
    return Job.model_validate(data)


def render_json(job: Job, *, emit: EmitForm = "script", compact: bool = False) -> str:
    """The JSON text `odyc` prints: the entries (an array of arrays for a batch), or with
    `emit="request"` the body of the API's `POST /simulation-jobs` request."""
    indent = None if compact else 2
    if emit == "request":
        data = job.model_dump_json(indent=indent, exclude_none=True)
    elif job.scripts is not None:
        data = _BATCH_ADAPTER.dump_json(job.scripts, indent=indent, exclude_none=True).decode()
    else:
        assert job.script is not None
        data = _SCRIPT_ADAPTER.dump_json(job.script, indent=indent, exclude_none=True).decode()
    return data + "\n"


_SCRIPT_ADAPTER: TypeAdapter[list[ScriptEntry]] = TypeAdapter(list[ScriptEntry])
