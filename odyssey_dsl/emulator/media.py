"""The recording files the emulator serves: placeholder content, presigned URLs, byte ranges.

Recording URLs imitate presigned storage URLs: `/media/{stream_id}/{file}?expires=…&signature=…`,
valid for `media_url_lifetime` seconds. Like a real storage service, the media endpoint needs no
bearer token and refuses a request that sends one (a client must never leak its token there).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from odyssey_dsl.emulator.jobs import EmulatedJob, EmulatedStream
from odyssey_dsl.emulator.placeholder_jpeg import solid_jpeg

MEDIA_FILES: dict[str, tuple[str, str]] = {
    "video": ("video.mp4", "video/mp4"),
    "preview": ("preview.mp4", "video/mp4"),
    "thumbnail": ("thumbnail.jpg", "image/jpeg"),
    "events": ("events.json", "application/json"),
}
"""Recording field prefix (`video` → `video_url`) → (file name, content type)."""

CONTENT_TYPES = dict(MEDIA_FILES.values())


def sign(key: bytes, stream_id: str, name: str, expires: int) -> str:
    message = f"{stream_id}/{name}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def presigned_urls(base_url: str, key: bytes, stream_id: str, expires: int) -> dict[str, str]:
    """`video_url`, `preview_url`, `thumbnail_url`, `events_url` for one stream."""
    urls = {}
    for field, (name, _) in MEDIA_FILES.items():
        query = urlencode({"expires": expires, "signature": sign(key, stream_id, name, expires)})
        urls[f"{field}_url"] = f"{base_url.rstrip('/')}/media/{stream_id}/{name}?{query}"
    return urls


def signature_problem(
    key: bytes, stream_id: str, name: str, expires: str | None, signature: str | None, now: float
) -> str | None:
    """Why a media request's signature is not acceptable, or None when it is."""
    if not expires or not signature:
        return "Request has no signature: use the presigned URL from the recording."
    try:
        deadline = int(expires)
    except ValueError:
        return "Malformed expiry in the presigned URL."
    expected = sign(key, stream_id, name, deadline)
    if not hmac.compare_digest(expected, signature):
        return "The request signature does not match: use the presigned URL unchanged."
    if now >= deadline:
        return "Request has expired: fetch the recording again for fresh URLs."
    return None


def file_content(name: str, job: EmulatedJob, stream: EmulatedStream, video_bytes: int) -> bytes:
    """The bytes of one placeholder file (deterministic for a stream)."""
    if name == "events.json":
        document: dict[str, Any] = {
            "stream_id": stream.stream_id,
            "job_id": job.job_id,
            "script_index": stream.script_index,
            "duration_seconds": stream.duration_seconds,
            "events": list(stream.events),
            "emulated": True,
        }
        return json.dumps(document, indent=2).encode() + b"\n"
    if name == "thumbnail.jpg":
        width, height = (90, 160) if job.portrait else (160, 90)
        return solid_jpeg(width, height, shade=int(stream.stream_id[:2], 16))
    size = video_bytes if name == "video.mp4" else max(64, video_bytes // 4)
    return placeholder_mp4(stream.stream_id + name, size)


def placeholder_mp4(seed: str, size: int) -> bytes:
    """An ISO base media file of exactly `size` bytes: an `ftyp` box and a `free` box of filler.

    Media tools recognise it as MP4 (it has no tracks, so it plays as empty).
    """
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    filler_size = size - len(ftyp) - 8
    pattern = hashlib.sha256(seed.encode()).digest()
    filler = (pattern * (filler_size // len(pattern) + 1))[:filler_size]
    return ftyp + _box(b"free", filler)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


@dataclass(frozen=True)
class ByteRange:
    """An inclusive byte range of a file."""

    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


class UnsatisfiableRange(ValueError):
    """The Range header asks for bytes the file does not have (answer 416)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single range a `Range` header asks for; None to send the whole file.

    A malformed header or a multi-range request is ignored (the whole file is sent, as RFC 9110
    allows); a range starting past the end raises `UnsatisfiableRange`.
    """
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_text, dash, last_text = header[len("bytes=") :].strip().partition("-")
    if not dash:
        return None
    try:
        if not first_text:  # suffix: the last N bytes
            suffix = int(last_text)
            if suffix <= 0:
                raise UnsatisfiableRange(header)
            return ByteRange(max(0, size - suffix), size - 1)
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first >= size:
        raise UnsatisfiableRange(header)
    if last < first:
        return None
    return ByteRange(first, min(last, size - 1))


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
