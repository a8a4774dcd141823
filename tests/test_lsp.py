"""`odyc lsp` end to end: one server over stdio for the module, driven by pytest-lsp's client
as an editor that takes pushed diagnostics and UTF-16 positions (the defaults)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types

from tests.lsp_support import (
    CONFIG,
    RecordingClient,
    capabilities,
    doc,
    initialize,
    open_document,
    plain,
    pos,
    published,
    replace_text,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient) -> AsyncIterator[RecordingClient]:
    result = await initialize(lsp_client, capabilities(), {"inlayHints": {"streamDurations": True}})
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    yield lsp_client
    await lsp_client.shutdown_session()


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- diagnostics ---------------------------------------------------------------------------

BROKEN = """\
let subject = "fox"
at 0s: start "A {{ subject }} in the snow"
at 1s: strat "a misspelt keyword"
at 3s repeat 2 every 2s:
    interact "Step {{ loop.index }}"
after 1s: end
"""


async def test_a_broken_document_gets_its_diagnostics_and_the_rest_still_works(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "broken.ody", BROKEN)
    params = await published(client, uri, 1)
    [error] = [d for d in params.diagnostics if d.code == "E105"]
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.range == types.Range(start=pos(2, 7), end=pos(2, 12))
    assert error.message == "unknown keyword `strat`\ndid you mean `start`?"
    assert error.code_description is not None
    assert error.code_description.href.endswith("docs/diagnostics.md#e105")
    # the other lines still get hover, symbols and hints
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=pos(5, 1))
    )
    assert hover is not None and "**end** at 6s" in hover.contents.value  # type: ignore[union-attr]
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri))
    )
    assert symbols and any(s.name == "subject" for s in symbols)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc(uri), range=types.Range(start=pos(0, 0), end=pos(6, 0))
        )
    )
    assert hints and "×2: 3s … 5s" in [h.label for h in hints]


async def test_ranges_after_emoji_are_in_utf16_units(client: RecordingClient, folder: Path) -> None:
    line = 'at 0s: start "🦊🦊 and {{ wolf }}"'
    uri = open_document(client, folder / "emoji.ody", line + "\nat 1s: end\n")
    params = await published(client, uri, 1)
    [error] = [d for d in params.diagnostics if d.code == "E302"]
    start = line.index("wolf")
    assert error.range.start == pos(0, utf16(line[:start]))
    assert error.range.start.character == start + 2  # two characters beyond the BMP
    assert error.range.end == pos(0, utf16(line[:start]) + 4)


async def test_incremental_changes_are_applied_in_utf16_units(
    client: RecordingClient, folder: Path
) -> None:
    text = 'at 0s: start "🦊 fox"\nat 1s: end\n'
    uri = open_document(client, folder / "incremental.ody", text)
    await published(client, uri, 1)
    # replace "fox" (after the emoji: character 16 in UTF-16) by "{{ wolf }}"
    start = utf16('at 0s: start "🦊 ')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=pos(0, start), end=pos(0, start + 3)),
                    text="{{ wolf }}",
                )
            ],
        )
    )
    params = await published(client, uri, 2)
    [error] = params.diagnostics
    assert error.code == "E302"
    assert error.range.start == pos(0, start + 3)


async def test_rapid_edits_publish_only_current_versions_in_order(
    client: RecordingClient, folder: Path
) -> None:
    """Each version misspells a keyword on its own line: a publish shows which version its
    diagnostics were computed from, and that must be the version it carries."""
    lines = [f'at {i}s: interact "step {i}"' for i in range(1, 40)]

    def version_text(version: int) -> str:
        body = list(lines)
        body[version] = body[version].replace("interact", "intreact")
        return 'at 0s: start "a"\n' + "\n".join(body) + "\nat 50s: end\n"

    uri = open_document(client, folder / "rapid.ody", version_text(1))
    for version in range(2, 31):
        replace_text(client, uri, version_text(version), version)
    await published(client, uri, 30)
    mine = [p for p in client.published if p.uri == uri]
    versions = [p.version for p in mine]
    assert versions == sorted(set(versions)), versions  # never backwards, never twice
    for params in mine:
        [error] = params.diagnostics
        assert error.code == "E105"
        assert error.range.start.line == params.version + 1  # the version's own misspelling


async def test_close_clears_the_diagnostics(client: RecordingClient, folder: Path) -> None:
    uri = open_document(client, folder / "closing.ody", 'at 0s: strat "a"\n')
    await published(client, uri, 1)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc(uri)))
    for _ in range(3000):
        if client.published[-1].uri == uri and not client.published[-1].diagnostics:
            break
        await asyncio.sleep(0.01)
    assert client.published[-1].uri == uri and not client.published[-1].diagnostics
    timeline = await client.protocol.send_request_async(
        "ody/timeline", {"textDocument": {"uri": uri}}
    )
    assert timeline is None


async def test_related_information_points_at_the_line_the_message_names(
    client: RecordingClient, folder: Path
) -> None:
    text = 'at 0s: start "a"\nat 1s: interact "b"\n'
    uri = open_document(client, folder / "unended.ody", text)
    params = await published(client, uri, 1)
    [unended] = [d for d in params.diagnostics if d.code == "E505"]
    assert unended.related_information
    lines = {info.location.range.start.line for info in unended.related_information}
    assert 1 in lines


# --- ody/timeline (docs/lsp.md's example, exactly) ----------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "lsp.md"


def docs_example() -> tuple[str, dict[str, Any]]:
    """The scene and the `ody/timeline` result of the example in docs/lsp.md."""
    example = DOCS.read_text(encoding="utf-8").split("**Example.**", 1)[1]
    scene = re.search(r"```\n(.*?)```", example, re.S)
    result = re.search(r"```json\n(.*?)```", example, re.S)
    assert scene is not None and result is not None
    return scene.group(1), json.loads(result.group(1))


async def test_the_timeline_request_answers_as_docs_lsp_md_says(client: RecordingClient) -> None:
    scene, expected = docs_example()
    assert expected["scripts"][0]["entries"]  # the example is not empty
    uri = str(expected["uri"])
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="ody", version=int(expected["version"]), text=scene
            )
        )
    )
    result = await client.protocol.send_request_async(
        "ody/timeline", {"textDocument": {"uri": uri}}
    )
    assert plain(result) == expected


# --- inlay hints and configuration ---------------------------------------------------------

HINTED = """\
at 0s: start "a"
after 2s500ms: interact "b"
after 500ms repeat 4 every 2s:
    interact "c {{ loop.index }}"
