"""Every feature of the language server, in-process, at every position of every example and
catalogue example (broken scenes included): an answer, never an exception. The features are
pure functions of one analysis (`odyssey_dsl.lsp.features`), so this needs no server."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from odyssey_dsl.config import ConfigResolver
from odyssey_dsl.diagnostics import CATALOGUE
from odyssey_dsl.lsp import features
from odyssey_dsl.lsp.analysis import Analysis, DocumentText, analyse, project_settings
from odyssey_dsl.lsp.edge import Edge
from odyssey_dsl.lsp.hints import HintSettings
from odyssey_dsl.semantics.images import ImageLoader

ROOT = Path(__file__).resolve().parent.parent
SCENES = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "examples").glob("*.ody")}
SCENES.update({code: entry.example for code, entry in CATALOGUE.items() if entry.example})


def analysis_of(name: str) -> Analysis:
    path = ROOT / "examples" / name if name.endswith(".ody") else None
    document = DocumentText(f"file:///{name}", 1, SCENES[name], path)
    return analyse(document, project_settings(ConfigResolver(), path), ImageLoader())


ANALYSES = {name: analysis_of(name) for name in SCENES}


def everything_at(edge: Edge, position: types.Position) -> None:
    hover = features.hover(edge, position)
    assert hover is None or isinstance(hover.contents, types.MarkupContent)
    assert all(item.label for item in features.completions(edge, position))
    for found in features.definition(edge, position) or []:
        assert found.uri == edge.analysis.document.uri
    assert all(
        r.range.start <= r.range.end for r in features.references(edge, position, True) or []
    )
    [selection] = features.selection_ranges(edge, [position])
    while selection.parent is not None:  # each range lies inside the next
        outer = selection.parent.range
        assert outer.start <= selection.range.start and selection.range.end <= outer.end
        selection = selection.parent
    for attempt in (features.prepare_rename, lambda e, p: features.rename_edits(e, p, "renamed")):
        with contextlib.suppress(features.RenameRefused):
            attempt(edge, position)
    whole = types.Range(start=position, end=position)
    diagnostics = features.lsp_diagnostics(edge)
    features.code_actions(
        edge,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=edge.analysis.document.uri),
            range=whole,
            context=types.CodeActionContext(diagnostics=diagnostics),
        ),
    )
    features.format_range(edge, whole)


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_feature_answers_at_every_line_of_every_scene(name: str) -> None:
    analysis = ANALYSES[name]
    edge = Edge(analysis, "utf-16")
    lines = analysis.lines
    assert features.timeline_result(edge)["version"] == 1
    features.document_symbols(edge)
    features.folding_ranges(edge)
    features.code_lenses(edge)
    features.format_document(edge)
    everywhere = types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=lines.line_count, character=0),
    )
    features.inlay_hints(edge, everywhere, HintSettings())
    for line in range(lines.line_count):
        length = len(lines.line_text(line))
        for character in {0, 1, length // 2, length, length + 3}:
            everything_at(edge, types.Position(line=line, character=character))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SCENES)), st.integers(0, 60), st.integers(0, 120))
def test_any_position_gets_an_answer(name: str, line: int, character: int) -> None:
    edge = Edge(ANALYSES[name], "utf-16")
    everything_at(edge, types.Position(line=line, character=character))


def test_loop_times_stay_right_when_a_loop_moves_between_compiles() -> None:
    """The same loop text at a later start in the next compile of the process (which the
    compiler may reuse instead of unrolling again): each iteration still knows its own
    origin and count, so the hints show the loop's new times."""
    loop = 'after 2s repeat 4 every 2s:\n    interact "step {{ loop.index }}"\nafter 1s: end\n'
    before = 'at 0s: start "a"\nat 1s: interact "b"\n' + loop
    after = 'at 0s: start "a"\nat 2s: interact "b"\n' + loop
    for text, first in ((before, 3000), (after, 4000)):
        document = DocumentText("file:///moved.ody", 1, text, None)
        analysis = analyse(document, project_settings(ConfigResolver(), None), ImageLoader())
        looped = [e for e in analysis.timeline.scripts[0].entries if e.iteration is not None]
        assert [e.time_ms for e in looped] == [first + 2000 * k for k in range(4)]
        assert [(e.iteration.origin_ms, e.iteration.total) for e in looped if e.iteration] == [
            (first + 2000 * k, 4) for k in range(4)
        ]
        labels = [hint.label for hint in analysis.hints]
        assert f"×4: {first // 1000}s … {first // 1000 + 6}s" in labels


