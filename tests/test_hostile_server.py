"""odyc against a hostile or broken server: escaped output, no secret shown, API errors
instead of tracebacks, listings that end. The CLI runs as a subprocess, the client over real
HTTP, against `hostile_server` on loopback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import CANARY_KEY, odyc_env, run_odyc, run_on_terminal
from hostile_server import HOSTILE_TOKEN, Answer, endless_body, hostile_server, job_status
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from odyssey_dsl.client import OdysseyClient
from odyssey_dsl.client.errors import InvalidAPIURLError, InvalidRequestError, ServerError
from odyssey_dsl.client.server_text import printable

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
"""A terminal title change, a screen clear, a C1 CSI and a bidi override."""
ESCAPED_EVIL = "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e"
SECRETS = (CANARY_KEY, HOSTILE_TOKEN)


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    """The journal's folder; nothing under `tmp_path` may hold the key or the token."""
    yield tmp_path / "state"
    assert_no_secret_in_tree(tmp_path)


def assert_no_secret_in_tree(root: Path) -> None:
    for path in root.rglob("*"):
        for secret in SECRETS:
            assert secret not in path.name, path
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def assert_safe(*texts: str) -> None:
    """No raw control character (but line breaks) and no secret in what odyc printed."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
        raw = [c for c in text if c != "\n" and printable(c) != c]
        assert raw == [], repr(text)


def completed_stream(stream_id: str, **fields: object) -> dict[str, object]:
    return {"stream_id": stream_id, "script_index": 0, "duration_seconds": 3.0, **fields}


# --- control characters -------------------------------------------------------------------


def test_server_text_is_escaped_in_every_human_output(state_dir: Path) -> None:
    failed = job_status(
        "j1",
        "failed",
        error_message=f"boom {EVIL}\nodyc: error: a forged line",
        created_at=EVIL,
        streams=[completed_stream(f"s{EVIL}", error_message=EVIL, video_url=f"http://x/{EVIL}")],
    )
    answers = {
        "GET /simulation-jobs/j1": failed,
        "GET /simulation-jobs/j2": job_status(
            "j2", streams=[completed_stream(f"s2{EVIL}", video_url=f"http://x/v{EVIL}.mp4")]
        ),
        "GET /simulation-jobs": {
            "jobs": [{"job_id": "j1", "status": EVIL, "error_message": EVIL}],
            "total": 1,
        },
        "DELETE /simulation-jobs/j1": {"job_id": "j1", "status": EVIL},
        "GET /recordings/s1": {"stream_id": f"s1{EVIL}", "video_url": f"http://x/{EVIL}"},
        "GET /stream-recordings": {"recordings": [{"stream_id": EVIL}], "total": 1},
    }
    with hostile_server(answers) as server:
        env = odyc_env(server.url, state_dir)
        runs = {
            "status": run_odyc(["jobs", "status", "j1"], env),
            "wait": run_odyc(["jobs", "wait", "j1"], env),
            "wait-completed": run_odyc(["jobs", "wait", "j2"], env),
            "list": run_odyc(["jobs", "list"], env),
            "cancel": run_odyc(["jobs", "cancel", "j1"], env),
            "recording": run_odyc(["recordings", "get", "s1"], env),
            "recordings": run_odyc(["recordings", "list"], env),
        }
        as_json = run_odyc(["jobs", "status", "j1", "--json"], env)
    for name, result in runs.items():
        assert_safe(result.stdout, result.stderr)
        assert ESCAPED_EVIL in result.stdout + result.stderr, name
    assert runs["wait"].returncode == 3
    # the server's line break does not start a line of odyc's own
    assert not any(
        line.startswith("odyc: error: a forged") for line in runs["wait"].stderr.splitlines()
    )
    assert "\\nodyc: error: a forged line" in runs["wait"].stderr
    assert_safe(as_json.stdout)
    assert json.loads(as_json.stdout)["error_message"].startswith(f"boom {EVIL}\n")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_tables_on_a_terminal_escape_and_ignore_markup(state_dir: Path, tmp_path: Path) -> None:
    listing = {"jobs": [{"job_id": "j1", "status": f"[reverse]{EVIL}[/]"}], "total": 1}
    with hostile_server({"GET /simulation-jobs": listing}) as server:
        env = odyc_env(server.url, state_dir)
        env.update({"TERM": "xterm", "COLUMNS": "200"})
        code, screen = run_on_terminal(["jobs", "list"], env, tmp_path)
    assert code == 0, screen
    assert "[reverse]" in screen  # shown as text, not taken as rich markup
    assert "\\x1b]0;pwned" in screen and "]0;pwned" not in screen.replace("\\x1b]0;pwned", "")


def test_a_long_error_message_is_cut_on_the_terminal_but_whole_in_json(state_dir: Path) -> None:
    message = "why " * 1000 + "THE END"
    with hostile_server(
        {"GET /simulation-jobs/j1": job_status("j1", "failed", error_message=message)}
    ) as server:
        env = odyc_env(server.url, state_dir)
        shown = run_odyc(["jobs", "wait", "j1"], env)
        whole = run_odyc(["jobs", "wait", "j1", "--json"], env)
    assert shown.returncode == whole.returncode == 3
    assert "THE END" not in shown.stderr
    assert "(2007 more characters)" in shown.stderr
    assert len(shown.stderr) < 2500
    assert json.loads(whole.stdout)["error_message"] == message


# --- secrets --------------------------------------------------------------------------------


def test_the_key_and_the_token_echoed_by_the_server_are_never_shown(
    state_dir: Path, tmp_path: Path
) -> None:
    echo = f"key={CANARY_KEY} token={HOSTILE_TOKEN}"
    job = job_status(
        "j1",
        "failed",
        error_message=echo,
        streams=[completed_stream(f"s-{CANARY_KEY}", error_message=echo)],
    )
    done = job_status(
        "j2",
        streams=[completed_stream(f"s-{CANARY_KEY}", video_url="URL/v.mp4?k=" + CANARY_KEY)],
    )
    answers = {
        "GET /simulation-jobs/j1": job,
        "GET /simulation-jobs": {"jobs": [{"job_id": "j3", "status": echo}], "total": 1},
        "GET /simulation-jobs/gone": JSONResponse({"detail": echo}, 404),
        "DELETE /simulation-jobs/j1": JSONResponse({"detail": f"no: {HOSTILE_TOKEN}"}, 400),
    }
    with hostile_server(answers) as server:
        server.answers["GET /simulation-jobs/j2"] = json.loads(
            json.dumps(done).replace("URL", server.url)
        )
        server.answers["GET /v.mp4"] = Response(b"video bytes")
        env = odyc_env(server.url, state_dir)
        out = tmp_path / "out"
        results = [
            run_odyc(["jobs", "wait", "j1"], env),
            run_odyc(["jobs", "wait", "j1", "--json"], env),
            run_odyc(["jobs", "status", "j1"], env),
            run_odyc(["jobs", "list", "--json"], env),
            run_odyc(["jobs", "status", "gone"], env),
            run_odyc(["jobs", "cancel", "j1"], env),
            run_odyc(["jobs", "wait", "j2", "--download", str(out), "--json"], env),
        ]
    for result in results:
        assert_safe(result.stdout, result.stderr)
    assert "key=*** token=***" in results[0].stderr
    assert [r.returncode for r in results] == [3, 3, 0, 0, 5, 5, 0]
    (download,) = json.loads(results[-1].stdout)["downloads"]
    assert Path(download["path"]).read_bytes() == b"video bytes"


def test_the_client_scrubs_secrets_from_every_answer() -> None:
    echo = {"job_id": "j1", "status": f"x{HOSTILE_TOKEN}", f"extra_{CANARY_KEY}": [CANARY_KEY]}
    with (
        hostile_server({"GET /simulation-jobs/j1": echo}) as server,
        OdysseyClient(CANARY_KEY, api_url=server.url) as client,
    ):
        status = client.get_status("j1")
    dumped = json.dumps(status.model_dump(mode="json"))
    assert status.status == "x***"
    assert CANARY_KEY not in dumped and HOSTILE_TOKEN not in dumped


# --- protocol failures ----------------------------------------------------------------------


BAD_JOB_IDS = ["x" * 5_000_000, "..", ".", "../../etc", "-rf", "a b", f"j{EVIL}", "", "x" * 129]


@pytest.mark.parametrize("job_id", ["x" * 5_000_000, f"j{EVIL}"], ids=["5MB", "escape"])
def test_a_submission_answered_with_a_bad_job_id_is_an_api_error(
    job_id: str, state_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "cat.ody").write_text('at 0s: start "a cat"\nat 3s: end\n')
    answers = {"POST /simulation-jobs": {"job_id": job_id, "status": "pending"}}
    with hostile_server(answers) as server:
        result = run_odyc(["cat.ody", "--submit"], odyc_env(server.url, state_dir), cwd=tmp_path)
        assert server.count("POST /simulation-jobs") == 1 and len(server.requests) == 2
    assert_safe(result.stdout, result.stderr)
    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("odyc: error: the API's answer to the request to submit")
    assert "job_id" in result.stderr and "this is a bug" not in result.stderr
    assert len(result.stderr) < 1000
    journal = state_dir / "jobs.jsonl"
    assert not journal.exists() or journal.read_text() == ""


def test_the_client_refuses_every_answer_with_a_bad_job_id() -> None:
    answers: dict[str, Answer] = {}
    with hostile_server(answers) as server, OdysseyClient(CANARY_KEY, api_url=server.url) as client:
        for job_id in BAD_JOB_IDS:
            answers["POST /simulation-jobs"] = {"job_id": job_id}
            server.answers.update(answers)
            server.answers["GET /simulation-jobs"] = {"jobs": [{"job_id": job_id, "status": "x"}]}
            with pytest.raises(ServerError, match="job_id"):
                client.simulate(script_url="https://example.com/s.json")
            with pytest.raises(ServerError, match="job_id"):
                client.list_simulations()


@pytest.mark.parametrize(
    ("command", "job_id"), [("status", ".."), ("wait", "-x"), ("cancel", "a/b")]
)
def test_a_job_id_given_by_the_user_is_checked_before_any_request(
    command: str, job_id: str, state_dir: Path
) -> None:
    with hostile_server() as server:
        result = run_odyc(["jobs", command, "--", job_id], odyc_env(server.url, state_dir))
        assert server.requests == []
    assert result.returncode == 2, result.stderr
    assert "is not a job id" in result.stderr
    assert_safe(result.stderr)


def test_the_client_checks_job_ids_before_any_request() -> None:
    with hostile_server() as server, OdysseyClient(CANARY_KEY, api_url=server.url) as client:
        for job_id in BAD_JOB_IDS:
            for call in (client.get_status, client.cancel, client.wait):
                with pytest.raises(InvalidRequestError, match="is not a job id"):
                    call(job_id)
        for stream_id in ("", ".", ".."):
            with pytest.raises(InvalidRequestError, match="stream id"):
                client.get_recording(stream_id)
        assert server.requests == []


def test_list_all_stops_when_pages_bring_nothing_new(state_dir: Path) -> None:
    same_page = {"jobs": [{"job_id": f"j{n}", "status": "completed"} for n in range(3)]}
    with hostile_server({"GET /simulation-jobs": {**same_page, "total": 10**12}}) as server:
        env = odyc_env(server.url, state_dir)
        result = run_odyc(["jobs", "list", "--all", "--limit", "3", "--json"], env, timeout=30)
        assert server.count("GET /simulation-jobs") == 2
    assert result.returncode == 0, result.stderr
    assert [j["job_id"] for j in json.loads(result.stdout)["jobs"]] == ["j0", "j1", "j2"]


def test_recordings_list_all_stops_when_pages_bring_nothing_new(state_dir: Path) -> None:
    page = {"recordings": [{"stream_id": "s1"}, {"stream_id": "s2"}], "total": 10**9}
    with hostile_server({"GET /stream-recordings": page}) as server:
        env = odyc_env(server.url, state_dir)
        result = run_odyc(["recordings", "list", "--all", "--limit", "2"], env, timeout=30)
        assert server.count("GET /stream-recordings") == 2
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("s1") == 1 and result.stdout.count("s2") == 1


def test_limit_is_applied_when_the_server_sends_more(state_dir: Path) -> None:
    many = {"jobs": [{"job_id": f"j{n}", "status": "pending"} for n in range(50)], "total": 50}
    recordings = {"recordings": [{"stream_id": f"s{n}"} for n in range(50)], "total": 50}
    answers = {"GET /simulation-jobs": many, "GET /stream-recordings": recordings}
    with hostile_server(answers) as server:
        env = odyc_env(server.url, state_dir)
        listed = run_odyc(["jobs", "list", "--limit", "2", "--json"], env)
        every = run_odyc(["jobs", "list", "--all", "--limit", "7", "--json"], env)
        streams = run_odyc(["recordings", "list", "--limit", "3", "--json"], env)
    assert [j["job_id"] for j in json.loads(listed.stdout)["jobs"]] == ["j0", "j1"]
    assert len(json.loads(every.stdout)["jobs"]) == 7  # pages cut to 7; the next brings none
    assert len(json.loads(streams.stdout)["recordings"]) == 3


def test_an_answer_over_the_size_cap_is_an_api_error(state_dir: Path) -> None:
    def huge_declared(request: Request) -> Response:
        return Response(b"{}", headers={"content-length": str(33 * 1024 * 1024)})

    answers = {
        "GET /simulation-jobs/endless": endless_body(b'{"job_id": "' + b"x" * 65536),
        "GET /simulation-jobs/declared": huge_declared,
    }
    with hostile_server(answers) as server:
        env = odyc_env(server.url, state_dir)
        endless = run_odyc(["jobs", "status", "endless"], env, timeout=60)
        with (
            OdysseyClient(CANARY_KEY, api_url=server.url, max_retries=0) as client,
            pytest.raises(ServerError, match="larger than 32 MiB"),
        ):
            client.get_status("declared")
    assert endless.returncode == 5
    assert "larger than 32 MiB" in endless.stderr and "is the API URL right?" in endless.stderr


def test_an_api_redirect_and_a_deeply_nested_answer_are_api_errors(state_dir: Path) -> None:
    answers: dict[str, Answer] = {
        "GET /simulation-jobs/deep": Response("[" * 100_000, status_code=400),
        "GET /simulation-jobs/nested": Response('{"job_id": ' + "[" * 100_000),
    }
    with hostile_server(answers) as server:
        server.answers["GET /simulation-jobs/loop"] = RedirectResponse(
            server.url + "/simulation-jobs/loop"
        )
        env = odyc_env(server.url, state_dir)
        results = [run_odyc(["jobs", "status", job], env) for job in ("loop", "deep", "nested")]
    for result in results:
        assert result.returncode == 5, result.stderr
        assert result.stderr.startswith("odyc: error: ") and "bug" not in result.stderr
    assert "redirect" in results[0].stderr


def test_an_api_url_that_is_not_http_is_a_usage_error(state_dir: Path) -> None:
    results = [
        run_odyc(["jobs", "list", "--api-url", "ftp://example.com"], odyc_env(None, state_dir)),
        run_odyc(["recordings", "list"], odyc_env("http://[::1", state_dir)),
        run_odyc(["jobs", "status", "j1", "--api-url", "example.com"], odyc_env(None, state_dir)),
        # the URL is a mistake on the command line: said first, even when the key is missing
        run_odyc(["jobs", "list", "--api-url", "notaurl"], odyc_env(None, state_dir, key=None)),
    ]
    for result in results:
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("odyc: error: the API URL ")
    for url in ("ftp://example.com", "http://[::1", "example.com", "http://", "http:///x"):
        with pytest.raises(InvalidAPIURLError, match="the API URL"):
            OdysseyClient(CANARY_KEY, api_url=url)