after 1s: end
"""


async def _hints(client: RecordingClient, uri: str) -> list[tuple[int, str]]:
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc(uri), range=types.Range(start=pos(0, 0), end=pos(5, 0))
        )
    )
    assert hints is not None
    return [(h.position.line, str(h.label)) for h in hints]


async def test_inlay_hints_show_times_and_follow_the_settings(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "hints.ody", HINTED)
    assert await _hints(client, uri) == [
        (1, "= 2s500ms"),
        (2, "= 3s"),
        (2, "×4: 3s … 9s"),
        (3, "3s … 9s"),
        (4, "= 10s"),
        (4, "stream: 10s"),
    ]
    refreshes = client.hint_refreshes
    off = {
        "resolvedTimes": False,
        "loopIterations": False,
        "loopBodyTimes": True,
        "streamDurations": True,
    }
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"ody": {"inlayHints": off}})
    )
    for _ in range(3000):
        if client.hint_refreshes > refreshes:
            break
        await asyncio.sleep(0.01)
    assert client.hint_refreshes == refreshes + 1
    assert await _hints(client, uri) == [(3, "3s … 9s"), (4, "stream: 10s")]
    # a client that sends no settings is asked for them; a null answer means the defaults
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(3000):
        if client.hint_refreshes > refreshes + 1:
            break
        await asyncio.sleep(0.01)
    assert len(await _hints(client, uri)) == 6


# --- hover ---------------------------------------------------------------------------------


async def _hover(client: RecordingClient, uri: str, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=pos(line, character))
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_hover_shows_times_loops_variables_keywords_and_codes(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "hover.ody", BROKEN)
    await published(client, uri, 1)
    on_after = await _hover(client, uri, 5, 1)
    assert "**end** at 6s" in on_after and "stream 1" in on_after
    on_start = await _hover(client, uri, 1, 9)
    assert "prompt: “A fox in the snow”" in on_start  # rendered
    on_loop = await _hover(client, uri, 3, 8)
    assert "**loop** of 2 iterations, every 2s" in on_loop and "first 3s, last 5s" in on_loop
    on_use = await _hover(client, uri, 1, BROKEN.splitlines()[1].index("subject") + 2)
    assert '`subject` = `"fox"`' in on_use and "line 1" in on_use
    on_error = await _hover(client, uri, 2, 9)
    assert "**E105** `unknown-keyword`" in on_error
    assert "`repeat COUNT every DURATION:`" in await _hover(client, uri, 3, 7)


# --- navigation ----------------------------------------------------------------------------

NAMES = """\
let who = "fox"
let pace = 2s
at 0s: start "The {{ who }} waits"
for step in ["one", "two"] every pace:
    interact "{{ who }} takes step {{ step }} of {{ loop.length }}"
