"""The lossless syntax tree: every character in a token, error nodes, typed views, memo."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import SNIPPETS, WORDS, mutated

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax import parse
from odyssey_dsl.syntax.line import read_line
from odyssey_dsl.syntax.text import Span
from odyssey_dsl.syntax.tree import SyntaxTree

EXAMPLES = tuple(
    path.read_text(encoding="utf-8")
    for path in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ody"))
)
TREE_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_lossless(tree: SyntaxTree, text: str) -> None:
    assert tree.text == text
    position = 0
    for token in tree.tokens():
        assert token.start == position, (token, position)
        assert token.end > token.start
        assert text[token.start : token.end] == token.text
        position = token.end
    assert position == len(text)


@TREE_SETTINGS
@given(text=st.text(max_size=300))
def test_any_text_parses_losslessly(text: str) -> None:
    assert_lossless(parse(text), text)


@TREE_SETTINGS
@given(text=st.lists(st.sampled_from(SNIPPETS + WORDS), max_size=40).map("".join))
def test_keyword_soup_parses_losslessly(text: str) -> None:
    assert_lossless(parse(text), text)


@TREE_SETTINGS
@given(data=st.data())
def test_mutated_examples_parse_losslessly(data: st.DataObject) -> None:
    text = data.draw(mutated(data.draw(st.sampled_from(EXAMPLES))))
    assert_lossless(parse(text), text)


def test_examples_are_lossless_and_clean() -> None:
    for text in EXAMPLES:
        tree = parse(text)
        assert_lossless(tree, text)
        assert tree.diagnostics == ()
        assert not any(line.is_error for line in tree.lines)


def test_trivia_are_tokens_with_their_own_kinds() -> None:
    text = '\ufeff# title\r\n  \n\tlet x = 3s  # three\nat 0s: start "a"'
    kinds = [(t.kind, t.text) for t in parse(text).tokens()]
    assert kinds == [
        ("bom", "\ufeff"),
        ("comment", "# title"),
        ("newline", "\r\n"),
        ("indent", "  "),
        ("newline", "\n"),
        ("indent", "\t"),
        ("let", "let"),
        ("whitespace", " "),
        ("name", "x"),
        ("whitespace", " "),
        ("equal", "="),
        ("whitespace", " "),
        ("duration", "3s"),
        ("whitespace", "  "),
        ("comment", "# three"),
        ("newline", "\n"),
        ("at", "at"),
        ("whitespace", " "),
        ("duration", "0s"),
        ("colon", ":"),
        ("whitespace", " "),
        ("start", "start"),
        ("whitespace", " "),
        ("string", '"a"'),
    ]


def test_a_broken_line_is_an_error_node_that_keeps_its_tokens_and_name() -> None:
    text = 'let count = 3 ?\nat 0s: start "{{ count }}"\nat 1s: end\n'
    tree = parse(text)
    first, second, _ = tree.lines
    assert first.is_error and first.statement is None
    assert first.broken_name == "count" and tree.broken_names == {"count"}
    words = [t.text for t in first.tokens(text) if not t.is_trivia]
    assert words == ["let", "count", "=", "3", "?"]
    assert [t.kind for t in first.tokens(text)][-2:] == ["error", "newline"]
    assert not second.is_error and isinstance(second.statement, n.ActionStmt)
    assert len(tree.scene.statements) == 2 and tree.has_broken_lines
    (error,) = tree.diagnostics
    assert (error.code.code, error.span.line, error.span.column) == ("E100", 1, 15)


def test_statements_are_placed_in_the_file() -> None:
    text = '# intro\n\nrepeat 2 every 1s:\n    interact "x"\n'
    tree = parse(text)
    (loop,) = tree.scene.statements
    assert isinstance(loop, n.Repeat)
    (body,) = loop.body
    assert isinstance(body, n.ActionStmt) and isinstance(body.action, n.Interact)
    prompt = body.action.prompt
    assert (prompt.span.line, prompt.span.column) == (4, 14)
    assert text[prompt.span.start_offset : prompt.span.end_offset] == '"x"'
    assert prompt.content_offset == prompt.span.start_offset + 1
    assert [c.text for c in tree.scene.comments] == ["# intro"]


def test_a_warm_memo_gives_the_same_tree_as_a_cold_one() -> None:
    """Lines read before (at other places, in another version of the file) are reused, and
    the result is exactly that of a parse with nothing remembered."""
    before = "\n".join(EXAMPLES)
    edited = 'let inserted = "a line"\n' + before.replace("at 3s:", "at 3500ms:", 1)
    parse(before)
    warm = parse(edited)
    read_line.cache_clear()
    cold = parse(edited)
    assert warm.scene == cold.scene
    assert warm.diagnostics == cold.diagnostics
    assert warm.lines == cold.lines


def test_the_lines_of_a_tree_outlive_the_memo() -> None:
    """A tree keeps where its lines stand, not what they hold: read when first asked for,
    after the memo forgot them, its lines (and tokens) are those of a fresh parse."""
    text = "\n".join(EXAMPLES) + "\nat 3s: strat\n  \tlet = 1\n"
    tree = parse(text)
    read_line.cache_clear()
    lines, tokens = tree.lines, list(tree.tokens())
    assert any(line.is_error for line in lines)
    assert tree.lines is lines  # read once
    fresh = parse(text)
    assert lines == fresh.lines
    assert tokens == list(fresh.tokens())


def _spans(node: object) -> list[Span]:
    """Every span in a node, depth first (a node keeps its own as a plain tuple, `where`)."""
    if isinstance(node, Span):
        return [node]
    if hasattr(node, "where"):
        return [node.span, *_spans(node[1:])]
    if isinstance(node, tuple):
        return [span for item in node for span in _spans(item)]
    return []


@TREE_SETTINGS
@given(data=st.data())
def test_a_byte_order_mark_moves_offsets_but_no_line_or_column(data: st.DataObject) -> None:
    """The BOM is a token of the tree, not a character of the first line: every span of the
    statements, comments and diagnostics is where it is without it, one offset on."""
    text = data.draw(mutated(data.draw(st.sampled_from(EXAMPLES))))
    plain, marked = parse(text), parse("\ufeff" + text)
    moved = [
        span._replace(start_offset=span.start_offset + 1, end_offset=span.end_offset + 1)
        for span in _spans(plain.scene[1:]) + [d.span for d in plain.diagnostics]
    ]
    assert _spans(marked.scene[1:]) + [d.span for d in marked.diagnostics] == moved
    assert marked.source.span(1, 3) == plain.source.span(0, 2)._replace(
        start_offset=1, end_offset=3
    )
