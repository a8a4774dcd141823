"""`odyc lsp`: the language server, wired to pygls.

Invariants:
- stdout carries only LSP messages; logs go to stderr and `window/logMessage`.
- Every analysis runs on one worker thread, off the event loop, so that messages keep being
  read while it runs. A document is analysed at its latest version only: when edits arrive
  during an analysis, its result is dropped (never published) and the latest text is
  analysed next. There is no debounce sleep.
- Diagnostics are pushed for every version analysed (the complete set, with its version,
  versions never going backwards) to clients without pull diagnostics; clients with them
  pull (`textDocument/diagnostic`).
- Requests answer from the analysis of the document's current version; what they derive
  from it is computed once per analysis.
- Positions are converted only at the edge (`edge.Edge`), in the negotiated encoding.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.config import ConfigResolver
from odyssey_dsl.lsp import features
from odyssey_dsl.lsp.analysis import Analysis, analyse, project_settings
from odyssey_dsl.lsp.diagnostics import lsp_diagnostics
from odyssey_dsl.lsp.documents import OpenDocument
from odyssey_dsl.lsp.edge import Edge
from odyssey_dsl.lsp.hints import HintSettings
from odyssey_dsl.lsp.positions import Encoding, Position
from odyssey_dsl.lsp.timeline_request import TIMELINE_METHOD
from odyssey_dsl.semantics.images import ImageLoader

logger = logging.getLogger("odyc.lsp")

T = TypeVar("T")

REQUEST_FAILED = -32803
"""LSP's `RequestFailed`: a valid request the server refuses (a rename it cannot do)."""


class RequestRefused(JsonRpcException):
    """The answer to a valid request the server refuses: an error with `REQUEST_FAILED` and
    the reason as its message."""

    CODE = REQUEST_FAILED


class _RefusalsAreNotFailures(logging.Filter):
    """pygls logs every error answer with a traceback, as a failure of the server's; a
    refusal (`RequestRefused`) is an answer like any other, so it is not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, RequestRefused)


CONFIG_FILES = ("odyc.toml", "pyproject.toml")
SETTINGS_SECTION = "ody"


class OdyProtocol(LanguageServerProtocol):
    """pygls's protocol, but the documents' text is kept by the server (`documents.py`, with
    LSP's line breaks) instead of pygls's workspace (which also breaks lines at `\\f` and
    U+2028): the notifications go straight to the server's handlers."""

    def _to_handler(self, method: str, params: object) -> Iterator[Any]:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Iterator[Any]:
        yield from self._to_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Iterator[Any]:
        yield from self._to_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Iterator[Any]:
        yield from self._to_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)


