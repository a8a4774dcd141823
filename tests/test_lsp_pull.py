"""`odyc lsp` for an editor that pulls diagnostics and prefers UTF-8 positions; and, for every
scene in examples/ and every example of the diagnostics catalogue, the server's diagnostics
are `odyc check --format json`'s (same codes, severities, messages and ranges)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types

from odyssey_dsl.diagnostics import CATALOGUE
from tests.lsp_support import CONFIG, RecordingClient, capabilities, doc, initialize, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.ody"))


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient) -> AsyncIterator[RecordingClient]:
    result = await initialize(lsp_client, capabilities(pull=True, encodings=["utf-8", "utf-16"]))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert result.capabilities.diagnostic_provider is not None
    yield lsp_client
    await lsp_client.shutdown_session()


async def pull(client: RecordingClient, uri: str) -> list[types.Diagnostic]:
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


def lsp_position(text: str, line: int, column: int) -> tuple[int, int]:
    """odyc's 1-based line and code-point column (lines end at \\n) as an LSP position in
    UTF-8 (lines end at \\n, \\r\\n or \\r)."""
    offset = sum(len(piece) + 1 for piece in text.split("\n")[: line - 1]) + column - 1
    before = text[:offset]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    start = breaks[-1].end() if breaks else 0
    return len(breaks), len(before[start:].encode("utf-8"))


def expected(text: str, found: dict[str, object]) -> tuple[object, ...]:
    message = str(found["message"])
    if found["help"]:
        message += f"\n{found['help']}"
    return (
        found["code"],
        1 if found["severity"] == "error" else 2,
        message,
        lsp_position(text, int(found["line"]), int(found["column"])),  # type: ignore[call-overload]
        lsp_position(text, int(found["end_line"]), int(found["end_column"])),  # type: ignore[call-overload]
    )


def served(diagnostic: types.Diagnostic) -> tuple[object, ...]:
    return (
        diagnostic.code,
        diagnostic.severity.value if diagnostic.severity else None,
        diagnostic.message,
        (diagnostic.range.start.line, diagnostic.range.start.character),
        (diagnostic.range.end.line, diagnostic.range.end.character),
    )


def odyc_check(files: list[Path], cwd: Path) -> dict[str, list[dict[str, object]]]:
    completed = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "check", "--format", "json", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    by_file: dict[str, list[dict[str, object]]] = {str(f): [] for f in files}
    for found in json.loads(completed.stdout):
        by_file[str(found["file"])].append(found)
    return by_file


async def compare(client: RecordingClient, files: list[Path], cwd: Path) -> int:
    """Assert that the server agrees with `odyc check` on `files`; how many diagnostics."""
    reference = odyc_check(files, cwd)
    mismatches = []
    for file in files:
        text = file.read_bytes().decode("utf-8").removeprefix("\ufeff")
        uri = open_document(client, file, text)
        mine = sorted(served(d) for d in await pull(client, uri))
        theirs = sorted(expected(text, found) for found in reference[str(file)])
        if mine != theirs:
            mismatches.append((file.name, mine, theirs))
    assert mismatches == []
    return sum(len(found) for found in reference.values())


async def test_every_example_gets_the_diagnostics_of_odyc_check(
    client: RecordingClient,
) -> None:
    assert EXAMPLES
    await compare(client, EXAMPLES, ROOT)  # the examples are clean: no diagnostics


async def test_every_catalogue_example_gets_the_diagnostics_of_odyc_check(
    client: RecordingClient, tmp_path: Path
) -> None:
    files = []
    for code, entry in CATALOGUE.items():
        if entry.example:
            file = tmp_path / f"{code}.ody"
            file.write_text(entry.example, encoding="utf-8", newline="")
            files.append(file)
    assert await compare(client, files, tmp_path) >= len(files)


async def test_pull_clients_get_no_pushed_diagnostics_and_utf8_ranges(
    client: RecordingClient, tmp_path: Path
) -> None:
    line = 'at 0s: start "é🦊 {{ wolf }}"'
    uri = open_document(client, tmp_path / "utf8.ody", line + "\r\nat 1s: end\r\n")
    [error] = await pull(client, uri)
    assert error.code == "E302"
    assert error.range.start.character == len(line[: line.index("wolf")].encode("utf-8"))
    assert all(p.uri != uri for p in client.published)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def utf32_client(lsp_client: RecordingClient) -> AsyncIterator[RecordingClient]:
    result = await initialize(lsp_client, capabilities(pull=True, encodings=["utf-32"], rich=False))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf32
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_utf32_positions_count_code_points(
    utf32_client: RecordingClient, tmp_path: Path
) -> None:
    line = 'at 0s: start "e\u0301🦊中 {{ wolf }}"'
    uri = open_document(utf32_client, tmp_path / "utf32.ody", line + "\nat 1s: end\n")
    [error] = await pull(utf32_client, uri)
    assert error.range.start.character == line.index("wolf")


async def test_a_plain_client_gets_no_snippets_and_plain_text_hovers(
    utf32_client: RecordingClient, tmp_path: Path
) -> None:
    uri = open_document(utf32_client, tmp_path / "plain.ody", 'at 0s: start "a"\n\n')
    completion = await utf32_client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=types.Position(line=1, character=0))
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert items and "at" in [item.label for item in items]
    assert all(item.insert_text_format != types.InsertTextFormat.Snippet for item in items)
    hover = await utf32_client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=types.Position(line=0, character=8))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText
