"""The formatter's three guarantees, with hypothesis over generated scenes and over every example.

- idempotent: `fmt(fmt(x)) == fmt(x)`;
- semantics-preserving: the compiled JSON of the formatted scene is byte-identical to the
  original's, with variables given too;
- comment-preserving: the same comments, in the same order, each still on the statement it
  annotated (a comment at the end of a statement's line annotates that statement; a comment
  on its own line, the statement that follows it).

The scenes are the valid ones of test_properties.py, printed with an indentation step drawn
at random and then made messy (`messy`): spacing drawn between tokens, zeros before numbers,
lists broken over lines, blank lines with blanks in them, trailing blanks, comments at the
ends of lines and on lines of their own, indented at random.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import EXAMPLE_SCENES, EXAMPLE_SEED, Scene, mutated, scene_source, scenes

from odyssey_dsl import compile_source
from odyssey_dsl.emit.json_text import json_text
from odyssey_dsl.fmt import FormatError, UnsafeFormat, format_range, format_source
from odyssey_dsl.fmt.safety import skeleton
from odyssey_dsl.syntax import parse
from odyssey_dsl.syntax.tokens import COMMENT

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ody"))
FMT_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_NO_SPACE_BEFORE = {"colon", "comma", "rsqb"}
_TIME_WORDS = {"at", "after", "every"}


@st.composite
def messy(draw: st.DrawFn, text: str) -> str:
    """`text` (a valid scene) with the same statements, written carelessly."""
    tree = parse(text)
    eol = "\r\n" if "\r\n" in text else "\n"
    out: list[str] = ["\ufeff"] if text.startswith("\ufeff") else []
    comments = iter(range(1_000_000))

    def blanks(least: int) -> str:
        return " " * draw(st.integers(least, 3))

    def comment() -> str:
        # Some are suppressions, which silence warnings on their own line only; some leave
        # what follows, or the statement holding them, as written.
        if draw(st.integers(0, 20)) == 0:
            return "# odyc: fmt: off"
        if draw(st.integers(0, 3)) == 0:
            return f"# odyc: ignore[W101, W103] c{next(comments)}"
        return f"# c{next(comments)}"

    for node in tree.lines:
        line_text = tree.text[node.start : node.end]
        tokens = [t for t in node.tokens(tree.text) if t.end <= node.end]
        indent = line_text[: len(line_text) - len(line_text.lstrip(" "))]
        for _ in range(draw(st.integers(0, 1))):
            out.append(draw(st.sampled_from(["", "  ", "    "])) + eol)
        if draw(st.integers(0, 4)) == 0:
            out.append(" " * draw(st.integers(0, 6)) + comment() + eol)
        if draw(st.integers(0, 12)) == 0:  # regions left as written, maybe never closed
            marker = draw(st.sampled_from(["# odyc: fmt: off", "# odyc: fmt: on"]))
            out.append(" " * draw(st.integers(0, 6)) + marker + eol)
        significant = [t for t in tokens if not t.is_trivia or t.kind == COMMENT]
        if not any(not t.is_trivia for t in significant):
            out.append(line_text + eol)
            continue
        pieces = [indent]
        depth = 0
        previous = ""
        for index, token in enumerate(significant):
            body = token.text
            if token.kind == "number" and not body.startswith("-") and draw(st.booleans()):
                body = "0" + body + ("0" if "." in body else "")
            elif token.kind == "duration" and previous in _TIME_WORDS and draw(st.booleans()):
                body = "0" + body
            if token.kind == "rsqb" and depth and draw(st.integers(0, 2)) == 0:
                sep = eol + indent
            elif depth and previous in ("lsqb", "comma") and draw(st.booleans()):
                note = f"  {comment()}" if draw(st.booleans()) else ""
                own = eol + indent + "  " + comment() if draw(st.integers(0, 3)) == 0 else ""
                sep = note + own + eol + indent + blanks(1)
            elif index == 0 or token.kind == COMMENT:
                sep = "" if index == 0 else blanks(1)
            elif token.kind in _NO_SPACE_BEFORE or previous == "lsqb":
                sep = blanks(0)
            else:
                sep = blanks(1)
            pieces.append(sep + body)
            depth += {"lsqb": 1, "rsqb": -1}.get(token.kind, 0)
            previous = token.kind
        if draw(st.integers(0, 3)) == 0 and significant[-1].kind != COMMENT:
            pieces.append(blanks(1) + comment())
        pieces.append(draw(st.sampled_from(["", " ", "  \t"])))
        out.append("".join(pieces) + eol)
    return "".join(out)


def annotated_comments(text: str) -> list[tuple[str, object]]:
    """Each comment of the scene, and what the statement it annotates means."""
    tree = parse(text)
    found: list[tuple[str, object]] = []
    waiting: list[str] = []
    for node in tree.lines:
        texts = [
            tree.text[node.start + a : node.start + b].rstrip() for a, b in node.syntax.comments
        ]
        if node.statement is None:
            waiting += texts
            continue
        meaning = skeleton(node.statement)
        found += [(comment, meaning) for comment in [*waiting, *texts]]
        waiting = []
    return found + [(comment, None) for comment in waiting]


def compiled(text: str, variables: dict[str, object] | None = None) -> str | list[str]:
    result = compile_source(text, variables=variables)
    if result.compiled is None:
        return [d.code.code for d in result.diagnostics]
    return json_text(result.compiled)


def reported(text: str) -> list[str]:
    """The codes of the scene's diagnostics (their messages may name lines, which move)."""
    return sorted(d.code.code for d in compile_source(text).diagnostics)


