"""Every diagnostic code of the catalogue is triggered by its example at the stated place."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pytest

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics import CATALOGUE, Severity

WITH_EXAMPLES = [code for code in CATALOGUE.values() if code.example]


@pytest.mark.parametrize("entry", WITH_EXAMPLES, ids=[c.code for c in WITH_EXAMPLES])
def test_example_triggers_its_code_at_its_place(entry) -> None:  # type: ignore[no-untyped-def]
    result = compile_source(entry.example, filename="example.ody")
    hits = [d for d in result.diagnostics if d.code.code == entry.code]
    assert hits, f"{entry.code} not reported; got {[d.code.code for d in result.diagnostics]}"
    first = hits[0]
    assert (first.span.line, first.span.column) == entry.example_at
    assert first.severity is entry.severity
    if entry.severity is Severity.ERROR:
        assert result.job is None
    else:
        assert result.job is not None


@pytest.mark.parametrize("entry", WITH_EXAMPLES, ids=[c.code for c in WITH_EXAMPLES])
def test_example_reports_no_follow_on_noise(entry) -> None:  # type: ignore[no-untyped-def]
    """A catalogue example shows one problem: it must not drag other errors along."""
    result = compile_source(entry.example, filename="example.ody")
    other_errors = [d.code.code for d in result.errors if d.code.code != entry.code]
    assert other_errors == []


def test_codes_are_stable_and_unique() -> None:
    assert all(re.fullmatch(r"[EW]\d{3}", code) for code in CATALOGUE)
    names = [entry.name for entry in CATALOGUE.values()]
    assert len(names) == len(set(names))
    for code, entry in CATALOGUE.items():
        assert (code[0] == "W") == (entry.severity is Severity.WARNING)


def test_docs_table_is_generated_from_the_catalogue() -> None:
    from pathlib import Path

    from odyssey_dsl.diagnostics.docs import render_markdown

    docs = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
    assert docs.read_text(encoding="utf-8") == render_markdown(), (
        "docs/diagnostics.md is stale: run `python -m odyssey_dsl.diagnostics.docs > docs/diagnostics.md`"
    )
    for code in CATALOGUE:
        assert f"| [{code}](#{code.lower()}) |" in render_markdown()


def test_every_code_says_how_to_fix_it() -> None:
    assert [code for code, entry in CATALOGUE.items() if not entry.fix.strip()] == []


def test_every_code_has_its_own_section_in_the_docs() -> None:
    from odyssey_dsl.diagnostics.docs import anchor, render_markdown

    docs = render_markdown()
    for code, entry in CATALOGUE.items():
        assert docs.count(f"\n## {code}\n") == 1
        assert f"[{code}](#{anchor(code)})" in docs
        assert f"**Fix:** {entry.fix}" in docs


class _BrokenVariables(Mapping[str, object]):
    """A caller's mapping that fails when read: odyc must report, not raise."""

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("this mapping cannot be read")

    def __getitem__(self, key: str) -> object:
        raise RuntimeError("this mapping cannot be read")


def test_codes_without_a_text_example_are_triggered_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from odyssey_dsl.compiler import compile_bytes, compile_file

    scene = 'at 0s: start "a" with image "big.png"\nat 1s: end\n'
    big = tmp_path / "big.png"
    with big.open("wb") as handle:  # a sparse file just over the 25 MiB limit
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(25 * 1024 * 1024 + 1)
    triggered = {
        "E109": compile_bytes(b'at 0s: start "\xff"\nat 1s: end\n'),
        "E403": compile_source(scene, base_dir=tmp_path),
        "E901": compile_source('at 0s: start "a"\nat 1s: end\n', variables={"x": {"a": 1}}),
        "E999": compile_source('at 0s: start "a"\nat 1s: end\n', variables=_BrokenVariables()),
    }
    for code, result in triggered.items():
        assert [d.code.code for d in result.diagnostics] == [code], code
        assert result.job is None
    (too_large,) = triggered["E403"].diagnostics
    assert (too_large.span.line, too_large.span.column) == (1, 29)
    assert "25 MiB" in too_large.message or "26214401" in too_large.message.replace(",", "")
    (internal,) = triggered["E999"].diagnostics
    assert internal.help is not None and "report" in internal.help
    unused = compile_source('at 0s: start "a"\nat 1s: end\n', variables={"subjet": "dog"})
    assert [(d.code.code, d.span.line, d.span.column) for d in unused.diagnostics] == [
        ("W105", 1, 1)
    ]
    assert unused.job is not None
    triggered["W105"] = unused
    triggered["E902"] = _unreadable_scene(tmp_path / "missing.ody")
    huge = tmp_path / "huge.ody"
    with huge.open("wb") as handle:  # sparse: 64 MiB of NUL bytes and one more
        handle.truncate(64 * 1024 * 1024 + 1)
    triggered["E116"] = compile_file(huge)
    assert [d.code.code for d in triggered["E116"].diagnostics] == ["E116"]
    not_a_scene = compile_source("nonsense here\n" * 1_001 + "and more\n")
    triggered["E117"] = not_a_scene
    assert [d.code.code for d in not_a_scene.diagnostics][-2:] == ["E100", "E117"]
    assert len(not_a_scene.diagnostics) == 1_001
    assert not_a_scene.diagnostics[-1].span.line == 1_001
    assert [d.code.code for d in triggered["E902"].diagnostics] == ["E902"]
    # E118's example holds carriage returns, which a Markdown page cannot show as they are.
    triggered["E118"] = compile_source('at 0s: start "a"\rat 1s: end\r')
    assert [d.code.code for d in triggered["E118"].diagnostics] == ["E118"]
    assert {code for code, entry in CATALOGUE.items() if not entry.example} <= set(triggered)


def _unreadable_scene(path):  # type: ignore[no-untyped-def]
    """E902 comes from the command line (a scene that cannot be read), not from a compile."""
    from odyssey_dsl.cli.compile_options import CompileSettings
    from odyssey_dsl.cli.scene_input import UnreadableScene, compile_scene

    with pytest.raises(UnreadableScene) as raised:
        compile_scene(str(path), CompileSettings())
    return raised.value.as_result()
