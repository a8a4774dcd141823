"""JSON Schemas of what odyc emits, generated from the pydantic models (`odyc schema`).

- `script`: what `odyc FILE` prints: an array of entries, or an array of such arrays for a
  batch (`script "NAME":` blocks);
- `entry`: one entry of a script (`ScriptEntry`);
- `request`: what `odyc FILE --emit request` prints, the body of `POST /simulation-jobs`.

The models check rules that pydantic does not express in a schema (an entry has exactly one
action; a job exactly one of `script` and `scripts`); they are added here as `oneOf`. odyc
leaves out absent optional fields rather than writing `null`, so the schemas do not allow
`null` either: they describe exactly what odyc emits.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import TypeAdapter

from odyssey_dsl.emit.models import Job, ScriptEntry

SchemaKind = Literal["script", "entry", "request"]
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_ONE_ACTION = {"oneOf": [{"required": [action]} for action in ("start", "interact", "end")]}


def output_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema of one kind of odyc's output."""
    if kind == "entry":
        schema = ScriptEntry.model_json_schema(mode="serialization")
        schema.update(_ONE_ACTION)
        title = "An entry of an Odyssey Simulate API script"
    elif kind == "script":
        adapter: TypeAdapter[Any] = TypeAdapter(list[ScriptEntry] | list[list[ScriptEntry]])
        schema = adapter.json_schema(mode="serialization")
        schema["$defs"]["ScriptEntry"].update(_ONE_ACTION)
        title = "The script odyc prints: entries, or one array of entries per script of a batch"
    else:
        schema = Job.model_json_schema(mode="serialization")
        schema["$defs"]["ScriptEntry"].update(_ONE_ACTION)
        schema["oneOf"] = [{"required": ["script"]}, {"required": ["scripts"]}]
        title = "The body of POST /simulation-jobs that odyc prints with --emit request"
    body = {key: value for key, value in _without_nulls(schema).items() if key != "title"}
    return {"$schema": DIALECT, "title": title, **body}


def _without_nulls(node: Any) -> Any:
    """`node` with every optional `X | None` field reduced to `X` (and its `null` default
    dropped), since odyc never writes `null`."""
    if isinstance(node, list):
        return [_without_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        reduced = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
        if len(rest) == 1:
            return _without_nulls({**rest[0], **reduced})
        return _without_nulls({**reduced, "anyOf": rest})
    return {key: _without_nulls(value) for key, value in node.items()}