def assert_guarantees(text: str, variables: list[dict[str, object]]) -> str:
    formatted = format_source(text)
    assert format_source(formatted) == formatted
    for given_variables in variables:
        assert compiled(formatted, given_variables) == compiled(text, given_variables)
    assert annotated_comments(formatted) == annotated_comments(text)
    assert reported(formatted) == reported(text)  # a suppression still silences its warning
    return formatted


def replaceable_variables(scene: Scene) -> dict[str, object]:
    return {
        let.name: "zebra" if let.var.kind == "str" else 7.25 if let.var.kind == "float" else True
        for let in scene.lets
        if let.var.kind in ("str", "bool", "float")
    }


@FMT_SETTINGS
@given(scene=scenes(), step=st.sampled_from([1, 2, 3, 4, 8]), data=st.data())
def test_generated_scenes_keep_the_three_guarantees(
    scene: Scene, step: int, data: st.DataObject
) -> None:
    clean = scene_source(scene, step)
    text = data.draw(messy(clean))
    assert not parse(text).diagnostics, text
    assert_guarantees(text, [{}, replaceable_variables(scene)])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_every_example_keeps_the_three_guarantees(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    assert_guarantees(text, [{}, {"animal": "wolf", "style": "ink", "steps": 5}])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_every_example_is_formatted_in_the_repository(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    assert format_source(text) == text


@FMT_SETTINGS
@given(scene=scenes(), step=st.sampled_from([1, 2, 4]), data=st.data())
def test_format_range_agrees_with_format_source(
    scene: Scene, step: int, data: st.DataObject
) -> None:
    """Formatting a range gives exactly what formatting the file gives those lines: the
    whole text formats to `format_source`'s result, and any range leaves a text whose
    formatting is `format_source`'s result too."""
    text = data.draw(messy(scene_source(scene, step)))
    whole = format_source(text)
    edit = format_range(text, 0, len(text))
    assert (
        (whole == text)
        if edit is None
        else (edit.start, edit.end, edit.new_text)
        == (
            0,
            len(text),
            whole,
        )
    )
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    edit = format_range(text, start, end)
    if edit is not None:
        assert edit.start <= start and end <= max(edit.end, start)
        changed = text[: edit.start] + edit.new_text + text[edit.end :]
        assert edit.new_text in whole
        assert format_source(changed) == whole


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenes_are_formatted_safely_or_refused(data: st.DataObject) -> None:
    """Whatever the text, the formatter returns a settled text or refuses it for its syntax
    errors: never a failed safety check, never another exception."""
    seeds = st.sampled_from((EXAMPLE_SEED, *EXAMPLE_SCENES))
    text = data.draw(mutated(data.draw(st.one_of(seeds, scenes().map(scene_source)))))
    try:
        formatted = format_source(text)
    except UnsafeFormat as error:
        raise AssertionError(f"{error}: {text!r}") from None
    except FormatError as error:
        assert error.diagnostics
        return
    assert format_source(formatted) == formatted
