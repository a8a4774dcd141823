"""A compiled job as the validated pydantic `Job`, and a `Job`'s JSON through the models.

`odyc FILE` writes its JSON with `emit.json_text` instead, without building a model per
entry; the two agree byte for byte (`tests/test_emit.py`).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from odyssey_dsl.emit.compiled import CompiledJob
from odyssey_dsl.emit.json_text import EmitForm
from odyssey_dsl.emit.models import Job, ScriptEntry
from odyssey_dsl.timeline.entries import TimelineEntry

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


def build_job(compiled: CompiledJob) -> Job:
    """The validated pydantic `Job` of a compiled job."""
    scripts = [[_entry(e) for e in entries] for entries in compiled.scripts]
    data: dict[str, Any] = {"portrait": compiled.portrait}
    if compiled.script_names is not None:
        data["scripts"] = scripts
        data["script_names"] = compiled.script_names
    else:
        data["script"] = scripts[0]
    return Job.model_validate(data)


def render_json(job: Job, *, emit: EmitForm = "script", compact: bool = False) -> str:
    """The JSON text of a `Job` through the models: what `odyc` prints (see
    `emit.json_text.json_text`), the entries or with `emit="request"` the request body."""
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
