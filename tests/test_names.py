"""Names resolved without unrolling loops: definitions, uses (inside templates too), W101.

The property tests rename a variable through the name table (its definition and every use,
by their spans) and compile again: the output must not change. That holds only if every use
is found and every span is exactly the name, in expressions and inside strings (escapes,
folded triple-quoted prompts, filters, `{% %}` tags).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import meta
from test_properties import SCENE_SETTINGS, scene_source, scenes

from odyssey_dsl import compile_source, scene_names
from odyssey_dsl.emit.job import render_json
from odyssey_dsl.semantics.names import Definition, NameTable
from odyssey_dsl.semantics.template_names import (
    lexed_template_names,
    simple_template_names,
    template_names,
)
from odyssey_dsl.semantics.templates import environment
from odyssey_dsl.syntax.text import SourceFile


def text_of(text: str, definition_or_use: object) -> str:
    span = definition_or_use.span  # type: ignore[attr-defined]
    return text[span.start_offset : span.end_offset]


def uses_by_name(table: NameTable, name: str) -> list[tuple[int, int]]:
    return [(u.span.line, u.span.column) for u in table.uses if u.name == name]


SCENE = (
    'let who = "cat"\n'  # 1
    "let pause = 2s\n"  # 2
    'let line = "the \\"{{ who | upper }}\\" \\u{1F408} {{ who }}"\n'  # 3
    'at 0s: start """\n'  # 4
    "    A {{ who }} on a\n"  # 5
    "      sofa, {% if who == 'cat' %}{{ line }}{% endif %}\n"  # 6
    '    """\n'  # 7
    'for color in ["red", who] every pause:\n'  # 8
    '  let who = "dog"\n'  # 9
    '  interact "{{ color }} {{ who }} {{ loop.index }} of {{ loop.length }}"\n'  # 10
    'after pause: interact "{{ who }} again {{ range(2) | list }}"\n'  # 11
    "after 1s: end\n"  # 12
)


def test_every_use_has_its_exact_span_and_definition() -> None:
    table = scene_names(SCENE)
    for use in table.uses:
        assert text_of(SCENE, use) == use.name, use
    resolved = {
        (use.span.line, use.span.column): (use.definition.kind, use.definition.span.line)
        for use in table.uses
        if use.definition is not None and use.definition.span is not None
    }
    # `who` in the let's template, after escapes; in the folded prompt; in a {% %} tag
    assert resolved[(3, 22)] == ("let", 1)
    assert resolved[(3, 52)] == ("let", 1)
    assert resolved[(5, 10)] == ("let", 1)
    assert resolved[(6, 19)] == ("let", 1)
    assert resolved[(6, 37)] == ("let", 3)  # `line`
    # the list item reads the outer `who`; the body's `let who` shadows it below
    assert resolved[(8, 22)] == ("let", 1)
    assert resolved[(10, 28)] == ("let", 9)
    assert resolved[(10, 16)] == ("for", 8)
    assert resolved[(10, 38)] == ("loop", 8)
    assert resolved[(11, 27)] == ("let", 1)
    assert [u.attribute for u in table.uses if u.name == "loop"] == ["index", "length"]
    (range_use,) = [u for u in table.uses if u.name == "range"]
    assert range_use.definition is not None and range_use.definition.kind == "global"
    assert uses_by_name(table, "pause") == [(8, 33), (11, 7)]
    assert list(table.unused_lets()) == []


def test_lookups_by_offset_and_references() -> None:
    table = scene_names(SCENE)
    offset = SCENE.index("who")  # the first `let who`
    definition = table.definition_at(offset)
    assert definition is not None and definition.kind == "let" and definition.name == "who"
    lines = [use.span.line for use in table.uses_of(definition)]
    assert lines == [3, 3, 5, 6, 8, 11]
    use = table.use_at(SCENE.index("{{ line }}") + 3)
    assert use is not None and use.name == "line"
    assert use.definition is not None and use.definition.span is not None
    assert use.definition.span.line == 3
    assert table.use_at(0) is None


def test_overrides_and_undefined_names() -> None:
    text = 'let who = "cat"\nat 0s: start "{{ who }} {{ extra }} {{ nobody }}"\nafter delay: end\n'
    table = scene_names(text, variables={"who": "owl", "extra": 1, "delay": "1s"})
    kinds = {u.name: (u.definition.kind if u.definition else None) for u in table.uses}
    assert kinds == {"who": "let", "extra": "variable", "delay": "variable", "nobody": None}


