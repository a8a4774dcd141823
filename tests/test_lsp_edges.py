"""`odyc lsp` end to end at the edges: what an editor may send that is odd, early or late —
refused requests, closed and unknown documents, malformed settings, line breaks the compiler
reads differently — answered without a crash, a traceback or a wrong range."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp_support import (
    CONFIG,
    RecordingClient,
    capabilities,
    doc,
    initialize,
    open_document,
    pos,
    published,
)

pytestmark = pytest.mark.asyncio(loop_scope="function")

NAMES = 'let who = "fox"\nat 0s: start "A {{ who }}"\nat 1s: end\n'


async def started(tmp_path: Path) -> tuple[RecordingClient, str]:
    client = await CONFIG.start()
    assert isinstance(client, RecordingClient)
    await initialize(client, capabilities())
    uri = open_document(client, tmp_path / "names.ody", NAMES)
    await published(client, uri, 1)
    return client, uri


async def test_a_refused_rename_is_an_error_answer_and_no_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    client, uri = await started(tmp_path)
    for new_name in ("repeat", "2fast"):
        with pytest.raises(Exception, match=r"keyword|not a valid name") as refused:
            await client.text_document_rename_async(
                types.RenameParams(text_document=doc(uri), position=pos(0, 5), new_name=new_name)
            )
        assert getattr(refused.value, "code", None) == -32803
    await client.shutdown_session()
    await asyncio.sleep(0.5)  # the server's standard error reaches this process
    errors = capfd.readouterr().err
    assert "Traceback" not in errors and "Exception occurred" not in errors