SUPPRESSIBLE = {
    # a prompt over lines: the comment goes after its closing quotes, not inside it
    "long_prompt": 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact """\n  b\n  """\n'
    "at 3s: end\n",
    # a comment already there: the suppression goes first, or it would not be one
    "commented": 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"  # note\nat 3s: end\n',
    # `# odyc: ignore[...]` inside a prompt is text, not a suppression to extend
    "in_prompt": 'at 0s: start "a"\nat 1s: interact "b # odyc: ignore[W101]"\n'
    'at 2s: interact "b # odyc: ignore[W101]"\nat 3s: end\n',
    "extended": 'at 0s: start "a"\r\nat 1s: interact "b"\r\n'
    'at 2s: interact "b"  # odyc: ignore[W102]\r\nat 3s: end\r\n',
    # the warning is on the first line of a list spread over lines
    "spread_list": '\ufefflet a = [\n  1,  # one\n]\nat 0s: start "🦊"\nat 3s: end\n',
}
SUPPRESSIBLE.update({code: entry.example for code, entry in CATALOGUE.items() if entry.example})


def _applied(text: str, edits: list[types.TextEdit]) -> str:
    from odyssey_dsl.lsp.positions import LineIndex

    index = LineIndex(text)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start = index.offset(edit.range.start.line, edit.range.start.character, "utf-16")
        end = index.offset(edit.range.end.line, edit.range.end.character, "utf-16")
        text = text[:start] + edit.new_text + text[end:]
    return text


@pytest.mark.parametrize("name", sorted(SUPPRESSIBLE))
def test_an_ignore_quick_fix_silences_its_warning_and_changes_nothing_else(name: str) -> None:
    from odyssey_dsl import compile_source
    from odyssey_dsl.emit.json_text import json_text

    text = SUPPRESSIBLE[name]
    analysis = analyse(
        DocumentText("file:///s.ody", 1, text, None),
        project_settings(ConfigResolver(), None),
        ImageLoader(),
    )
    edge = Edge(analysis, "utf-16")
    before = compile_source(text)
    for diagnostic in features.lsp_diagnostics(edge):
        context = types.CodeActionContext(diagnostics=[diagnostic])
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri="file:///s.ody"),
            range=diagnostic.range,
            context=context,
        )
        ignores = [a for a in features.code_actions(edge, params) if a.title.startswith("Ignore")]
        if not str(diagnostic.code).startswith("W"):
            assert ignores == []
            continue
        [action] = ignores
        assert action.edit is not None and action.edit.changes is not None
        after = compile_source(_applied(text, action.edit.changes["file:///s.ody"]))
        codes = [d.code.code for d in before.diagnostics]
        codes.remove(str(diagnostic.code))
        assert [d.code.code for d in after.diagnostics] == codes
        if before.compiled is not None:
            assert after.compiled is not None
            assert json_text(after.compiled) == json_text(before.compiled)


CONVERTIBLE = {
    **{name: text for name, text in SCENES.items() if name.endswith(".ody")},
    "after_a_loop": 'at 0s: start "a"\nat 1s repeat 3 every 2s:\n    interact "x {{ loop.index }}"\n'
    'at 9s: interact "y"\nafter 500ms: end\n',
    "after_a_loop_in_a_script": 'script "s":\n    at 0s: start "a"\n    repeat 2 every 1s:\n'
    '        interact "x {{ loop.index }}"\n    at 7s: end\n',
}


@pytest.mark.parametrize("name", sorted(CONVERTIBLE))
def test_converting_a_line_between_after_and_at_keeps_the_compiled_job(name: str) -> None:
    from odyssey_dsl import compile_source
    from odyssey_dsl.emit.json_text import json_text

    text = CONVERTIBLE[name]
    examples = ROOT / "examples"
    before = compile_source(text, base_dir=examples)
    assert before.compiled is not None
    document = DocumentText("file:///c.ody", 1, text, examples / "c.ody")
    edge = Edge(
        analyse(document, project_settings(ConfigResolver(), None), ImageLoader()), "utf-16"
    )
    converted = 0
    for line in range(edge.analysis.lines.line_count):
        start = types.Position(line=line, character=0)
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri="file:///c.ody"),
            range=types.Range(start=start, end=start),
            context=types.CodeActionContext(diagnostics=[]),
        )
        for action in features.code_actions(edge, params):
            assert action.edit is not None and action.edit.changes is not None
            after = compile_source(
                _applied(text, action.edit.changes["file:///c.ody"]), base_dir=examples
            )
            assert after.compiled is not None, action.title
            assert json_text(after.compiled) == json_text(before.compiled), action.title
            converted += 1
    assert converted