def test_a_duplicate_let_is_reported_and_does_not_shadow() -> None:
    text = (
        'let a = 1\nlet a = 2\nat 0s: start "a {{ a }}"\n'
        'for x in [1] every 1s:\n  let x = 3\n  let loop = 4\n  interact "{{ x }}"\n'
        "at 9s: end\n"
    )
    table = scene_names(text)
    (use,) = [u for u in table.uses if u.name == "a"]
    assert use.definition is not None and use.definition.span is not None
    assert use.definition.span.line == 1
    result = compile_source(text)
    found = [(d.code.code, d.span.line, d.message) for d in result.diagnostics]
    assert found == [
        ("E202", 2, "`a` is already defined in this scope on line 1"),
        (
            "E202",
            5,
            "`x` is already defined in this scope (it is the variable of the loop on line 4)",
        ),
        (
            "E202",
            6,
            "`loop` is already defined in this scope (`loop` describes the loop on line 4)",
        ),
    ]


def test_no_unused_warning_for_a_name_used_where_evaluation_stopped() -> None:
    # `count` is read by the loop, whose `every` failed first: the loop never read it.
    text = 'let count = 3\nat 0s: start "a"\nrepeat count every nope:\n  interact "x"\nat 9s: end\n'
    assert [d.code.code for d in compile_source(text).diagnostics] == ["E201"]
    # used only in a template that does not parse
    text = 'let who = "cat"\nat 0s: start "a {{ who "\nat 1s: end\n'
    assert [d.code.code for d in compile_source(text).diagnostics] == ["E301"]
    # used only by a statement that is not expanded (E208)
    text = 'let who = "cat"\nat 0s: start "a"\ninteract "{{ who }}"\nat 1s: end\n'
    assert [d.code.code for d in compile_source(text).diagnostics] == ["E208"]


def test_unused_lets_are_still_reported() -> None:
    text = 'let unused = 1\nlet _quiet = 2\nrepeat 0 every 1s:\n  let inner = 3\nat 0s: start "a"\nat 1s: end\n'
    found = [(d.code.code, d.span.line, d.span.column) for d in compile_source(text).diagnostics]
    assert found == [("W101", 1, 5), ("W101", 4, 7)]


def test_a_name_whose_let_failed_is_not_reported_again() -> None:
    text = 'let who = "{{ nobody }}"\nat 0s: start "a {{ who }}"\nafter who: end\n'
    found = [(d.code.code, d.span.line) for d in compile_source(text).diagnostics]
    assert found == [("E302", 1)]


def test_an_undefined_name_in_a_folded_prompt_is_reported_at_the_name() -> None:
    text = 'at 0s: start """\n    A cat\n    on a {{ sofa }}\n    """\nat 1s: end\n'
    (found,) = compile_source(text).diagnostics
    assert (found.code.code, found.span.line, found.span.column) == ("E302", 3, 13)
    assert (found.span.end_line, found.span.end_column) == (3, 17)


# --- the template scan -------------------------------------------------------------------

NAMES = st.sampled_from(["a", "who", "loop", "range", "x1", "_y"])
WORDS = st.sampled_from(["", " ", "text ", "{ ", "}} ", "%} ", "é "])


@st.composite
def simple_templates(draw: st.DrawFn) -> str:
    parts = [draw(WORDS)]
    for _ in range(draw(st.integers(0, 4))):
        tag = draw(NAMES) + draw(st.sampled_from(["", ".index", ".a.b"]))
        tag += draw(
            st.sampled_from(
                ["", " | upper", "|lower|trim", " | replace('x', \"}}\")", "|default( 3 )"]
            )
        )
        space = draw(st.sampled_from(["", " ", "  "]))
        parts += ["{{" + space + tag + space + "}}", draw(WORDS)]
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(simple_templates())
def test_the_fast_path_agrees_with_the_lexer(text: str) -> None:
    fast = simple_template_names(text)
    assert fast is not None
    assert fast == lexed_template_names(text)


