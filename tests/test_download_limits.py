"""Downloads from a hostile or broken server: size caps, stalls, deadlines, bad URLs, names and
extensions. Files are fetched over real HTTP from `hostile_server` on loopback; the CLI runs
as a subprocess."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cli_support import odyc_env, run_odyc
from hostile_server import endless_body, hostile_server, job_status, stalling_body
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from odyssey_dsl.cli.argument_types import byte_size, format_size
from odyssey_dsl.cli.submit import DEFAULT_MAX_DOWNLOAD_SIZE_HELP
from odyssey_dsl.client.download_plan import ALLOWED_EXTENSIONS
from odyssey_dsl.client.downloads import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DownloadError,
    DownloadItem,
    DownloadLimits,
    DownloadResult,
    DownloadTimedOut,
    DownloadTooLarge,
    download_file,
    plan_downloads,
    recordings_http_client,
)
from odyssey_dsl.client.wire import StreamInfo

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 16


def item_for(url: str, folder: Path) -> DownloadItem:
    return DownloadItem(url, folder / "s.video.mp4", "video", "s")


def fetch(
    item: DownloadItem, limits: DownloadLimits | None = None, attempts: int = 4
) -> DownloadResult:
    with recordings_http_client() as http:
        return download_file(http, item, limits=limits, attempts=attempts, retry_delay=0)


# --- size -----------------------------------------------------------------------------------


def test_an_announced_size_over_the_cap_is_refused_before_any_byte(tmp_path: Path) -> None:
    with hostile_server({"GET /v.mp4": Response(VIDEO)}) as server:
        item = item_for(server.url + "/v.mp4", tmp_path)
        with pytest.raises(DownloadTooLarge, match=f"announces {len(VIDEO)} bytes"):
            fetch(item, limits=DownloadLimits(max_bytes=len(VIDEO) - 1))
        assert fetch(item, limits=DownloadLimits(max_bytes=len(VIDEO))).size == len(VIDEO)
    assert item.path.read_bytes() == VIDEO and not item.part_path.exists()


def test_a_body_that_goes_on_past_the_cap_is_stopped_and_nothing_kept(tmp_path: Path) -> None:
    with hostile_server({"GET /v.mp4": endless_body()}) as server:
        item = item_for(server.url + "/v.mp4", tmp_path)
        started = time.monotonic()
        with pytest.raises(DownloadTooLarge, match="goes on past 1048576 bytes"):
            fetch(item, limits=DownloadLimits(max_bytes=1024 * 1024))
        assert server.count("GET /v.mp4") == 1  # not retried
    assert time.monotonic() - started < 10
    assert list(tmp_path.iterdir()) == []


# --- stalls and deadlines -------------------------------------------------------------------


def test_a_stalled_transfer_is_resumed_where_it_stopped(tmp_path: Path) -> None:
    def stall_once_then_finish(request: Request) -> Response:
        asked = request.headers.get("range")
        if asked is None:
            return stalling_body(VIDEO[:1000], total=len(VIDEO))
        assert asked == "bytes=1000-"
        rest = VIDEO[1000:]
        headers = {"content-range": f"bytes 1000-{len(VIDEO) - 1}/{len(VIDEO)}"}
        return Response(rest, status_code=206, headers=headers)

    with hostile_server({"GET /v.mp4": stall_once_then_finish}) as server:
        item = item_for(server.url + "/v.mp4", tmp_path)
        result = fetch(item, limits=DownloadLimits(stall_seconds=0.3))
        assert server.count("GET /v.mp4") == 2
    assert result.resumed_from == 1000
    assert item.path.read_bytes() == VIDEO


def test_a_transfer_that_keeps_stalling_is_given_up(tmp_path: Path) -> None:
    answers = {"GET /v.mp4": lambda request: stalling_body(VIDEO[:10], total=len(VIDEO))}
    with hostile_server(answers) as server:
        item = item_for(server.url + "/v.mp4", tmp_path)
        started = time.monotonic()
        with pytest.raises(DownloadError, match=r"after 3 attempts \(no data arrived for 0.2 s\)"):
            fetch(item, limits=DownloadLimits(stall_seconds=0.2), attempts=3)
        assert server.count("GET /v.mp4") == 3
    assert time.monotonic() - started < 5
    assert item.part_path.stat().st_size == 10  # kept, to be continued


def test_the_deadline_ends_a_download_and_keeps_its_part(tmp_path: Path) -> None:
    answers = {"GET /v.mp4": lambda request: stalling_body(VIDEO[:10], total=len(VIDEO))}
    with hostile_server(answers) as server:
        item = item_for(server.url + "/v.mp4", tmp_path)
        started = time.monotonic()
        with pytest.raises(DownloadTimedOut, match="time limit ran out"):
            fetch(item, limits=DownloadLimits(deadline=time.monotonic() + 2))
    assert 1.9 < time.monotonic() - started < 8
    assert item.part_path.exists() and not item.path.exists()


# --- URLs and redirects ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "cannot be read as a URL"),
        ("ftp://example.com/v.mp4", "is not an http or https URL"),
        ("file:///etc/passwd", "is not an http or https URL"),
        ("http:///v.mp4", "has no host name"),
    ],
)
def test_urls_odyc_does_not_fetch_are_refused(url: str, problem: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=problem):
        fetch(item_for(url, tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_redirect_loops_and_redirects_off_the_web_are_refused(tmp_path: Path) -> None:
    with hostile_server() as server:
        server.answers["GET /loop"] = RedirectResponse(server.url + "/loop")
        server.answers["GET /away"] = RedirectResponse("file:///etc/passwd")
        with pytest.raises(DownloadError, match="redirected it too many times"):
            fetch(item_for(server.url + "/loop", tmp_path))
        with pytest.raises(DownloadError, match="not http or https"):
            fetch(item_for(server.url + "/away", tmp_path))
        assert server.count("GET /loop") == 11  # the request and 10 redirects, once
    assert list(tmp_path.iterdir()) == []


# --- names and extensions -------------------------------------------------------------------


def test_stream_ids_that_clean_up_alike_get_files_of_their_own() -> None:
    streams = [
        StreamInfo(stream_id=stream_id, script_index=0, video_url="http://h/v.mp4")
        for stream_id in ("a/b", "a_b", "a:b", "A_B", "a_b")
    ]
    names = [item.path.name for item in plan_downloads(streams, Path("out"), "s")]
    assert len({name.casefold() for name in names}) == 5
    assert names[1] == "s.script-0.a_b.video.mp4"  # a safe id keeps its name
    assert names[0].startswith("s.script-0.a_b-") and names[2].startswith("s.script-0.a_b-")
    assert names[3] == "s.script-0.A_B.video-2.mp4"  # as on a file system that ignores case
    assert names[4] == "s.script-0.a_b.video-3.mp4"  # the same id twice
    # the same streams always get the same names (a later run resumes the same files)
    assert names == [item.path.name for item in plan_downloads(streams, Path("out"), "s")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=90), min_size=1, max_size=8))
def test_no_two_files_of_a_job_ever_share_a_name(stream_ids: list[str]) -> None:
    streams = [
        StreamInfo(stream_id=s, script_index=0, video_url="http://h/v", events_url="http://h/e")
        for s in stream_ids
    ]
    paths = [item.path for item in plan_downloads(streams, Path("/out"), "scene")]
    assert len({str(p).casefold() for p in paths}) == len(paths) == 2 * len(stream_ids)
    assert all(p.parent == Path("/out") and not p.name.startswith(".") for p in paths)


@pytest.mark.parametrize(
    ("kind", "url", "extension"),
    [
        ("video", "http://h/v.exe", ".mp4"),
        ("video", "http://h/v.WEBM?sig=1", ".webm"),
        ("video", "http://h/v.webp", ".mp4"),
        ("thumbnail", "http://h/t.jpeg", ".jpg"),
        ("thumbnail", "http://h/t.html", ".jpg"),
        ("preview", "http://h/p.desktop", ".mp4"),
        ("events", "http://h/e.sh", ".json"),
        ("events", "http://[::1", ".json"),
    ],
)
def test_the_extension_comes_from_odycs_list(kind: str, url: str, extension: str) -> None:
    stream = StreamInfo(stream_id="s1", script_index=0, **{f"{kind}_url": url})
    (item,) = plan_downloads([stream], Path("o"), "x")
    assert item.path.name == f"x.script-0.s1.{kind}{extension}"
    assert extension in ALLOWED_EXTENSIONS[kind]


# --- sizes on the command line --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000", 1000),
        ("500M", 500 * 1024**2),
        ("2G", 2 * 1024**3),
        ("1.5k", 1536),
        ("4GiB", 4 * 1024**3),
    ],
)
def test_sizes_are_read_in_powers_of_1024(text: str, size: int) -> None:
    assert byte_size(text) == size


def test_the_documented_default_is_the_real_one() -> None:
    assert format_size(DEFAULT_MAX_DOWNLOAD_BYTES) == DEFAULT_MAX_DOWNLOAD_SIZE_HELP


# --- the command line -----------------------------------------------------------------------


def completed_job(server_url: str, *streams: tuple[str, str]) -> dict[str, object]:
    return job_status(
        "j1",
        streams=[
            {"stream_id": stream_id, "script_index": 0, "video_url": server_url + path}
            for stream_id, path in streams
        ],
    )


def test_cli_downloads_cap_names_and_extensions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with hostile_server() as server:
        server.answers.update(
            {
                "GET /simulation-jobs/j1": completed_job(
                    server.url, ("a/b", "/one.sh"), ("a_b", "/two.mp4")
                ),
                "GET /simulation-jobs/big": job_status(
                    "big", streams=[{"stream_id": "s", "video_url": server.url + "/one.sh"}]
                ),
                "GET /one.sh": Response(b"first " * 1000),
                "GET /two.mp4": Response(b"second"),
            }
        )
        env = odyc_env(server.url, tmp_path / "state")
        both = run_odyc(["jobs", "wait", "j1", "--download", str(out), "--json"], env)
        capped = run_odyc(
            ["jobs", "wait", "big", "--download", str(out), "--max-download-size", "1K"], env
        )
    assert both.returncode == 0, both.stderr
    saved = {
        Path(d["path"]).name: Path(d["path"]).read_bytes()
        for d in json.loads(both.stdout)["downloads"]
    }
    assert saved["job-j1.script-0.a_b.video.mp4"] == b"second"
    (first,) = [name for name in saved if name != "job-j1.script-0.a_b.video.mp4"]
    assert first.startswith("job-j1.script-0.a_b-") and first.endswith(".video.mp4")
    assert saved[first] == b"first " * 1000
    assert capped.returncode == 5
    assert "larger than the limit of 1024 bytes" in capped.stderr
    assert "--max-download-size" in capped.stderr
    assert not any(p.name.startswith("job-big") for p in out.iterdir())


def test_cli_timeout_covers_the_download(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with hostile_server() as server:
        server.answers["GET /simulation-jobs/j1"] = completed_job(server.url, ("s1", "/v.mp4"))
        server.answers["GET /v.mp4"] = lambda request: stalling_body(VIDEO[:100], total=len(VIDEO))
        env = odyc_env(server.url, tmp_path / "state")
        started = time.monotonic()
        result = run_odyc(["jobs", "wait", "j1", "--download", str(out), "--timeout", "2"], env)
        took = time.monotonic() - started
    assert result.returncode == 5, result.stderr
    assert "gave up downloading at the --timeout" in result.stderr
    assert f"odyc jobs wait j1 --download {out}" in result.stderr
    assert took < 20  # not the 4 x 30 s of stall retries
    assert [p.name for p in out.iterdir()] == ["job-j1.script-0.s1.video.mp4.part"]


def test_cli_bad_recording_urls_are_api_errors(tmp_path: Path) -> None:
    with hostile_server() as server:
        server.answers["GET /simulation-jobs/j1"] = completed_job(server.url, ("s1", "/loop"))
        server.answers["GET /simulation-jobs/j2"] = job_status(
            "j2", streams=[{"stream_id": "s2", "video_url": "http://[::1"}]
        )
        server.answers["GET /loop"] = RedirectResponse(server.url + "/loop")
        env = odyc_env(server.url, tmp_path / "state")
        loop = run_odyc(["jobs", "wait", "j1", "--download", str(tmp_path / "o")], env)
        bad = run_odyc(["jobs", "wait", "j2", "--download", str(tmp_path / "o")], env)
    assert loop.returncode == bad.returncode == 5
    assert "redirected it too many times" in loop.stderr
    assert "cannot be read as a URL" in bad.stderr
    for result in (loop, bad):
        assert result.stderr.count("odyc: error:") == 1 and "bug" not in result.stderr


def test_cli_max_download_size_is_checked(tmp_path: Path) -> None:
    (tmp_path / "cat.ody").write_text('at 0s: start "a cat"\nat 3s: end\n')
    env = odyc_env("http://127.0.0.1:9", tmp_path / "state")
    for args in (
        ["jobs", "wait", "j1", "--max-download-size", "lots"],
        ["recordings", "get", "s1", "--max-download-size", "0"],
        ["cat.ody", "--max-download-size", "1G"],  # without --submit
    ):
        result = run_odyc(args, env, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "--max-download-size" in result.stderr
