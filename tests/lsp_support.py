"""Driving `odyc lsp` over stdio with pytest-lsp's client, as an editor does.

`server_config(capabilities)` starts `python -m odyssey_dsl lsp` as a subprocess; the client
records every `publishDiagnostics` (in `client.published`), every inlay hint refresh and
accepts dynamic registrations. Helpers open and change documents and wait for what the
server publishes.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "odyssey_dsl", "lsp"]
TIMEOUT = 30.0


class RecordingClient(LanguageClient):
    """pytest-lsp's client, keeping every publish and counting hint refreshes."""

    published: list[types.PublishDiagnosticsParams]
    hint_refreshes: int
    registrations: list[types.Registration]


def _publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _hint_refresh(client: RecordingClient, params: None) -> None:
    client.hint_refreshes += 1


def _register(client: RecordingClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    client.published = []
    client.hint_refreshes = 0
    client.registrations = []
    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
            types.WORKSPACE_INLAY_HINT_REFRESH: _hint_refresh,
            types.CLIENT_REGISTER_CAPABILITY: _register,
        },
    )
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


def capabilities(
    *, pull: bool = False, encodings: list[str] | None = None, rich: bool = True
) -> types.ClientCapabilities:
    """An editor's capabilities: push or pull diagnostics, the position encodings offered;
    `rich=False`: no snippets, plain-text hovers."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
            if encodings
            else None
        ),
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True, code_description_support=True
            ),
            rename=types.RenameClientCapabilities(prepare_support=True),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown if rich else types.MarkupKind.PlainText]
            ),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(snippet_support=rich)
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(
                hierarchical_document_symbol_support=True
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        ),
    )


async def initialize(
    client: LanguageClient, caps: types.ClientCapabilities, options: Any = None
) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(capabilities=caps, initialization_options=options)
    )


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="ody", version=version, text=text
            )
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """A change without a range: the whole text."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def published(
    client: RecordingClient, uri: str, version: int | None = None
) -> types.PublishDiagnosticsParams:
    """The first publish for `uri` (with `version`, when given) once it arrives."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:
        for params in client.published:
            if params.uri == uri and (version is None or params.version == version):
                return params
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} version {version}")


def plain(value: Any) -> Any:
    """A custom request's result (pygls's named tuples) as JSON values."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)