TAGS = st.sampled_from(
    [
        "{{ a }}",
        "{{ a.b }}",
        "{{ f(x, y=a) }}",
        "{% if a is defined %}x{% endif %}",
        "{% if not b %}x{% elif c is divisibleby 3 %}y{% else %}z{% endif %}",
        "{% for i in items if i != a %}{{ i }}{{ loop.index }}{% endfor %}",
        "{% for k, v in pairs recursive %}{{ k ~ v ~ b }}{% endfor %}",
        "{% set z = a %}{{ z }}",
        "{% set ns = namespace(n=b) %}{% set ns.n = c %}{{ ns.n }}",
        "{% set block_set %}{{ a }}{% endset %}{{ block_set }}",
        "{% with w = a, w2 = 1 %}{{ w ~ b ~ w2 }}{% endwith %}",
        "{% macro m(p, q=1) %}{{ p ~ d }}{% endmacro %}{{ m(a) }}",
        "{% filter upper %}{{ c }}{% endfilter %}",
        "{{ a ~ '}}' ~ b }}",
        '{{ "{{ c }}" }}',
        "{# {{ d }} #}",
        "{% raw %}{{ e }}{% endraw %}",
        "{{- a -}}",
        "{{ a | replace('x', b) | default(c, true) }}",
        "{{ true and none or False }}",
        "{{ loop.first }}",
        "{{ range(3) | list }}",
        "{{ a if b else c }}",
        "{{ [a, b][0] ~ {'k': c}['k'] }}",
        " plain ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(TAGS, max_size=5).map("".join))
def test_the_names_found_are_those_jinja_reads(text: str) -> None:
    env = environment()
    expected = set(meta.find_undeclared_variables(env.parse(text)))
    found = template_names(text)
    for name in found:
        assert text[name.start : name.start + len(name.name)] == name.name
    assert {name.name for name in found} == expected | (
        set(env.globals) & {name.name for name in found}
    )


# --- renaming through the table ----------------------------------------------------------


def rename(text: str, table: NameTable, definition: Definition, new: str) -> str:
    spans = [definition.span] + [use.span for use in table.uses_of(definition)]
    for span in sorted({(s.start_offset, s.end_offset) for s in spans if s}, reverse=True):
        assert text[span[0] : span[1]] == definition.name
        text = text[: span[0]] + new + text[span[1] :]
    return text


@settings(SCENE_SETTINGS, max_examples=50)
@given(scene=scenes(), data=st.data())
def test_renaming_a_variable_through_the_table_changes_nothing(scene, data) -> None:  # type: ignore[no-untyped-def]
    text = scene_source(scene).removeprefix("\ufeff")
    before = compile_source(text, max_entries=100_000)
    assert before.job is not None
    table = scene_names(text)
    renameable = [d for d in table.definitions if d.kind in ("let", "for")]
    if not renameable:
        return
    definition = data.draw(st.sampled_from(renameable))
    renamed = rename(text, table, definition, "renamed_name")
    after = compile_source(renamed, max_entries=100_000)
    assert after.job is not None, [d.message for d in after.diagnostics]
    assert render_json(after.job) == render_json(before.job)
    assert [d.code.code for d in after.diagnostics] == [d.code.code for d in before.diagnostics]
    again = scene_names(renamed)
    assert len(again.uses) == len(table.uses)
    assert sum(u.name == "renamed_name" for u in again.uses) == len(table.uses_of(definition))


@settings(SCENE_SETTINGS, max_examples=50)
@given(scene=scenes())
def test_every_use_has_the_line_and_column_of_its_offsets(scene) -> None:  # type: ignore[no-untyped-def]
    """A use inside a one-line literal gets its line and column from the literal's; they are
    those the file's own line table gives (CRLF, a byte order mark, folded prompts)."""
    text = scene_source(scene)
    source = SourceFile("scene.ody", text.removeprefix("\ufeff"))
    for use in scene_names(text).uses:
        assert use.span == source.span(use.span.start_offset, use.span.end_offset)


def test_uses_in_a_literal_after_wide_characters_have_their_columns() -> None:
    text = 'let who = "cat"\r\nat 0s: start "🐈 猫 {{ who }}{{who}}"\nat 1s: end\n'
    spans = [(u.span.line, u.span.column, u.span.end_column) for u in scene_names(text).uses]
    assert spans == [(2, 22, 25), (2, 30, 33)]
