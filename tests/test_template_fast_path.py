"""The template fast path renders exactly what Jinja2's compiled template renders: the same
text, or the same failure (code, message, help, undefined name), for generated templates of
text, whitespace control, comments and substitutions over every kind of value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_support import run_measured
from hypothesis import example, given, settings
from hypothesis import strategies as st

from odyssey_dsl.semantics.template_fast_path import (
    SimpleTemplate,
    quick_template,
    simple_template,
)
from odyssey_dsl.semantics.templates import (
    CompiledTemplate,
    LoopInfo,
    TemplateFailure,
    compile_template,
    environment,
    template_globals,
)
from odyssey_dsl.syntax.durations import Duration

VARIABLES: dict[str, object] = {
    "subject": "cat",
    "empty": "",
    "quote": 'say "hi" \\ {{ not a template }}',
    "count": 3,
    "big": 10**30,
    "ratio": 1.5,
    "yes": True,
    "no": False,
    "pause": Duration(90_000, "1m30s"),
    "moods": ["calm", "curious", True, Duration(500, "500ms")],
    "nested": [["a", 1], []],
    "loop": LoopInfo(1, 3),
    "mapping": {"a": "x", "b": [1, 2]},
    "nothing": None,
    "unicode": "猫 🐈 e\u0301",
    "long": "word " * 300,
}

SPECIAL_NAMES = ["undefined_name", "subjet", "range", "dict", "namespace", "self", "lipsum"]
ATTRIBUTES = ["index", "length", "first", "upper", "text", "ms", "real", "a", "nope", "__class__"]
ITEMS = ["0", "1", "-1", "'a'", "'b'", "'nope'", "5"]
FILTERS = [
    "upper", "lower", "title", "capitalize", "trim", "length", "count", "string", "list",
    "first", "last", "reverse", "e", "tojson", "pprint", "int", "float", "abs", "round",
    "wordcount", "striptags", "urlencode", "sort", "unique", "sum", "max", "min", "join",
    "join(', ')", "default('d')", "default('d', true)", "replace('a', 'b')", "center(9)",
    "truncate(3)", "truncate(9, true, '~')", "indent(2)", "wordwrap(5)", "format(1)",
    "map('upper')", "select", "batch(2)", "slice(2)", "dictsort", "items", "attr('upper')",
    "no_such_filter", "random", "center(10**9)", "int(default=7)", "join(d='-')",
    "default(default_value='k')", "replace('a', 'b', count=1)", "center(width=7)",
    "truncate(length=4, end='~')", "round(precision=1)", "indent(width='> ')",
]  # fmt: skip
CONSTANTS = ["'text'", '"dq"', "1", "0.5", "true", "false", "none", "True", "None", "[1, 'a']"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        leaves = [st.sampled_from(list(VARIABLES))] * 4 + [st.sampled_from(CONSTANTS)] * 2
        return draw(st.one_of(*leaves, st.sampled_from(SPECIAL_NAMES)))
    inner = draw(expressions(depth - 1))
    return draw(
        st.sampled_from(
            [
                f"{inner}.{draw(st.sampled_from(ATTRIBUTES))}",
                f"{inner}[{draw(st.sampled_from(ITEMS))}]",
                f"{inner} | {draw(st.sampled_from(FILTERS))}",
                f"{inner}|{draw(st.sampled_from(FILTERS))}",
            ]
        )
    )


TEXT = st.text(alphabet=st.sampled_from(list("ab {}%#-+\n\t\r猫\"'\\")), max_size=8)


@st.composite
def pieces(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["text", "sub", "sub", "sub", "comment", "text", "raw"]))
    if kind == "text":
        return draw(TEXT)
    if kind == "comment":
        return "{#" + draw(TEXT).replace("#}", "") + "#}"
    if kind == "raw":
        return draw(st.sampled_from(["{% if true %}x{% endif %}", "{{ 1 + 1 }}", "{{ f() }}"]))
    left = draw(st.sampled_from(["{{", "{{-", "{{ ", "{{- "]))
    right = draw(st.sampled_from(["}}", "-}}", " }}", " -}}"]))
    return left + draw(expressions()) + right


def outcome(template: CompiledTemplate | TemplateFailure) -> object:
    if isinstance(template, TemplateFailure):
        return ("compile", template.code, template.message, template.help)
    variables = template_globals()
    variables.update({key: _copy(value) for key, value in VARIABLES.items()})
    try:
        return ("text", template.render(variables))
    except TemplateFailure as failure:
        return ("failure", failure.code, failure.message, failure.help, failure.name)


def _copy(value: object) -> object:
    return [_copy(item) for item in value] if isinstance(value, list) else value


def compiled(text: str, *, fast: bool) -> CompiledTemplate | TemplateFailure:
    try:
        return compile_template(text, fast=fast)
    except TemplateFailure as failure:
        return failure


@settings(max_examples=400, deadline=None)
@given(st.lists(pieces(), min_size=1, max_size=4).map("".join))
@example("{{ self }}")
@example("{{ self.upper }}")
@example("{{ range }} {{ lipsum }}")
@example("a {# c #}{{- subject }}\n{{ nothing }}{{ mapping.a }}{{ moods[5] }}")
@example("{{ subject.upper }}")
def test_the_fast_path_renders_exactly_what_jinja2_renders(text: str) -> None:
    assert outcome(compiled(text, fast=True)) == outcome(compiled(text, fast=False))


def test_every_single_substitution_renders_the_same_both_ways() -> None:
    leaves = [*VARIABLES, *SPECIAL_NAMES, *CONSTANTS]
    suffixes = [
        "",
        *(f".{attribute}" for attribute in ATTRIBUTES),
        *(f"[{item}]" for item in ITEMS),
        *(f" | {name}" for name in FILTERS),
    ]
    different = [
        text
        for leaf in leaves
        for suffix in suffixes
        if outcome(compiled(text := "<{{ " + leaf + suffix + " }}>", fast=True))
        != outcome(compiled(text, fast=False))
    ]
    assert different == []


@pytest.mark.parametrize(
    "text",
    [
        "Shot {{ loop.index }}: the {{ subject }} looks {{ moods[0] }}",
        "{{ subject | upper }} and {{ subject|replace('a', 'o') | title }}",
        "{{- subject -}}  \n {# a comment #} {{ pause }} {{ moods }}",
        "{{ undefined_name }}",
        "{{ 'constant' }} {{ 3 }} {{ true }}",
    ],
)
def test_simple_templates_take_the_fast_path(text: str) -> None:
    template = compile_template(text, fast=True)
    assert template.simple is not None and template.template is None
    assert not template.is_plain


@pytest.mark.parametrize(
    "text",
    [
        "{% if yes %}a{% endif %}",
        "{{ count + 1 }}",
        "{{ subject.upper() }}",
        "{{ subject if yes }}",
        "{{ self }}",
        "{{ subject | no_such_filter }}",
        "{{ moods[1:] }}",
        "{{ subject ~ '!' }}",
    ],
)
def test_other_templates_are_compiled(text: str) -> None:
    try:
        template = compile_template(text, fast=True)
    except TemplateFailure:
        return  # an unknown filter is a compile error, as without the fast path
    assert template.simple is None and template.template is not None


def test_the_fast_path_keeps_the_budget() -> None:
    variables = {**template_globals(), "big": "x" * 60_000}
    template = compile_template("{{ big }}{{ big }}", fast=True)
    assert template.simple is not None
    with pytest.raises(TemplateFailure) as caught:
        template.render(variables)
    assert caught.value.code == "E305"
    method = compile_template("{{ big.upper }}", fast=True)
    with pytest.raises(TemplateFailure) as printed:
        method.render(variables)
    assert printed.value.code == "E308"


def test_odyc_no_fast_path_gives_the_same_output(tmp_path: Path) -> None:
    scene = tmp_path / "scene.ody"
    scene.write_text(
        'let subject = "cat"\nlet moods = ["calm", "sly"]\n'
        'at 0s: start "A {{ subject | upper }}"\n'
        "for mood in moods every 1s:\n"
        '  interact "{{ loop.index }}: {{ mood }} {{ moods }}"\n'
        'after 1s: interact "{{ missing }}"\nafter 1s: end\n',
        encoding="utf-8",
    )
    fast = run_measured(["check", "--format", "json", str(scene)])
    slow = run_measured(["check", "--format", "json", str(scene)], env={"ODYC_NO_FAST_PATH": "1"})
    assert fast.stdout == slow.stdout
    assert [d["code"] for d in json.loads(fast.stdout)] == ["E302"]
    scene.write_text(scene.read_text().replace("{{ missing }}", "b"), encoding="utf-8")
    fast = run_measured([str(scene)])
    slow = run_measured([str(scene)], env={"ODYC_NO_FAST_PATH": "1"})
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout
    assert '"A CAT"' in fast.stdout


QUICK_NAMES = ["subject", "loop", "_x1", "true", "None", "not", "self", "café", "x1"]
QUICK_ATTRIBUTES = ["", ".index", ".true", ".a.b", ".1", "..a", ". a"]
QUICK_ARGUMENTS = [
    "", "()", "('a')", '("b")', "('a', 'b')", "( 'x,1' ,3 )", "(0)", "(10)", "(007)", "(0_0)",
    "(1e3)", "(1.5)", "(-1)", "('é猫🐈')", "('a\\\\nb')", "('it''s')", "(\"it's\")", "(x)",
    "(count=1)", "('a',)",
]  # fmt: skip
QUICK_FILTERS = ["upper", "replace", "default", "center", "no_such_filter", "join", "e"]
QUICK_SPACES = ["", " ", "  ", "\t", "\n", "\u00a0"]


@st.composite
def quick_shaped(draw: st.DrawFn) -> str:
    """Text and tags close to what `quick_template` reads, and near misses of it."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        parts.append(draw(TEXT))
        space = st.sampled_from(QUICK_SPACES)
        tag = draw(st.sampled_from(["{{", "{{", "{{-", "{{{"])) + draw(space)
        tag += draw(st.sampled_from(QUICK_NAMES)) + draw(st.sampled_from(QUICK_ATTRIBUTES))
        for _ in range(draw(st.integers(0, 2))):
            tag += draw(space) + draw(st.sampled_from(["|", "|", "||"])) + draw(space)
            tag += draw(st.sampled_from(QUICK_FILTERS)) + draw(st.sampled_from(QUICK_ARGUMENTS))
        tag += draw(space) + draw(st.sampled_from(["}}", "}}", "-}}", "}}}", "} }"]))
        parts.append(tag)
    parts.append(draw(TEXT))
    return "".join(parts)