class OdyServer(LanguageServer):
    """The Ody language server's state: open documents, settings, the analysis worker."""

    def __init__(self) -> None:
        super().__init__(
            "odyc",
            __version__,
            types.TextDocumentSyncKind.Incremental,
            protocol_cls=OdyProtocol,
        )
        self.documents: dict[str, OpenDocument] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="odyc-analysis")
        self.resolver = ConfigResolver()
        self.generation = 0
        self.images = ImageLoader()
        self.hint_settings = HintSettings()
        self.encoding: Encoding = "utf-16"
        self.push_diagnostics = True

    # --- the client ---------------------------------------------------------------------

    def capability(self, path: str) -> bool:
        """Whether the client's capabilities have `path` (dotted attribute names) set."""
        value: Any = self.client_capabilities
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                return False
        return bool(value)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        logger.info(message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # --- analysis -----------------------------------------------------------------------

    def schedule(self, document: OpenDocument) -> None:
        """Make sure the document's current version gets analysed."""
        if document.worker is None or document.worker.done():
            document.worker = asyncio.get_running_loop().create_task(self._keep_current(document))

    def key(self, document: OpenDocument) -> tuple[int | None, int]:
        return document.version, self.generation

    async def _keep_current(self, document: OpenDocument) -> None:
        """Analyse the document until an analysis of its current version is stored."""
        while not document.closed:
            key = self.key(document)
            if key in (document.analysed, document.failed):
                return
            try:
                analysis = await self._analyse(document)
                if document.closed or self.key(document) != key:
                    continue  # stale: a newer version (or configuration) arrived meanwhile
                document.analysis, document.analysed = analysis, key
                self._log_settings(document, analysis)
                if self.push_diagnostics:
                    self._publish(document, analysis)
            except Exception as error:  # a bug of the server's: logged, never a crash
                logger.exception("analysis failed")
                self.log(f"odyc: internal error: {error!r}", types.MessageType.Error)
                document.failed = key
            document.notify_ready()

    async def _analyse(self, document: OpenDocument) -> Analysis:
        project = project_settings(self.resolver, document.path)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.worker, analyse, document.snapshot(), project, self.images
        )

    def _log_settings(self, document: OpenDocument, analysis: Analysis) -> None:
        described = analysis.project.describe()
        if described != document.settings_logged:
            document.settings_logged = described
            kind = types.MessageType.Warning if analysis.project.problem else types.MessageType.Info
            self.log(f"{document.uri}: {described}", kind)

    def _publish(self, document: OpenDocument, analysis: Analysis) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                diagnostics=lsp_diagnostics(Edge(analysis, self.encoding)),
                version=analysis.version,
            )
        )

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the document's current version (None: not open, or it failed)."""
        document = self.documents.get(uri)
        while document is not None and not document.closed:
            key = self.key(document)
            if document.analysed == key and document.analysis is not None:
                return document.analysis
            if document.failed == key:
                return None
            self.schedule(document)
            await document.ready.wait()
        return None

    async def answer(self, uri: str, feature: Callable[..., T], *args: object, default: T) -> T:
        """`feature(edge, *args)` on the worker thread, for the current analysis of `uri`."""
        analysis = await self.current(uri)
        if analysis is None:
            return default
        edge = Edge(analysis, self.encoding)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, functools.partial(feature, edge, *args))

    def reload_configuration(self, reason: str) -> None:
        self.resolver = ConfigResolver()
        self.generation += 1
        self.log(f"configuration reloaded ({reason})")
        for document in self.documents.values():
            document.settings_logged = None
            self.schedule(document)
        if not self.push_diagnostics and self.capability("workspace.diagnostics.refresh_support"):
            self.workspace_diagnostic_refresh(None)


server = OdyServer()


def _position(position: types.Position) -> Position:
    return Position(position.line, position.character)


# --- lifecycle ---------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
def initialize(ls: OdyServer, params: types.InitializeParams) -> None:
    ls.encoding = _encoding(ls.workspace.position_encoding)
    ls.hint_settings = HintSettings.read(params.initialization_options)
    ls.push_diagnostics = params.capabilities.text_document is None or (
        params.capabilities.text_document.diagnostic is None
    )
    logger.info("position encoding %s; push diagnostics: %s", ls.encoding, ls.push_diagnostics)


def _encoding(negotiated: object) -> Encoding:
    value = getattr(negotiated, "value", negotiated)
    if value == "utf-8":
        return "utf-8"
    return "utf-32" if value == "utf-32" else "utf-16"


@server.feature(types.INITIALIZED)
async def initialized(ls: OdyServer, params: types.InitializedParams) -> None:
    if ls.capability("workspace.did_change_watched_files.dynamic_registration"):
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="odyc-configuration-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            )
        )


# --- documents ---------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: OdyServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    previous = ls.documents.pop(item.uri, None)
    if previous is not None:
        previous.closed = True
        previous.notify_ready()
    path = Path(to_fs_path(item.uri) or "") if item.uri.startswith("file:") else None
    document = OpenDocument(item.uri, path, item.text, item.version)
    ls.documents[item.uri] = document
    ls.schedule(document)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: OdyServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return
    changes: list[tuple[Position | None, Position | None, str]] = []
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start, end = _position(change.range.start), _position(change.range.end)
            changes.append((start, end, change.text))
        else:
            changes.append((None, None, change.text))
    document.change(params.text_document.version, changes, ls.encoding)
    ls.schedule(document)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: OdyServer, params: types.DidCloseTextDocumentParams) -> None:
    document = ls.documents.pop(params.text_document.uri, None)
    if document is None:
        return
    document.closed = True
    document.notify_ready()
    if ls.push_diagnostics:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, diagnostics=[])
        )


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: OdyServer, params: types.DidChangeWatchedFilesParams) -> None:
    changed = [
        change.uri for change in params.changes if change.uri.rsplit("/", 1)[-1] in CONFIG_FILES
    ]
    if changed:
        ls.reload_configuration(", ".join(changed) + " changed")


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: OdyServer, params: types.DidChangeConfigurationParams
) -> None:
    settings = params.settings
    section = settings.get(SETTINGS_SECTION) if isinstance(settings, dict) else None
    if section is None and ls.capability("workspace.configuration"):
        answer = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SETTINGS_SECTION)])
        )
        section = answer[0] if answer else None  # null means the defaults
    ls.hint_settings = HintSettings.read(section)
    ls.log(f"inlay hints: {ls.hint_settings}")
    if ls.capability("workspace.inlay_hint.refresh_support"):
        await ls.workspace_inlay_hint_refresh_async(None)


