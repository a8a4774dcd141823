"""Latency of the language server, end to end over stdio, in a warm server.

    python bench/bench_lsp.py            # 3 rounds of the 8 edits per shape
    python bench/bench_lsp.py --quick    # 1 round

For each shape of `bench/scenes.py`, a 2,000-line scene is opened in `odyc lsp` (started as
a subprocess, spoken to in JSON-RPC over its stdin/stdout as an editor does: push
diagnostics, UTF-16 positions). Then each one-line edit of `scenes.EDITS` in turn is sent as
an incremental `didChange`, and timed:

1. didChange → the `publishDiagnostics` of that version (target <= 50 ms, aim 30 ms);
2. right after it, `textDocument/inlayHint` over the whole document and over one screen
   (60 lines), and `textDocument/hover` on a timed line (target <= 50 ms each): the first
   requests on the new version, so their answers are computed, not cached;
3. the floor: the compiler alone on the same text in this process (`expand_timeline`,
   warm), and the ratio of 1. to it: what the server's own layer adds.

Median and max over the edits. Nothing is timed before it is proven right: every published
set of diagnostics must be the one `compile_source` gives that version's text.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scenes import EDITS, edited_versions, scene_of_about  # noqa: E402
from odyssey_dsl import compile_source, expand_timeline  # noqa: E402

SHAPES = ("explicit", "batch", "loops")
TARGET_MS = 50.0


class Server:
    """`odyc lsp` in a subprocess, and a thread reading what it sends."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "odyssey_dsl", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)["result"]

    def wait(self, matches: Any) -> dict[str, Any]:
        while True:
            message = self.messages.get(timeout=60)
            if "method" in message and "id" in message:  # a request of the server's
                self.send({"id": message["id"], "result": None})
            if matches(message):
                return message

    def published(self, uri: str, version: int) -> dict[str, Any]:
        return self.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )
        )["params"]

    def close(self) -> None:
        self.request("shutdown", None)
        self.send({"method": "exit"})
        self.process.wait(timeout=30)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def expected_diagnostics(text: str, path: Path) -> list[tuple[str, int, str]]:
    result = compile_source(text, filename=str(path), emit_job=False)
    return sorted((d.code.code, d.span.line - 1, d.message) for d in result.diagnostics)


def served(params: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted(
        (d["code"], d["range"]["start"]["line"], d["message"].split("\n")[0])
        for d in params["diagnostics"]
    )


def changed_line(before: list[str], after: list[str]) -> int:
    return next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)


def measure_shape(server: Server, shape: str, rounds: int) -> dict[str, list[float]]:
    base = scene_of_about(shape, 2000)
    text = "\n".join(base.lines) + "\n"
    path = ROOT / "bench" / f"lsp_{shape}.ody"  # never written: the server uses the text
    uri = path.as_uri()
    server.send(
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "ody", "version": 1, "text": text}
            },
        }
    )
    server.published(uri, 1)
    names = ("diagnostics", "compiler", "hints", "screen", "hover")
    timings: dict[str, list[float]] = {k: [] for k in names}
    version = 1
    lines = text.split("\n")
    for round_number in range(rounds + 1):  # the first round warms the server up
        if lines != text.split("\n"):  # back to the base scene, untimed
            version += 1
            lines = text.split("\n")
            server.send(
                {
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": text}],
                    },
                }
            )
            server.published(uri, version)
        for _description, new_text in edited_versions(base):
            new_lines = new_text.split("\n")
            if new_lines == lines:
                continue
            at = changed_line(lines, new_lines)
            version += 1
            change = {
                "range": {
                    "start": {"line": at, "character": 0},
                    "end": {"line": at, "character": utf16(lines[at])},
                },
                "text": new_lines[at],
            }
            started = time.perf_counter()
            server.send(
                {
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [change],
                    },
                }
            )
            params = server.published(uri, version)
            took = time.perf_counter() - started
            if served(params) != expected_diagnostics(new_text, path):
                raise SystemExit(
                    f"{shape}: wrong diagnostics for version {version}: "
                    f"{served(params)} != {expected_diagnostics(new_text, path)}"
                )
            lines = new_lines
            document = {"uri": uri}
            whole = {
                "start": {"line": 0, "character": 0},
                "end": {"line": len(lines), "character": 0},
            }
            screen = {
                "start": {"line": at, "character": 0},
                "end": {"line": at + 60, "character": 0},
            }
            timed = {}
            for name, method, request in (
                ("hints", "textDocument/inlayHint", {"textDocument": document, "range": whole}),
                ("screen", "textDocument/inlayHint", {"textDocument": document, "range": screen}),
                (
                    "hover",
                    "textDocument/hover",
                    {"textDocument": document, "position": {"line": at, "character": 1}},
                ),
            ):
                begin = time.perf_counter()
                server.request(method, request)
                timed[name] = time.perf_counter() - begin
            begin = time.perf_counter()
            expand_timeline(new_text, filename=str(path))
            timed["compiler"] = time.perf_counter() - begin
            if round_number:
                timings["diagnostics"].append(took * 1000)
                for name, seconds in timed.items():
                    timings[name].append(seconds * 1000)
    server.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of edits per shape")
    args = parser.parse_args()
    server = Server()
    server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    server.send({"method": "initialized", "params": {}})
    print(f"odyc lsp, 2,000-line scenes, {len(EDITS)} one-line edits each; median (max) in ms")
    print(f"{'figure':<34}" + "".join(f"{shape:>18}" for shape in SHAPES) + f"{'target':>10}")
    results = {shape: measure_shape(server, shape, 1 if args.quick else 3) for shape in SHAPES}
    server.close()
    for name, label in (
        ("diagnostics", "didChange → publishDiagnostics"),
        ("compiler", "the compiler alone, in-process"),
        ("hints", "inlay hints, whole document"),
        ("screen", "inlay hints, 60 lines"),
        ("hover", "hover"),
    ):
        row = ""
        for shape in SHAPES:
            values = results[shape][name]
            row += f"{statistics.median(values):>10.1f} ({max(values):>5.1f})"
        target = "" if name == "compiler" else "≤ 50"
        print(f"{label:<34}{row}{target:>10}")
    row = ""
    for shape in SHAPES:
        ratio = statistics.median(results[shape]["diagnostics"]) / statistics.median(
            results[shape]["compiler"]
        )
        row += f"{ratio:>17.2f}×"
    print(f"{'server / compiler (medians)':<34}{row}")
    worst = max(statistics.median(results[s]["diagnostics"]) for s in SHAPES)
    print(
        f"worst median didChange → diagnostics: {worst:.1f} ms = {worst / TARGET_MS:.2f}× the target"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