def jinja2_reading(text: str) -> SimpleTemplate | None:
    env = environment()
    return simple_template(env.parse(text), env)


@settings(max_examples=500, deadline=None)
@given(st.one_of(quick_shaped(), st.lists(pieces(), min_size=1, max_size=4).map("".join)))
@example("{{ subject | replace('a', 'b') | upper }} x {{ loop.index }}")
@example("{{ subject | replace('猫', \"it's\") }}")
@example("a\r\n{{ subject }}")
@example("{{ subject | center(007) }}")
def test_the_quick_reading_makes_the_nodes_jinja2s_parser_makes(text: str) -> None:
    quick = quick_template(text, environment())
    if quick is not None:
        assert quick == jinja2_reading(text)


@pytest.mark.parametrize(
    "text",
    [
        "Shot 3: {{ subject }} at night",
        "{{ crew | capitalize }} watches {{ subject }} at 40 degrees",
        "Take {{ loop.index }} of {{ loop.length }}",
        "{{ place | replace('a', 'A') }}, {{ mood|upper }}{{ x | default('d', 1) }}",
        "{{subject}}{{ subject }}\n",
    ],
)
def test_the_common_shapes_are_read_quickly(text: str) -> None:
    quick = quick_template(text, environment())
    assert quick is not None
    assert quick == jinja2_reading(text)
    assert compile_template(text, fast=True).simple == quick
