"""Inline suppressions: `# odyc: ignore[CODE]` silences a warning on its line."""

from __future__ import annotations

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics.selection import RuleSelection

REPEATED = 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"{comment}\nat 3s: end\n'


def found(text: str, **options: object) -> list[tuple[str, int, int]]:
    result = compile_source(text, filename="s.ody", **options)  # type: ignore[arg-type]
    return [(d.code.code, d.span.line, d.span.column) for d in result.diagnostics]


def test_a_comment_silences_its_warning_on_its_line() -> None:
    assert found(REPEATED.format(comment="")) == [("W103", 3, 17)]
    silenced = compile_source(REPEATED.format(comment="  # odyc: ignore[W103]"), filename="s.ody")
    assert silenced.diagnostics == []
    assert silenced.job is not None
    [hidden] = silenced.suppressed
    assert hidden.diagnostic.code.code == "W103"
    assert (hidden.comment.line, hidden.comment.column) == (3, 22)


def test_several_codes_and_spacing() -> None:
    text = 'let unused = 1  #odyc:ignore[ W101 ,W103 ]\nat 0s: start "a"\nat 1s: end\n'
    # W101 is silenced; W103 is not reported on line 1, so naming it there is W106
    assert found(text) == [("W106", 1, 37)]


def test_a_comment_on_another_line_does_not_silence() -> None:
    text = REPEATED.format(comment="").replace("at 3s: end", "at 3s: end  # odyc: ignore[W103]")
    assert found(text) == [("W103", 3, 17), ("W106", 4, 28)]


def test_the_comment_after_a_triple_quoted_prompt_covers_it() -> None:
    text = (
        'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact """\n    b\n"""'
        "  # odyc: ignore[W103]\nat 3s: end\n"
    )
    assert found(text.replace("  # odyc: ignore[W103]", "")) == [("W103", 3, 17)]
    assert found(text) == []


def test_errors_cannot_be_silenced() -> None:
    text = 'at 0s: start "a"\nat 1s: interact "b"  # odyc: ignore[E505]\n'
    assert found(text) == [("E505", 1, 8), ("W107", 2, 37)]
    result = compile_source(text)
    assert "errors cannot be silenced" in result.diagnostics[1].message


def test_malformed_and_unknown_suppressions_are_reported() -> None:
    base = 'at 0s: start "a"\nat 1s: end  # odyc: ignore{}\n'
    assert found(base.format("")) == [("W107", 2, 13)]
    assert found(base.format("[]")) == [("W107", 2, 13)]
    assert found(base.format(" W101")) == [("W107", 2, 13)]
    assert found(base.format("[W999]")) == [("W107", 2, 28)]
    # other comments, and other `odyc:` directives, are left alone
    assert found('at 0s: start "a"  # odyc: fmt: off\nat 1s: end  # ignore[W101]\n') == []


def test_a_suppression_for_a_disabled_warning_is_not_unused() -> None:
    text = 'at 0s: start "a"  # odyc: ignore[W103]\nat 1s: end\n'
    assert found(text) == [("W106", 1, 34)]
    assert found(text, rules=RuleSelection(ignore=("W103",))) == []
    assert found(text, rules=RuleSelection(ignore=("W106",))) == []


def test_the_comment_can_silence_its_own_finding() -> None:
    text = 'at 0s: start "a"  # odyc: ignore[W103, W106]\nat 1s: end\n'
    result = compile_source(text)
    assert result.diagnostics == []
    assert [s.diagnostic.code.code for s in result.suppressed] == ["W106"]


def test_silenced_warnings_do_not_fail_werror() -> None:
    result = compile_source(REPEATED.format(comment="  # odyc: ignore[W103]"), werror=True)
    assert result.diagnostics == [] and result.job is not None
    unused = compile_source('at 0s: start "a"  # odyc: ignore[W101]\nat 1s: end\n', werror=True)
    assert [d.code.code for d in unused.errors] == ["W106"]
