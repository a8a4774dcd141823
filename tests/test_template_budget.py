"""Hostile templates: every render has a budget of output, value size and work, and nothing a
template prints is a Python repr (issue 7, "hostile scenes: templates")."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest
from hostile_support import assert_bounded, run_measured
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl import compile_source
from odyssey_dsl.semantics.template_budget import (
    MAX_RENDERED_CHARS,
    MAX_STEPS_PER_COMPILE,
    MAX_STEPS_PER_RENDER,
)
from odyssey_dsl.semantics.templates import (
    LoopInfo,
    TemplateBudget,
    TemplateFailure,
    compile_template,
    template_globals,
)


def render(text: str, budget: TemplateBudget | None = None, /, **variables: object) -> str:
    return compile_template(text).render({**template_globals(), **variables}, budget)


def failure(text: str, /, **variables: object) -> TemplateFailure:
    with pytest.raises(TemplateFailure) as caught:
        render(text, **variables)
    return caught.value


def codes(text: str) -> list[tuple[str, int, int]]:
    result = compile_source(text, filename="t.ody")
    return [(d.code.code, d.span.line, d.span.column) for d in result.diagnostics]


def scene(prompt: str) -> str:
    return f'# a hostile scene\nat 0s: start "{prompt}"\nat 1s: end\n'


# --- the hostile scenes of the issue, through the real odyc -------------------------------

HOSTILE = {
    "nested-ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "E305",
    ),
    "nested-ranges-silent": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}a",
        "E306",
    ),
    "append-1mb-1000-times": (
        "{% set ns = namespace(s='') %}{% for i in range(1000) %}"
        "{% set ns.s = ns.s ~ ('x' * 1000000) %}{% endfor %}{{ ns.s | length }}",
        "E307",
    ),
    "namespace-doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "E307",
    ),
    "list-doubling": (
        "{% set ns = namespace(s=['x']) %}{% for i in range(64) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}",
        "E307",
    ),
    "center": ("{{ 'a' | center(10**9) }}", "E307"),
    "percent-format": ("{{ '%0999999999d' | format(1) }}", "E307"),
    "squaring": (
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
        "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
        "E307",
    ),
    "25-nested-loops": (
        "".join(f"{{% for i{n} in range(1) %}}" for n in range(25)) + "x" + "{% endfor %}" * 25,
        "E301",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_template_is_a_clear_error_in_bounded_time_and_memory(
    case: str, tmp_path: Path
) -> None:
    template, code = HOSTILE[case]
    path = tmp_path / "hostile.ody"
    path.write_text(scene(template), encoding="utf-8")
    measured = run_measured(["check", "--format", "json", str(path)])
    assert measured.returncode == 1, measured.stderr
    assert_bounded(measured)
    found = [(d["code"], d["line"], d["column"]) for d in json.loads(measured.stdout)]
    assert found == [(code, 2, 14)]


def test_the_whole_compile_shares_one_budget(tmp_path: Path) -> None:
    # Each render stays within its own budget; together they would take minutes.
    loop = "{% for i in range(10000) %}{% for j in range(9) %}{% endfor %}{% endfor %}"
    budget = TemplateBudget()
    render(loop, budget)
    per_render = MAX_STEPS_PER_COMPILE - budget.steps_left
    assert per_render < MAX_STEPS_PER_RENDER
    repeats = 3 * MAX_STEPS_PER_COMPILE // per_render
    path = tmp_path / "many.ody"
    path.write_text(
        f'at 0s: start "a"\nrepeat {repeats} every 1s:\n  interact "{loop}{{{{ loop.index }}}}"\n'
        f"at {repeats + 1}s: end\n",
        encoding="utf-8",
    )
    measured = run_measured(["check", "--format", "json", str(path)])
    assert measured.returncode == 1
    assert_bounded(measured)
    [found] = [d for d in json.loads(measured.stdout) if d["severity"] == "error"]
    assert (found["code"], found["line"], found["column"]) == ("E306", 3, 12)
    assert "the templates of this scene do too much work in all" in found["message"]


# --- output, work and value limits ------------------------------------------------------


def test_output_is_limited_and_the_limit_is_the_callers() -> None:
    at_limit = "{{ 'x' * " + str(MAX_RENDERED_CHARS) + " }}"
    assert len(render(at_limit)) == MAX_RENDERED_CHARS
    over = failure("{{ 'x' * " + str(MAX_RENDERED_CHARS + 1) + " }}")
    assert over.code == "E305"
    assert f"{MAX_RENDERED_CHARS:,}" in over.message
    wide = compile_template("{{ 'x' * 200000 }}")
    assert len(wide.render(template_globals(), max_chars=300_000)) == 200_000


def test_a_plain_prompt_over_the_limit_is_e305_too() -> None:
    assert codes(scene("y" * (MAX_RENDERED_CHARS + 1))) == [("E305", 2, 14)]
    assert codes(scene("y" * MAX_RENDERED_CHARS)) == []


def test_a_list_is_refused_before_its_text_is_built() -> None:
    big = "x" * 900_000
    assert failure("{{ [big, big, big, big] }}", big=big).code == "E305"


def test_an_image_template_may_render_a_data_url_of_megabytes(tmp_path: Path) -> None:
    import base64

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_500_000
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    text = 'at 0s: start "a" with image "{{ img }}"\nat 1s: end\n'
    result = compile_source(text, variables={"img": url})
    assert result.job is not None, [d.message for d in result.diagnostics]


def test_work_per_render_is_limited() -> None:
    steps = "{% for i in range(OUTER) %}{% for j in range(100) %}{% endfor %}{% endfor %}ok"
    assert render(steps.replace("OUTER", "1000")) == "ok"
    over = failure(steps.replace("OUTER", "100000"))
    assert over.code == "E306"
    assert "this template does too much work" in over.message


def test_a_shared_budget_is_spent_by_every_render() -> None:
    budget = TemplateBudget()
    loop = "{% for i in range(100000) %}{% endfor %}a"
    render(loop, budget)
    per_render = MAX_STEPS_PER_COMPILE - budget.steps_left
    assert 0 < per_render < MAX_STEPS_PER_RENDER
    renders = 1
    with pytest.raises(TemplateFailure) as caught:
        for _ in range(100):
            assert render(loop, budget) == "a"
            renders += 1
    assert caught.value.code == "E306"
    assert "the templates of this scene do too much work in all" in caught.value.message
    assert renders == MAX_STEPS_PER_COMPILE // per_render


def test_recursive_loops_count_every_level() -> None:
    text = (
        "{% for x in range(100) recursive %}{% if loop.depth < 4 %}"
        "{{ loop(range(100)) }}{% endif %}{% endfor %}"
    )
    assert failure(text).code in ("E305", "E306")


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(100000) %}{% if i in numbers %}{% endif %}{% endfor %}",
        "{% for i in range(100000) %}{% set y = numbers[:] %}{% endfor %}",
        "{% for i in range(100000) %}{% set n = text.count('a') %}{% endfor %}",
        "{% for i in range(100000) %}{% if text is sameas text %}{% endif %}{% endfor %}",
        "{% macro m() %}" + "{% set a = 1 %}" * 2000 + "{% endmacro %}"
        "{% for i in range(100000) %}{{ m() }}{% endfor %}",
        "{% for i in range(100000) %}" + "{{ '' }}" * 100 + "{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) if false %}{% endfor %}{% endfor %}",
        "{{ text[:200000] | wordwrap(1) }}",
        "{% for i in range(100000) %}{{ text | title | length }}{% endfor %}",
    ],
)
def test_work_on_large_values_and_long_bodies_is_counted(template: str) -> None:
    caught = failure(template, numbers=list(range(100000)), text="a" * 1_000_000)
    assert caught.code == "E306", caught.message


def test_macros_that_call_themselves_twice_are_limited() -> None:
    text = (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
    )
    assert failure(text).code == "E306"


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x'.zfill(10**9) }}",
        "{{ ('\\t' * 1000).expandtabs(10**6) }}",
        "{{ ('a' * 1000000).replace('a', 'aaaa') }}",
        "{{ ('a' * 1000).replace('', 'x' * 10000) }}",
        "{{ ('a' * 1000).translate({97: 'x' * 10000}) }}",
        "{{ ('x' * 1000000).join(range(1000) | map('string')) }}",
        "{{ range(1000) | join('x' * 1000000) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{0:{1}}'.format(1, 999999999) }}",
        "{{ '%.999999999f' % 1.0 }}",
        "{{ '%*d' % (999999999, 1) }}",
        "{{ 'a' | indent(10**9) }}",
        "{{ ('a\\n' * 100000) | indent(100) }}",
        "{{ ('a ' * 1000) | wordwrap(1, wrapstring='x' * 1000000) }}",
        "{{ ('a.com ' * 1000) | urlize(target='x' * 100000) }}",
        "{{ range(1000) | list | tojson(indent=10**6) }}",
        "{{ [1] | batch(10**9, 0) | list }}",
        "{{ [1] | slice(10**9) | list }}",
        "{{ ['x' * 1000] * 10000 }}",
        "{{ dict.fromkeys(range(100000), 'x' * 100) }}",
        "{{ 10 ** 100000 }}",
        "{{ (10 ** 4000) * (10 ** 4000) }}",
        "{{ (1).to_bytes(10**9, 'big') }}",
        "{{ 'a' ~ ('x' * 1000000) ~ ('x' * 1000000) }}",
        "{% set s %}{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}ok",
        "{% filter upper %}{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}{% endfilter %}",
    ],
)
def test_a_value_too_large_is_refused_before_it_is_made(template: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    caught = failure(template)
    assert caught.code in ("E305", "E307"), caught.message
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300


def test_lists_and_dicts_cannot_be_changed_in_place() -> None:
    xs = [1, 2]
    caught = failure("{{ xs.append(3) }}", xs=xs)
    assert caught.code == "E303"
    assert xs == [1, 2]


# --- nothing non-deterministic, nothing that is not text --------------------------------


def test_lipsum_and_random_are_left_out_so_compiles_are_deterministic() -> None:
    assert "lipsum" not in template_globals()
    undefined = failure("{{ lipsum() }}")
    assert (undefined.code, undefined.name) == ("E302", "lipsum")
    assert "same output" in (undefined.help or "")
    with pytest.raises(TemplateFailure) as unknown:
        compile_template("{{ [1, 2] | random }}")
    assert unknown.value.code == "E301"


@pytest.mark.parametrize(
    ("template", "what"),
    [
        ("{{ x.translate }}", "the method `translate`"),
        ("{{ x.upper ~ '' }}", "the method `upper`"),
        ("{{ x.upper | upper }}", "the method `upper`"),
        ("{{ x.upper | string }}", "the method `upper`"),
        ("{{ '%s' % x.upper }}", "the method `upper`"),
        ("{{ '{}'.format(x.upper) }}", "the method `upper`"),
        ("{{ [x.upper] }}", "the method `upper`"),
        ("{{ [x] | map(attribute='upper') | join }}", "the method `upper`"),
        ("{{ 'a' | replace('a', x.upper) }}", "the method `upper`"),
        ("{{ range }}", "the function `range`"),  # not the sandbox's own name, safe_range
        ("{{ namespace }}", "the type `Namespace`"),
        ("{% macro m() %}{% endmacro %}{{ m }}", "the macro `m`"),
        ("{{ [x] | map('upper') }}", "a sequence that is computed as it is read"),
        ("{{ loop }}", "`loop` itself"),
        ("{{ joiner() }}", "a `Joiner` object"),
        ("{{ namespace(a=1) }}", "a `Namespace` object"),
    ],
)
def test_functions_methods_and_objects_are_never_printed(template: str, what: str) -> None:
    caught = failure(template, x="a", loop=LoopInfo(0, 1))
    assert caught.code == "E308"
    assert caught.message == f"this template prints {what}, which is not text"
    assert "0x" not in caught.message + (caught.help or "")


def test_the_method_error_is_reported_at_the_string() -> None:
    text = 'let x = "a"\nat 0s: start "{{ x.translate }}"\nat 1s: end\n'
    assert codes(text) == [("E308", 2, 14)]


def test_values_still_print_as_ody_writes_them() -> None:
    from odyssey_dsl.syntax.durations import Duration

    assert render(
        "{{ xs }} {{ t }} {{ d }} {{ n }}",
        xs=["a", 1, True],
        t=True,
        d=Duration(90000, "1m30s"),
        n=3,
    ) == ('["a", 1, true] true 1m30s 3')
    assert render("{{ xs | map('upper') | join(', ') }}", xs=["a", "b"]) == "A, B"
    assert (
        render("{{ '{:>5}'.format(x) }}|{{ '%03d' % 7 }}|{{ x.upper() }}", x="ab") == "   ab|007|AB"
    )
    assert render("{% for a in xs %}{{ loop.index }}{{ a }}{% endfor %}", xs="xy") == "1x2y"


# --- an invariant over random compositions ------------------------------------------------

SIZES = st.sampled_from([0, 1, 7, 1000, 10**5, 10**6, 10**9])
ATOMS = st.one_of(
    SIZES.map(str),
    st.sampled_from(["'ab'", "'x' * 1000", "[1, 2]", "range(1000) | list", "'a\\nb'"]),
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0:
        return draw(ATOMS)
    inner = draw(expressions(depth - 1))
    size = draw(SIZES)
    return draw(
        st.sampled_from(
            [
                f"({inner}) * {size}",
                f"({inner}) ~ ({inner})",
                f"({inner}) + ({inner})",
                f"({inner}) ** {size}",
                f"({inner}) | string | center({size})",
                f"({inner}) | string | indent({size})",
                f"'%{size}s' | format({inner})",
                f"({inner}) | join(({inner}) | string)",
                f"({inner}) | string | replace('a', ({inner}) | string)",
                f"({inner}) | string | wordwrap({size} % 80 + 1)",
                f"[{inner}, {inner}]",
            ]
        )
    )


@settings(max_examples=60, deadline=None)
@given(
    expressions(), st.sampled_from(["", "{% for i in range(100000) %}", "{% for i in range(30) %}"])
)
def test_any_composition_renders_within_bounds_or_fails_cleanly(expression: str, loop: str) -> None:
    template = loop + "{{ " + expression + " }}" + ("{% endfor %}" if loop else "")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        text = render(template)
    except TemplateFailure as caught:
        assert caught.code in ("E303", "E305", "E306", "E307", "E308"), caught.message
    else:
        assert len(text) <= MAX_RENDERED_CHARS
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300, template


@pytest.mark.parametrize(
    ("template", "called"),
    [
        ("{{ x.upper }}", "upper"),
        ("{{ range }}", "range"),
        ("{% macro m() %}{% endmacro %}{{ m }}", "m"),
    ],
)
def test_the_help_for_a_function_says_where_to_call_it(template: str, called: str) -> None:
    caught = failure(template, x="a", loop=LoopInfo(0, 1))
    assert caught.help == f"to use its result, call it: write `(...)` after `{called}`"