after 1s: end
"""


async def test_definition_and_references_include_uses_inside_templates(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "names.ody", NAMES)
    use = NAMES.splitlines()[4].index("who")
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(uri), position=pos(4, use + 1))
    )
    assert isinstance(found, list)
    assert [(loc.range.start.line, loc.range.start.character) for loc in found] == [(0, 4)]
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(uri),
            position=pos(0, 5),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert [(r.range.start.line, r.range.start.character) for r in refs] == [
        (0, 4),
        (2, NAMES.splitlines()[2].index("who")),
        (4, use),
    ]


async def test_rename_inside_templates_and_its_refusals(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "rename.ody", NAMES)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=pos(2, 22))
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "who"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=pos(0, 5), new_name="animal")
    )
    assert edit is not None and edit.changes is not None
    renamed = _apply(NAMES, edit.changes[uri])
    assert renamed.count("animal") == 3 and "who" not in renamed
    for position, name, reason in [
        (pos(0, 5), "repeat", "keyword"),
        (pos(0, 5), "2fast", "not a valid name"),
        (pos(0, 5), "step", "collide"),  # the loop's `step` would capture the template's use
        (pos(0, 5), "pace", "collide"),
    ]:
        with pytest.raises(Exception, match=reason):
            await client.text_document_rename_async(
                types.RenameParams(text_document=doc(uri), position=position, new_name=name)
            )
    with pytest.raises(Exception, match="not a `let` or `for`"):
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=doc(uri), position=pos(4, NAMES.splitlines()[4].index("loop") + 1)
            )
        )


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(p: types.Position) -> int:
        return offsets[p.line] + p.character  # ASCII text: characters are code points

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


# --- outline -------------------------------------------------------------------------------

BATCH = '''\
# a batch of two scripts
# with a comment of two lines
script "first":
    at 0s: start """A long
        prompt"""
    repeat 2 every 1s:
        interact "x {{ loop.index }}"
    after 1s: end
script "second":
    at 0s: start "b"
    at 2s500ms: end
'''


async def test_symbols_folding_selection_and_code_lens(
    client: RecordingClient, folder: Path
) -> None:
    uri = open_document(client, folder / "batch.ody", BATCH)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri))
    )
    assert symbols is not None
    assert [s.name for s in symbols] == ["first", "second"]
    first = symbols[0]
    assert isinstance(first, types.DocumentSymbol) and first.children
    assert [c.name for c in first.children] == ["stream 1: A long prompt", "repeat 2 every 1s"]
    assert first.children[0].detail == "0s → 3s"
    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc(uri))
    )
    assert folds is not None
    assert {(f.start_line, f.end_line) for f in folds} == {(0, 1), (2, 7), (3, 4), (5, 6), (8, 10)}
    selections = await client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=doc(uri), positions=[pos(6, 10)])
    )
    assert selections is not None
    chain = []
    current: types.SelectionRange | None = selections[0]
    while current is not None:
        chain.append((current.range.start.line, current.range.end.line))
        current = current.parent
    assert chain == [(6, 6), (6, 6), (5, 6), (2, 7), (0, 11)]
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc(uri))
    )
    assert lenses is not None
    assert [(lens.range.start.line, lens.command.title) for lens in lenses if lens.command] == [
        (2, "3s · 4 entries · 1 stream"),
        (8, "2s500ms · 2 entries · 1 stream"),
    ]


# --- completion ----------------------------------------------------------------------------


async def _complete(client: RecordingClient, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=pos(line, character))
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return [item.label for item in items]


async def test_completion_of_keywords_templates_and_image_paths(
    client: RecordingClient, folder: Path
) -> None:
    images = folder / "pictures"
    images.mkdir()
    (images / "meadow.png").write_bytes(b"")
    (images / "notes.txt").write_text("")
    text = (
        'let who = "fox"\n'
        'at 0s: start "{{ w" with image "pictures/"\n'
        "repeat 2 every 1s:\n"
        '    interact "{{ loop."\n'
        '    interact "{{ who | "\n'
        "\n"
    )
    uri = open_document(client, folder / "complete.ody", text)
    assert {"at", "after", "repeat", 'script "…":'} <= set(await _complete(client, uri, 5, 0))
    in_template = await _complete(client, uri, 1, 17)
    assert "who" in in_template and "loop" not in in_template
    assert "index" in await _complete(client, uri, 3, 22)
    assert "upper" in await _complete(client, uri, 4, 23)
    assert await _complete(client, uri, 1, len('at 0s: start "{{ w" with image "pictures/')) == [
        "meadow.png"
    ]


# --- code actions --------------------------------------------------------------------------


async def _actions(
    client: RecordingClient, uri: str, line: int, diagnostics: list[types.Diagnostic]
) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc(uri),
            range=types.Range(start=pos(line, 0), end=pos(line, 0)),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


async def test_quick_fixes_keyed_on_codes(client: RecordingClient, folder: Path) -> None:
    text = 'at 0: start "a"\nat 1s: strat "b"\nat 2s: interact "b"\n'
    uri = open_document(client, folder / "fixes.ody", text)
    params = await published(client, uri, 1)
    by_code = {d.code: d for d in params.diagnostics}
    titles = {}
    for code in ("E107", "E105"):
        diagnostic = by_code[code]
        [action] = [
            a
            for a in await _actions(client, uri, diagnostic.range.start.line, [diagnostic])
            if a.kind == types.CodeActionKind.QuickFix
        ]
        assert action.edit is not None and action.edit.changes is not None
        titles[code] = [e.new_text for e in action.edit.changes[uri]]
    assert titles == {"E107": ["0s"], "E105": ["start"]}


async def test_missing_end_suppression_and_after_at_conversion(
    client: RecordingClient, folder: Path
) -> None:
    text = 'at 0s: start "a"\nafter 2s: interact "b"\nat 2s50ms: interact "b"\n'
    uri = open_document(client, folder / "more_fixes.ody", text)
    params = await published(client, uri, 1)
    by_code = {d.code: d for d in params.diagnostics}
    [add_end] = [
        a
        for a in await _actions(client, uri, 0, [by_code["E505"]])
        if a.kind == types.CodeActionKind.QuickFix
    ]
    assert add_end.edit is not None and add_end.edit.changes is not None
    fixed = _apply(text, add_end.edit.changes[uri])
    warning = by_code["W103"]
    ignore = [
        a
        for a in await _actions(client, uri, warning.range.start.line, [warning])
        if a.title.startswith("Ignore")
    ]
    assert ignore and ignore[0].edit is not None and ignore[0].edit.changes is not None
    assert "# odyc: ignore[W103]" in _apply(text, ignore[0].edit.changes[uri])
    converted = {}
    for line in (1, 2):
        [action] = [
            a
            for a in await _actions(client, uri, line, [])
            if a.kind == types.CodeActionKind.RefactorRewrite
        ]
        assert action.edit is not None and action.edit.changes is not None
        converted[line] = _apply(text, action.edit.changes[uri]).splitlines()[line]
    assert converted == {1: 'at 2s: interact "b"', 2: 'after 50ms: interact "b"'}
    # the fixed scene compiles, with the same times
    check = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "check", "--format", "json", "-"],
        input=fixed,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not [d for d in json.loads(check.stdout) if d["severity"] == "error"]


# --- formatting ----------------------------------------------------------------------------


async def test_formatting_a_document_and_refusing_a_broken_one(
    client: RecordingClient, folder: Path
) -> None:
    messy = 'at   0s:start "a"\nat 1s:    end\n'
    uri = open_document(client, folder / "messy.ody", messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc(uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits
    from odyssey_dsl import format_source

    assert _apply(messy, edits) == format_source(messy)
    ranged = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=doc(uri),
            range=types.Range(start=pos(1, 0), end=pos(1, 3)),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert ranged and _apply(messy, ranged) == 'at   0s:start "a"\nat 1s: end\n'
    broken = open_document(client, folder / "unformattable.ody", 'at 0s: strat "a"\n')
    refused = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc(broken),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert not refused


# --- configuration -------------------------------------------------------------------------


async def test_the_project_configuration_is_found_logged_and_reloaded(
    client: RecordingClient, folder: Path
) -> None:
    project = folder / "project"
    (project / "scenes").mkdir(parents=True)
    config = project / "odyc.toml"
    config.write_text('ignore = ["W103"]\n')
    text = 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"\nat 3s: end\n'
    uri = open_document(client, project / "scenes" / "repeated.ody", text)
    first = await published(client, uri, 1)
    assert not first.diagnostics
    assert any(str(config) in m.message for m in client.log_messages)
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)
    config.write_text("ignore = []\n")
    count = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    for _ in range(3000):
        if len(client.published) > count and client.published[-1].uri == uri:
            break
        await asyncio.sleep(0.01)
    latest = client.published[-1]
    assert latest.uri == uri and latest.version == 1
    assert [d.code for d in latest.diagnostics] == ["W103"]


async def test_only_lsp_line_breaks_count_in_positions_and_edits(
    client: RecordingClient, folder: Path
) -> None:
    """U+2028 and form feed inside a prompt are not line breaks for LSP; a CRLF is one."""
    text = 'at 0s: start "a\u2028b\fc"\r\nat 1s: interact "x"\r\nat 2s: end\r\n'
    uri = open_document(client, folder / "breaks.ody", text)
    assert not (await published(client, uri, 1)).diagnostics
    # misspell `interact` on LSP line 1 with an incremental edit
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=pos(1, 7), end=pos(1, 15)), text="intreact"
                )
            ],
        )
    )
    [error] = (await published(client, uri, 2)).diagnostics
    assert error.code == "E105"
    assert error.range == types.Range(start=pos(1, 7), end=pos(1, 15))


async def test_a_misspelt_variable_gets_its_suggestion(
    client: RecordingClient, folder: Path
) -> None:
    text = 'let pace = 2s\nat 0s: start "a"\nafter pcae: end\n'
    uri = open_document(client, folder / "misspelt_name.ody", text)
    diagnostics = (await published(client, uri, 1)).diagnostics
    [error] = [d for d in diagnostics if d.code == "E201"]
    [fix] = [
        a
        for a in await _actions(client, uri, 2, [error])
        if a.kind == types.CodeActionKind.QuickFix
    ]
    assert fix.edit is not None and fix.edit.changes is not None
    assert _apply(text, fix.edit.changes[uri]) == text.replace("pcae", "pace")


async def test_an_invalid_configuration_is_logged_and_the_defaults_apply(
    client: RecordingClient, folder: Path
) -> None:
    project = folder / "invalid_project"
    project.mkdir()
    (project / "odyc.toml").write_text("min-gap = 'soon'\n")
    text = 'at 0s: start "a"\nat 10ms: interact "b"\nat 1s: end\n'
    uri = open_document(client, project / "scene.ody", text)
    params = await published(client, uri, 1)
    assert [d.code for d in params.diagnostics] == ["W102"]  # the default 100 ms minimum gap
    [logged] = [m for m in client.log_messages if uri in m.message]
    assert logged.type == types.MessageType.Warning
    assert "invalid configuration, using the defaults" in logged.message
    assert "min-gap" in logged.message
