"""The emulator's recording files: presigned URLs, placeholder content, HEAD and byte ranges."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from emulator_support import ManualClock, bearer, clocked_emulator, submit
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator

VIDEO_BYTES = 4096


@dataclass(frozen=True)
class Finished:
    """A completed job's first stream and a client of its emulator."""

    client: httpx.Client
    emulator: RunningEmulator
    clock: ManualClock
    stream: dict[str, str]


@pytest.fixture(scope="module")
def finished() -> Iterator[Finished]:
    config = EmulatorConfig(video_bytes=VIDEO_BYTES)
    with clocked_emulator(config) as (running, clock), httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        job_id = submit(client, headers, portrait=True)["job_id"]
        clock.advance(config.job_seconds)
        [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
        yield Finished(client, running, clock, stream)


def test_video_is_an_mp4_of_the_configured_size(finished: Finished) -> None:
    response = finished.client.get(finished.stream["video_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert len(response.content) == VIDEO_BYTES
    first_box = struct.unpack(">I", response.content[:4])[0]
    assert response.content[4:8] == b"ftyp"
    assert response.content[first_box + 4 : first_box + 8] == b"free"
    preview = finished.client.get(finished.stream["preview_url"])
    assert preview.headers["content-type"] == "video/mp4" and preview.content[4:8] == b"ftyp"


def test_thumbnail_is_a_portrait_jpeg(finished: Finished) -> None:
    response = finished.client.get(finished.stream["thumbnail_url"])
    assert response.headers["content-type"] == "image/jpeg"
    data = response.content
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    frame = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[frame + 5 : frame + 9])
    assert (width, height) == (90, 160)


def test_events_file_lists_the_streams_script(finished: Finished) -> None:
    events = finished.client.get(finished.stream["events_url"])
    assert events.headers["content-type"] == "application/json"
    document = json.loads(events.content)
    assert document["stream_id"] == finished.stream["stream_id"]
    assert [(e["timestamp_ms"], e["type"]) for e in document["events"]] == [
        (0, "start"),
        (1500, "interact"),
        (3000, "end"),
    ]


def test_head_gives_the_headers_without_a_body(finished: Finished) -> None:
    head = finished.client.head(finished.stream["video_url"])
    get = finished.client.get(finished.stream["video_url"])
    assert head.status_code == 200 and head.content == b""
    for name in ("content-length", "content-type", "etag", "accept-ranges"):
        assert head.headers[name] == get.headers[name]


@settings(max_examples=60, deadline=None)
@given(first=st.integers(0, VIDEO_BYTES - 1), span=st.integers(0, 2 * VIDEO_BYTES))
def test_any_byte_range_is_the_matching_slice(finished: Finished, first: int, span: int) -> None:
    url = finished.stream["video_url"]
    whole = finished.client.get(url).content
    last = first + span
    response = finished.client.get(url, headers={"Range": f"bytes={first}-{last}"})
    assert response.status_code == 206
    served_last = min(last, VIDEO_BYTES - 1)
    assert response.headers["content-range"] == f"bytes {first}-{served_last}/{VIDEO_BYTES}"
    assert response.content == whole[first : served_last + 1]


@pytest.mark.parametrize(
    ("header", "status", "slice_"),
    [
        ("bytes=1000-", 206, slice(1000, None)),
        ("bytes=-100", 206, slice(VIDEO_BYTES - 100, None)),
        (f"bytes=-{VIDEO_BYTES * 2}", 206, slice(0, None)),
        ("bytes=0-0", 206, slice(0, 1)),
        ("bytes=0-9,20-29", 200, slice(None)),  # several ranges: the whole file
        ("bytes=9-3", 200, slice(None)),  # malformed: ignored
        ("items=0-5", 200, slice(None)),
    ],
)
def test_range_forms(finished: Finished, header: str, status: int, slice_: slice) -> None:
    url = finished.stream["video_url"]
    whole = finished.client.get(url).content
    response = finished.client.get(url, headers={"Range": header})
    assert response.status_code == status
    assert response.content == whole[slice_]


def test_a_range_past_the_end_is_416(finished: Finished) -> None:
    response = finished.client.get(
        finished.stream["video_url"], headers={"Range": f"bytes={VIDEO_BYTES}-"}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{VIDEO_BYTES}"


def test_if_range_sends_everything_when_the_etag_changed(finished: Finished) -> None:
    url = finished.stream["video_url"]
    etag = finished.client.head(url).headers["etag"]
    same = finished.client.get(url, headers={"Range": "bytes=10-", "If-Range": etag})
    assert same.status_code == 206
    changed = finished.client.get(url, headers={"Range": "bytes=10-", "If-Range": '"old"'})
    assert changed.status_code == 200 and len(changed.content) == VIDEO_BYTES


def test_presigned_urls_refuse_a_bearer_token(finished: Finished) -> None:
    response = finished.client.get(
        finished.stream["video_url"], headers={"Authorization": "Bearer anything"}
    )
    assert response.status_code == 400
    assert "Authorization" in response.text
    assert finished.emulator.state.requests[-1].sent_authorization


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    kept = {k: v for k, v in query.items() if v}
    return parts._replace(query=urlencode(kept)).geturl()


@pytest.mark.parametrize(
    "changes",
    [{"signature": "0" * 64}, {"signature": ""}, {"expires": "99999999999"}, {"expires": "soon"}],
    ids=["forged", "unsigned", "extended", "malformed"],
)
def test_tampered_urls_are_403(finished: Finished, changes: dict[str, str]) -> None:
    response = finished.client.get(_with_query(finished.stream["video_url"], **changes))
    assert response.status_code == 403
    assert response.text.startswith("AccessDenied")


def test_other_files_of_a_stream_do_not_exist(finished: Finished) -> None:
    url = finished.stream["video_url"].replace("/video.mp4", "/secrets.txt")
    assert finished.client.get(url).status_code == 404


def test_urls_expire_after_their_lifetime() -> None:
    config = EmulatorConfig(media_url_lifetime=60)
    with clocked_emulator(config) as (running, clock), httpx.Client(base_url=running.url) as client:
        headers = bearer(client)
        job_id = submit(client, headers)["job_id"]
        clock.advance(config.job_seconds)
        [stream] = client.get(f"/simulation-jobs/{job_id}", headers=headers).json()["streams"]
        clock.advance(59)
        assert client.get(stream["thumbnail_url"]).status_code == 200
        clock.advance(2)
        expired = client.get(stream["thumbnail_url"])
        assert expired.status_code == 403 and "expired" in expired.text
        fresh = client.get(f"/recordings/{stream['stream_id']}", headers=headers).json()
        assert client.get(fresh["thumbnail_url"]).status_code == 200