# --- features ----------------------------------------------------------------------------


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier="odyc", inter_file_dependencies=False, workspace_diagnostics=False
    ),
)
async def diagnostic(
    ls: OdyServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    no_items: list[types.Diagnostic] = []
    items = await ls.answer(params.text_document.uri, features.lsp_diagnostics, default=no_items)
    return types.RelatedFullDocumentDiagnosticReport(items=items)


@server.feature(TIMELINE_METHOD)
async def timeline(ls: OdyServer, params: Any) -> dict[str, Any] | None:
    uri = _uri_of(params)
    if uri is None or uri not in ls.documents:
        return None
    return await ls.answer(uri, features.timeline_result, default=None)


def _uri_of(params: Any) -> str | None:
    document = params.get("textDocument") if isinstance(params, dict) else None
    if document is None:
        document = getattr(params, "text_document", None) or getattr(params, "textDocument", None)
    uri = document.get("uri") if isinstance(document, dict) else getattr(document, "uri", None)
    return uri if isinstance(uri, str) else None


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
async def inlay_hint(ls: OdyServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    return await ls.answer(
        params.text_document.uri,
        features.inlay_hints,
        params.range,
        ls.hint_settings,
        default=[],
    )


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: OdyServer, params: types.HoverParams) -> types.Hover | None:
    markdown = types.MarkupKind.Markdown in (
        get_capability(ls.client_capabilities, "text_document.hover.content_format", None) or ()
    )
    return await ls.answer(
        params.text_document.uri, features.hover, params.position, markdown, default=None
    )


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: OdyServer, params: types.DefinitionParams) -> list[types.Location] | None:
    return await ls.answer(
        params.text_document.uri, features.definition, params.position, default=None
    )


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
async def references(ls: OdyServer, params: types.ReferenceParams) -> list[types.Location] | None:
    return await ls.answer(
        params.text_document.uri,
        features.references,
        params.position,
        params.context.include_declaration,
        default=None,
    )


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
async def prepare_rename(
    ls: OdyServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    try:
        return await ls.answer(
            params.text_document.uri, features.prepare_rename, params.position, default=None
        )
    except features.RenameRefused as refused:
        raise RequestRefused(str(refused)) from None


@server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
async def rename(ls: OdyServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    try:
        return await ls.answer(
            params.text_document.uri,
            features.rename_edits,
            params.position,
            params.new_name,
            default=None,
        )
    except features.RenameRefused as refused:
        raise RequestRefused(str(refused)) from None


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbol(
    ls: OdyServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    return await ls.answer(params.text_document.uri, features.document_symbols, default=[])


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
async def folding_range(
    ls: OdyServer, params: types.FoldingRangeParams
) -> list[types.FoldingRange]:
    return await ls.answer(params.text_document.uri, features.folding_ranges, default=[])


@server.feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
async def selection_range(
    ls: OdyServer, params: types.SelectionRangeParams
) -> list[types.SelectionRange]:
    return await ls.answer(
        params.text_document.uri, features.selection_ranges, params.positions, default=[]
    )


@server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
async def code_lens(ls: OdyServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    return await ls.answer(params.text_document.uri, features.code_lenses, default=[])


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[".", "|", '"', "/"]),
)
async def completion(ls: OdyServer, params: types.CompletionParams) -> list[types.CompletionItem]:
    return await ls.answer(
        params.text_document.uri,
        features.completions,
        params.position,
        ls.capability("text_document.completion.completion_item.snippet_support"),
        default=[],
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
    ),
)
async def code_action(ls: OdyServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return await ls.answer(params.text_document.uri, features.code_actions, params, default=[])


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
async def formatting(ls: OdyServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    return await ls.answer(params.text_document.uri, features.format_document, default=[])


@server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
async def range_formatting(
    ls: OdyServer, params: types.DocumentRangeFormattingParams
) -> list[types.TextEdit]:
    return await ls.answer(
        params.text_document.uri, features.format_range, params.range, default=[]
    )


def serve() -> int:
    """Run the server over stdin/stdout until the client says `exit`."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="odyc lsp: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_RefusalsAreNotFailures())
    server.start_io()
    return 0
