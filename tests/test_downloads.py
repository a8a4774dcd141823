"""Downloading recordings (odyssey_dsl.client.downloads) over real HTTP from the emulator."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cli_support import CANARY_KEY, logged_requests
from conftest import FAST_EMULATOR
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.client import OdysseyClient
from odyssey_dsl.client.downloads import (
    DownloadError,
    download_all,
    download_file,
    plan_downloads,
    recordings_http_client,
    safe_name_part,
)
from odyssey_dsl.client.wire import JobStatus, StreamInfo
from odyssey_dsl.emit.models import Job, ScriptEntry
from odyssey_dsl.emulator import EmulatorConfig, RunningEmulator, running_emulator
from odyssey_dsl.emulator.config import PlannedFault
from odyssey_dsl.emulator.state import RequestRecord

MEDIA = "GET /media/{stream_id}/{name}"


def two_script_job() -> Job:
    def script(prompt: str) -> list[ScriptEntry]:
        return [
            ScriptEntry.model_validate({"timestamp_ms": 0, "start": {"prompt": prompt}}),
            ScriptEntry.model_validate({"timestamp_ms": 2000, "end": {}}),
        ]

    return Job(scripts=[script("a cat"), script("a dog")], script_names=["intro", "the end"])


def completed_job(emulator: RunningEmulator, job: Job | None = None) -> JobStatus:
    with OdysseyClient(CANARY_KEY, api_url=emulator.url) as client:
        submitted = client.simulate(job or two_script_job())
        return client.wait(submitted.job_id, poll_interval=0.05)


def media_requests(emulator: RunningEmulator, at_least: int) -> list[RequestRecord]:
    """The media requests the emulator logged, once there are `at_least` of them.

    The emulator logs a request after its response has been sent, so the client may be a
    moment ahead of the log.
    """
    deadline = time.monotonic() + 5
    while True:
        logged = emulator.state.requests_to(MEDIA)
        if len(logged) >= at_least or time.monotonic() > deadline:
            return logged
        time.sleep(0.01)


def served_bytes(url: str) -> bytes:
    with recordings_http_client() as http:
        response = http.get(url)
        response.raise_for_status()
        return response.content


def test_files_land_with_their_names_and_content(emulator: RunningEmulator, tmp_path: Path) -> None:
    status = completed_job(emulator)
    items = plan_downloads(status.streams, tmp_path, "my scene", ["intro", "the end"])
    results = download_all(items)

    names = sorted(p.name for p in tmp_path.iterdir())
    expected = sorted(
        f"my_scene.{label}.{stream.stream_id}.{kind}"
        for stream, label in zip(status.streams, ["intro", "the_end"], strict=True)
        for kind in ("video.mp4", "thumbnail.jpg", "preview.mp4", "events.json")
    )
    assert names == expected
    assert all(not r.skipped and r.resumed_from == 0 for r in results)
    for stream in status.streams:
        video = next(tmp_path.glob(f"*.{stream.stream_id}.video.mp4"))
        assert video.stat().st_size == emulator.config.video_bytes
        assert stream.video_url is not None
        assert video.read_bytes() == served_bytes(stream.video_url)
        events = json.loads(next(tmp_path.glob(f"*.{stream.stream_id}.events.json")).read_text())
        assert events["stream_id"] == stream.stream_id
    media = media_requests(emulator, at_least=10)  # 8 downloads + 2 served_bytes
    assert len(media) == 8 + 2 and not any(r.sent_authorization for r in media)


def test_a_second_run_fetches_nothing(emulator: RunningEmulator, tmp_path: Path) -> None:
    status = completed_job(emulator)
    items = plan_downloads(status.streams, tmp_path, "scene")
    download_all(items)
    before = len(media_requests(emulator, at_least=8))

    again = download_all(items)

    assert all(r.skipped for r in again)
    heads = logged_requests(emulator, "HEAD /media/{stream_id}/{name}", at_least=len(items))
    assert len(heads) == len(items)  # one size check per file
    assert len(logged_requests(emulator, MEDIA)) == before  # and no GET at all


def test_a_saved_file_that_differs_from_the_server_is_fetched_again(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    status = completed_job(emulator)
    video = next(i for i in plan_downloads(status.streams, tmp_path, "s") if i.kind == "video")
    video.path.write_bytes(b"not the video")

    result = download_file(recordings_http_client(), video)

    assert not result.skipped
    assert video.path.read_bytes() == served_bytes(video.url)


def test_a_dropped_connection_is_resumed_with_range(
    emulator_factory: Callable[[EmulatorConfig], RunningEmulator], tmp_path: Path
) -> None:
    config = dataclasses.replace(
        FAST_EMULATOR,
        fault_plan=(PlannedFault(MEDIA, nth=1, kind="drop_midway", fraction=0.4),),
    )
    emulator = emulator_factory(config)
    status = completed_job(emulator)
    video = next(i for i in plan_downloads(status.streams, tmp_path, "s") if i.kind == "video")

    result = download_file(recordings_http_client(), video, retry_delay=0.01)

    first, second = media_requests(emulator, at_least=2)[:2]
    assert first.fault == "drop_midway"
    assert second.status_code == 206  # continued with a Range request, not from scratch
    assert result.size == config.video_bytes
    assert video.path.read_bytes() == served_bytes(video.url)
    assert not video.part_path.exists()


def test_a_part_left_by_an_earlier_run_is_continued(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    status = completed_job(emulator)
    video = next(i for i in plan_downloads(status.streams, tmp_path, "s") if i.kind == "video")
    content = served_bytes(video.url)
    video.part_path.write_bytes(content[:1000])
    before = len(media_requests(emulator, at_least=1))

    result = download_file(recordings_http_client(), video)

    assert result.resumed_from == 1000 and not result.skipped
    assert video.path.read_bytes() == content
    (request,) = media_requests(emulator, at_least=before + 1)[before:]
    assert request.status_code == 206


def test_any_saved_prefix_resumes_to_the_same_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with running_emulator(FAST_EMULATOR) as emulator:
        status = completed_job(emulator)
        stream = status.streams[0]
        assert stream.events_url is not None
        content = served_bytes(stream.events_url)

        @settings(max_examples=25, deadline=None)
        @given(cut=st.integers(min_value=0, max_value=len(content)))
        def resumes(cut: int) -> None:
            dest = tmp_path_factory.mktemp("resume")
            (item,) = [i for i in plan_downloads([stream], dest, "s") if i.kind == "events"]
            if cut:
                item.part_path.write_bytes(content[:cut])
            with recordings_http_client() as http:
                result = download_file(http, item)
            assert item.path.read_bytes() == content
            assert not item.part_path.exists()
            if cut < len(content):  # a whole file may be re-sent by a server ignoring Range
                assert result.resumed_from == cut

        resumes()


def test_a_part_that_is_already_complete_ends_as_the_file(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    status = completed_job(emulator)
    video = next(i for i in plan_downloads(status.streams, tmp_path, "s") if i.kind == "video")
    content = served_bytes(video.url)
    video.part_path.write_bytes(content)

    download_file(recordings_http_client(), video)

    assert video.path.read_bytes() == content
    assert not video.part_path.exists()
    # 416 (nothing left to send) is the usual answer; RFC 9110 also lets a server ignore the
    # Range header and send the whole file with 200, which the download must accept too.
    assert media_requests(emulator, at_least=2)[-1].status_code in (200, 416)


def test_a_refused_url_is_a_download_error_without_the_signature(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    status = completed_job(emulator)
    video = next(i for i in plan_downloads(status.streams, tmp_path, "s") if i.kind == "video")
    tampered = dataclasses.replace(video, url=video.url.replace("signature=", "signature=00"))

    with pytest.raises(DownloadError) as caught:
        download_file(recordings_http_client(), tampered)

    assert caught.value.status_code == 403
    assert "signature=" not in str(caught.value)
    assert not video.path.exists() and not video.part_path.exists()


def test_the_bearer_token_is_never_sent_to_presigned_urls(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    status = completed_job(emulator)
    items = plan_downloads(status.streams, tmp_path, "s")
    with recordings_http_client() as http:
        download_all(items, http=http)
        assert "authorization" not in {k.lower() for k in http.headers}
    assert not any(r.sent_authorization for r in media_requests(emulator, at_least=8))


def test_unnamed_scripts_are_named_by_index() -> None:
    stream = StreamInfo(stream_id="s1", script_index=2, video_url="http://h/v")
    (item,) = plan_downloads([stream], Path("out"), "scene", ["only one"])
    assert item.path == Path("out/scene.script-2.s1.video.mp4")


def test_the_extension_comes_from_the_url_when_it_has_one() -> None:
    stream = StreamInfo(
        stream_id="s1",
        script_index=0,
        thumbnail_url="http://h/t.WEBP?sig=1",
        events_url="http://h/events?sig=1",
    )
    items = plan_downloads([stream], Path("o"), "x")
    assert [i.path.name for i in items] == [
        "x.script-0.s1.thumbnail.webp",
        "x.script-0.s1.events.json",
    ]


@settings(max_examples=200, deadline=None)
@given(
    stem=st.text(max_size=30),
    stream_id=st.text(min_size=1, max_size=30),
    name=st.text(max_size=30),
)
def test_names_always_stay_inside_the_folder(stem: str, stream_id: str, name: str) -> None:
    dest = Path("/downloads/here")
    stream = StreamInfo(
        stream_id=stream_id,
        script_index=0,
        video_url="http://h/v.mp4",
        events_url="http://h/../../e",
    )
    for item in plan_downloads([stream], dest, stem, [name]):
        assert item.path.parent == dest
        assert "/" not in item.path.name and "\\" not in item.path.name
        assert not item.path.name.startswith(".")
        assert safe_name_part(stem) in item.path.name


def test_http_client_for_recordings_has_no_credentials() -> None:
    with recordings_http_client() as http:
        assert isinstance(http, httpx.Client)
        assert "authorization" not in {k.lower() for k in http.headers}
        assert http.auth is None
