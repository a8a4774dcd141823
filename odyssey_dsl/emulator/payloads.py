"""The JSON bodies the emulator answers with, in the shapes of the Simulate API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from odyssey_dsl.emulator.jobs import REGION, EmulatedJob, EmulatedStream, JobPhase

PRIORITY = "normal"


def timestamp(seconds: float | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as the API (a FastAPI/pydantic server) writes datetimes."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def submitted(job: EmulatedJob, estimated_wait_minutes: float) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": "pending",
        "priority": PRIORITY,
        "created_at": timestamp(job.created_at),
        "estimated_wait_minutes": estimated_wait_minutes,
    }


def stream_entry(
    stream: EmulatedStream, phase: JobPhase, urls: dict[str, str] | None
) -> dict[str, Any]:
    """A stream inside a job status: URLs once the job is over and the stream succeeded."""
    done = phase.status in ("completed", "failed") and not stream.failed
    entry: dict[str, Any] = {
        "stream_id": stream.stream_id,
        **recording_fields(stream, urls if done else None, finished=done),
        "script_index": stream.script_index,
    }
    if stream.failed and phase.status == "failed":
        entry["error_message"] = stream.error_message
    return entry


def recording_fields(
    stream: EmulatedStream, urls: dict[str, str] | None, *, finished: bool
) -> dict[str, Any]:
    urls = urls or {}
    return {
        "video_url": urls.get("video_url"),
        "events_url": urls.get("events_url"),
        "thumbnail_url": urls.get("thumbnail_url"),
        "preview_url": urls.get("preview_url"),
        "frame_count": stream.frame_count if finished else None,
        "duration_seconds": stream.duration_seconds if finished else None,
    }


def job_status(job: EmulatedJob, phase: JobPhase, streams: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": phase.status,
        "priority": PRIORITY,
        "created_at": timestamp(job.created_at),
        "dispatched_at": timestamp(phase.dispatched_at),
        "started_at": timestamp(phase.started_at),
        "completed_at": timestamp(phase.completed_at),
        "error_message": job.error_message if phase.status == "failed" else None,
        "assigned_region": REGION if phase.dispatched_at is not None else None,
        "retry_count": 0,
        "streams": streams,
    }


def job_summary(job: EmulatedJob, phase: JobPhase) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": phase.status,
        "priority": PRIORITY,
        "created_at": timestamp(job.created_at),
        "completed_at": timestamp(phase.completed_at),
        "error_message": job.error_message if phase.status == "failed" else None,
    }


def stream_recording(job: EmulatedJob, stream: EmulatedStream, phase: JobPhase) -> dict[str, Any]:
    """An entry of `GET /stream-recordings` (the stream is recorded during processing)."""
    width, height = (720, 1280) if job.portrait else (1280, 720)
    started = phase.started_at if phase.started_at is not None else job.created_at
    return {
        "stream_id": stream.stream_id,
        "width": width,
        "height": height,
        "started_at": timestamp(started),
        "ended_at": timestamp(phase.completed_at),
        "duration_seconds": stream.duration_seconds,
    }


def validation_detail(error: ValidationError, *location: str) -> dict[str, Any]:
    """A FastAPI-style 422 body: `{"detail": [{"type", "loc", "msg", "input"}, ...]}`, each
    item's `loc` starting with `location` (e.g. "body")."""
    items = []
    for item in error.errors(include_url=False, include_context=False):
        items.append(
            {
                "type": item["type"],
                "loc": [*location, *item["loc"]],
                "msg": item["msg"],
                "input": item.get("input"),
            }
        )
    return {"detail": items}


def problem(kind: str, loc: list[str | int], msg: str, given: Any = None) -> dict[str, Any]:
    """A FastAPI-style 422 body with one item."""
    return {"detail": [{"type": kind, "loc": loc, "msg": msg, "input": given}]}
