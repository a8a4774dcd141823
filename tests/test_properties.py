"""Property tests of the whole compiler: random valid scenes, durations and hostile input.

The valid scenes are generated as a small tree (`Act`, `Loop`, `Let`) that is printed as Ody
source text and, separately, run by an independent model of the spec's timing and template
rules (`run_scene`). The compiler's output must agree with the model entry by entry: count,
timestamps, actions and rendered prompts. The generator builds every scene so that its
timeline is valid (strictly increasing times, balanced streams), so each one must compile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odyssey_dsl import CompileResult, compile_source
from odyssey_dsl.emit.job import render_json
from odyssey_dsl.emit.json_text import json_text
from odyssey_dsl.emit.models import Job, ScriptEntry
from odyssey_dsl.syntax.durations import format_duration, parse_duration

SCENE_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FUZZ_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# --------------------------------------------------------------------------------------------
# Durations: independent spellings of a number of milliseconds
# --------------------------------------------------------------------------------------------

_UNITS = (("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1))


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def duration_spellings(ms: int) -> list[str]:
    """Every way this model knows to write `ms` as an Ody duration literal."""
    spellings = [f"{ms}ms"]
    if ms % 1000 == 0:
        spellings.append(f"{ms // 1000}s")
    if ms % 60_000 == 0 and ms:
        spellings.append(f"{ms // 60_000}m")
    if ms % 1000:
        spellings.append(_decimal_text(Decimal(ms) / 1000) + "s")  # 1.5s, 0.25s, 1.001s
    if ms % 30_000 == 0 and ms % 60_000:
        spellings.append(_decimal_text(Decimal(ms) / 60_000) + "m")  # 1.5m
    parts: list[str] = []
    rest = ms
    for unit, size in _UNITS:
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(f"{amount}{unit}")
    if parts:
        spellings.append("".join(parts))  # 1h2m, 1m30s, 2s500ms
    seconds, millis = divmod(ms, 1000)
    if seconds and millis:
        spellings.append(f"{seconds}s{millis}ms")
    return sorted(set(spellings))


@st.composite
def duration_literal(draw: st.DrawFn, ms: int) -> str:
    return draw(st.sampled_from(duration_spellings(ms)))


# --------------------------------------------------------------------------------------------
# The scene tree and its printing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    """A variable visible to templates: its name, how it renders, and its typed value."""

    name: str
    kind: str  # "str", "int", "float", "bool", "dur", "list", "item", "local"
    rendered: str
    ms: int | None = None
    number: int | None = None
    items: tuple[str, ...] = ()


# A prompt piece: ("lit", source, rendered), ("ref", name, ""), ("loop", attribute, "").
Piece = tuple[str, str, str]


@dataclass(frozen=True)
class Prompt:
    """A prompt: lines of pieces (one line for `"..."`), paragraphs for `\"\"\"...\"\"\"`."""

    paragraphs: tuple[tuple[tuple[Piece, ...], ...], ...]
    triple: bool = False
    same_line_open: bool = False


@dataclass(frozen=True)
class Time:
    """A time prefix: `at`/`after`, its milliseconds and its source text (literal or name)."""

    word: str
    ms: int
    text: str


@dataclass(frozen=True)
class Act:
    kind: str  # start / interact / end
    time: Time | None
    prompt: Prompt | None = None


@dataclass(frozen=True)
class Let:
    name: str
    value_source: str
    var: Var
    template: tuple[Piece, ...] | None = None
    """For string lets: the pieces, rendered when the `let` is reached."""


@dataclass(frozen=True)
class Loop:
    time: Time | None
    every_ms: int
    every_text: str
    count: int
    count_text: str
    body: tuple[Node, ...]
    for_var: str | None = None
    items: tuple[str, ...] = ()
    items_text: str = ""


Node = Act | Let | Loop


@dataclass(frozen=True)
class Scene:
    lets: tuple[Let, ...]
    scripts: tuple[tuple[str | None, tuple[Node, ...]], ...]
    """(name, statements); the name is None for a file without `script` blocks."""
    portrait: bool | None
    crlf: bool = False
    bom: bool = False
    final_newline: bool = True
    comments: bool = False


def piece_source(piece: Piece) -> str:
    kind, text, _ = piece
    if kind == "lit":
        return text
    if kind == "ref":
        return "{{ " + text + " }}"
    return "{{ loop." + text + " }}"


def prompt_source(prompt: Prompt, indent: int) -> str:
    if not prompt.triple:
        return '"' + " ".join(piece_source(p) for p in prompt.paragraphs[0][0]) + '"'
    inner = " " * (indent + 4)
    lines: list[str] = []
    for number, paragraph in enumerate(prompt.paragraphs):
        if number:
            lines.append("" if number % 2 else "  ")  # blank lines, one with spaces
        for line in paragraph:
            lines.append(inner + " ".join(piece_source(p) for p in line) + "   ")
    if prompt.same_line_open:
        return '"""' + "\n".join(lines).lstrip() + '"""'
    return '"""\n' + "\n".join(lines) + "\n" + inner + '"""'


def time_source(time: Time) -> str:
    return f"{time.word} {time.text}"


def print_nodes(nodes: Sequence[Node], indent: int, step: int, out: list[str]) -> None:
    pad = " " * indent
    for node in nodes:
        if isinstance(node, Let):
            out.append(f"{pad}let {node.name} = {node.value_source}")
        elif isinstance(node, Act):
            action = node.kind
            if node.prompt is not None:
                action += " " + prompt_source(node.prompt, indent)
            prefix = f"{time_source(node.time)}: " if node.time else ""
            out.append(f"{pad}{prefix}{action}")
        else:
            head = f"{time_source(node.time)} " if node.time else ""
            if node.for_var is None:
                head += f"repeat {node.count_text} every {node.every_text}:"
            else:
                head += f"for {node.for_var} in {node.items_text} every {node.every_text}:"
            out.append(pad + head)
            print_nodes(node.body, indent + step, step, out)


def scene_source(scene: Scene, step: int = 2) -> str:
    out: list[str] = []
    if scene.comments:
        out.append("# a generated scene")
        out.append("")
    if scene.portrait is not None:
        out.append(f"portrait: {'true' if scene.portrait else 'false'}")
    print_nodes(scene.lets, 0, step, out)
    for name, nodes in scene.scripts:
        if name is None:
            print_nodes(nodes, 0, step, out)
        else:
            if scene.comments:
                out.append("")
            out.append(f'script "{name}":')
            print_nodes(nodes, step, step, out)
    if scene.comments:
        out = [line + "  # note" if line.startswith(("let", "at ")) else line for line in out]
    text = "\n".join(out) + ("\n" if scene.final_newline else "")
    if scene.crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if scene.bom else "") + text


# --------------------------------------------------------------------------------------------
# The model: what a scene expands to, by the spec's rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    timestamp_ms: int
    kind: str
    prompt: str | None


@dataclass
class LoopFrame:
    index0: int
    length: int


@dataclass
class Env:
    values: dict[str, str]
    loops: list[LoopFrame] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    """`--var` values: each replaces the `let` of its name (rendered as given)."""

    def child(self) -> Env:
        return Env(dict(self.values), list(self.loops), self.overrides)


def render_bool(value: bool) -> str:
    return "true" if value else "false"


def render_pieces(pieces: Sequence[Piece], env: Env) -> str:
    words: list[str] = []
    for kind, text, rendered in pieces:
        if kind == "lit":
            words.append(rendered)
        elif kind == "ref":
            words.append(env.values[text])
        else:
            frame = env.loops[-1]
            words.append(
                {
                    "index": str(frame.index0 + 1),
                    "index0": str(frame.index0),
                    "first": render_bool(frame.index0 == 0),
                    "last": render_bool(frame.index0 == frame.length - 1),
                    "length": str(frame.length),
                }[text]
            )
    return " ".join(words)


def render_prompt(prompt: Prompt, env: Env) -> str:
    # Folding happens before templating; rendering line by line is the same here because
    # no rendered value starts or ends with whitespace.
    return "\n".join(
        " ".join(render_pieces(line, env) for line in paragraph) for paragraph in prompt.paragraphs
    )


def run_block(nodes: Sequence[Node], origin: int, env: Env, out: list[Expected]) -> None:
    """Expand one block whose origin is `origin` (absolute ms), appending to `out`."""
    last: int | None = None  # absolute time of the previous timed statement of this block
    for node in nodes:
        base = origin if last is None else last
        if isinstance(node, Let):
            if node.name in env.overrides:
                env.values[node.name] = env.overrides[node.name]
            elif node.template is not None:
                env.values[node.name] = render_pieces(node.template, env)
            else:
                env.values[node.name] = node.var.rendered
        elif isinstance(node, Act):
            if node.time is None:
                moment = origin
            elif node.time.word == "at":
                moment = origin + node.time.ms
            else:
                moment = base + node.time.ms
            prompt = render_prompt(node.prompt, env) if node.prompt else None
            out.append(Expected(moment, node.kind, prompt))
            last = moment
        else:
            if node.time is None:
                start = base + node.every_ms
            elif node.time.word == "at":
                start = origin + node.time.ms
            else:
                start = base + node.time.ms
            emitted_before = len(out)
            for k in range(node.count):
                inner = env.child()
                inner.loops.append(LoopFrame(k, node.count))
                if node.for_var is not None:
                    inner.values[node.for_var] = node.items[k]
                run_block(node.body, start + k * node.every_ms, inner, out)
            last = out[-1].timestamp_ms if len(out) > emitted_before else start


def render_value(value: object) -> str:
    """How a `--var` value renders in a template."""
    if isinstance(value, bool):
        return render_bool(value)
    return str(value)


def run_scene(scene: Scene, overrides: dict[str, object] | None = None) -> list[list[Expected]]:
    top = Env({}, overrides={k: render_value(v) for k, v in (overrides or {}).items()})
    run_block(scene.lets, 0, top, [])
    scripts = []
    for _, nodes in scene.scripts:
        out: list[Expected] = []
        run_block(nodes, 0, top.child(), out)
        scripts.append(out)
    return scripts


# --------------------------------------------------------------------------------------------
# The generator: valid scenes by construction
# --------------------------------------------------------------------------------------------

WORDS = ("red", "fox", "sky", "wave", "calm", "night", "river", "tree", "Mist", "gold", "no#1")
ESCAPES = (
    ('\\"q\\"', '"q"'),
    ("\\u{263A}", "\u263a"),
    ("\\u{1F408}", "\U0001f408"),
    ("caf\\u{e9}", "caf\u00e9"),
    ("a\\\\b", "a\\b"),
    ("tab\\tx", "tab\tx"),
)
EXTRAS = (0, 1, 7, 100, 250, 999, 1000, 1500, 60_000, 90_500)


@dataclass
class Clock:
    """The generator's view of one block: relative times of its timed statements."""

    last: int | None = None
    """Time of the previous timed statement, relative to the block's origin."""
    current: int | None = None
    """Time of the last entry emitted in this block (or its nested loops)."""
    emitted: list[int] = field(default_factory=list)

    def need(self) -> int:
        """The earliest time the next entry may have (strictly after the last one)."""
        return 0 if self.current is None else self.current + 1

    def base(self) -> int:
        return 0 if self.last is None else self.last


@dataclass
class Names:
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


@dataclass
class Gen:
    draw: st.DrawFn
    names: Names
    top_vars: tuple[Var, ...]

    def duration_at_least(self, minimum: int, visible: Sequence[Var]) -> tuple[int, str]:
        usable = [v for v in visible if v.kind == "dur" and v.ms is not None and v.ms >= minimum]
        use_variable: bool = self.draw(st.booleans())
        if usable and use_variable:
            var = self.draw(st.sampled_from(usable))
            assert var.ms is not None
            return var.ms, var.name
        ms = minimum + self.draw(st.sampled_from(EXTRAS))
        return ms, self.draw(duration_literal(ms))

    def prompt_line(self, visible: Sequence[Var], in_loop: bool) -> tuple[Piece, ...]:
        refs = [v for v in visible if v.kind not in ("list",)]
        pieces: list[Piece] = [("lit", w, w) for w in [self.draw(st.sampled_from(WORDS))]]
        for _ in range(self.draw(st.integers(0, 3))):
            choice = self.draw(st.integers(0, 3))
            if choice == 0 and refs:
                pieces.append(("ref", self.draw(st.sampled_from(refs)).name, ""))
            elif choice == 1 and in_loop:
                attribute = self.draw(
                    st.sampled_from(["index", "index0", "first", "last", "length"])
                )
                pieces.append(("loop", attribute, ""))
            elif choice == 2:
                source, rendered = self.draw(st.sampled_from(ESCAPES))
                pieces.append(("lit", source, rendered))
            else:
                word = self.draw(st.sampled_from(WORDS))
                pieces.append(("lit", word, word))
        return tuple(pieces)

    def prompt(self, visible: Sequence[Var], in_loop: bool, allow_triple: bool) -> Prompt:
        if allow_triple and self.draw(st.integers(0, 3)) == 0:
            paragraphs = tuple(
                tuple(
                    self.prompt_line(visible, in_loop) for _ in range(self.draw(st.integers(1, 3)))
                )
                for _ in range(self.draw(st.integers(1, 3)))
            )
            return Prompt(paragraphs, triple=True, same_line_open=self.draw(st.booleans()))
        return Prompt(((self.prompt_line(visible, in_loop),),))

    def action(
        self, clock: Clock, kind: str, visible: Sequence[Var], in_loop: bool, allow_bare: bool
    ) -> Act:
        need = clock.need()
        options = ["at", "after"] + (["bare"] if allow_bare and clock.current is None else [])
        word = self.draw(st.sampled_from(options))
        time: Time | None
        if word == "bare":
            time, moment = None, 0
        elif word == "at":
            ms, text = self.duration_at_least(need, visible)
            time, moment = Time("at", ms, text), ms
        else:
            ms, text = self.duration_at_least(max(0, need - clock.base()), visible)
            time, moment = Time("after", ms, text), clock.base() + ms
        clock.last = clock.current = moment
        clock.emitted.append(moment)
        prompt = None
        if kind != "end":
            prompt = self.prompt(visible, in_loop, allow_triple=kind == "start")
        return Act(kind, time, prompt)

    def loop(
        self,
        clock: Clock,
        visible: Sequence[Var],
        depth: int,
        body: Callable[[Clock, list[Var], int], list[Node]],
        min_count: int,
    ) -> Loop:
        inner_visible = list(visible)
        for_var = None
        items: tuple[str, ...] = ()
        items_text = count_text = ""
        lists = [v for v in visible if v.kind == "list" and len(v.items) >= min_count]
        ints = [
            v for v in visible if v.kind == "int" and v.number is not None and v.number >= min_count
        ]
        style = self.draw(st.sampled_from(["repeat", "repeat-var", "for", "for-var"]))
        if style == "for-var" and lists:
            var = self.draw(st.sampled_from(lists))
            items, items_text = var.items, var.name
        elif style.startswith("for"):
            items = tuple(
                self.draw(st.lists(st.sampled_from(WORDS), min_size=min_count, max_size=3))
            )
            items_text = "[" + ", ".join(f'"{w}"' for w in items) + "]"
        elif style == "repeat-var" and ints:
            var = self.draw(st.sampled_from(ints))
            assert var.number is not None
            count, count_text = var.number, var.name
        else:
            count = self.draw(st.integers(min_count, 3))
            count_text = str(count)
        if items_text:
            count = len(items)
            for_var = self.names.fresh("item")
            inner_visible.append(Var(for_var, "item", ""))
        body_clock = Clock()
        nodes = body(body_clock, inner_visible, depth + 1)
        emitted = body_clock.emitted
        span = emitted[-1] - emitted[0] + 1 if emitted else 1
        every_ms, every_text = self.duration_at_least(span, visible)
        emits = bool(emitted) and count > 0
        first = emitted[0] if emitted else 0
        need = clock.need()
        options = ["at", "after"]
        if not emits or clock.base() + every_ms + first >= need:
            options.append("bare")
        word = self.draw(st.sampled_from(options))
        time: Time | None = None
        if word == "bare":
            start = clock.base() + every_ms
        elif word == "at":
            ms, text = self.duration_at_least(max(0, need - first) if emits else 0, visible)
            time, start = Time("at", ms, text), ms
        else:
            minimum = max(0, need - first - clock.base()) if emits else 0
            ms, text = self.duration_at_least(minimum, visible)
            time, start = Time("after", ms, text), clock.base() + ms
        produced = [start + k * every_ms + t for k in range(count) for t in emitted]
        clock.emitted.extend(produced)
        if produced:
            clock.last = clock.current = produced[-1]
        else:
            clock.last = start
        return Loop(
            time, every_ms, every_text, count, count_text, tuple(nodes), for_var, items, items_text
        )

    def local_let(self, visible: list[Var], in_loop: bool) -> Let:
        name = self.names.fresh("local")
        pieces = self.prompt_line(visible, in_loop)
        var = Var(name, "local", "")
        visible.append(var)
        return Let(name, '"' + " ".join(piece_source(p) for p in pieces) + '"', var, pieces)

    def interact_items(
        self, clock: Clock, visible: list[Var], depth: int, in_loop: bool, max_items: int = 3
    ) -> list[Node]:
        """Statements of a running stream: interactions and loops of interactions."""
        nodes: list[Node] = []
        if in_loop and self.draw(st.integers(0, 3)) == 0:
            nodes.append(self.local_let(visible, in_loop))
        for _ in range(self.draw(st.integers(0 if not in_loop else 1, max_items))):
            if depth < 3 and self.draw(st.integers(0, 2)) == 0:
                nodes.append(
                    self.loop(
                        clock,
                        visible,
                        depth,
                        lambda c, v, d: self.interact_items(c, v, d, True),
                        min_count=0,
                    )
                )
            else:
                first_in_body = in_loop and not nodes
                nodes.append(self.action(clock, "interact", visible, in_loop, first_in_body))
        return nodes

    def stream(self, clock: Clock, visible: list[Var], depth: int, in_loop: bool) -> list[Node]:
        nodes: list[Node] = [self.action(clock, "start", visible, in_loop, allow_bare=in_loop)]
        nodes += self.interact_items(clock, visible, depth, in_loop=in_loop, max_items=3)
        nodes.append(self.action(clock, "end", visible, in_loop, allow_bare=False))
        return nodes

    def script(self, visible: list[Var]) -> list[Node]:
        clock = Clock()
        nodes: list[Node] = []
        if self.draw(st.integers(0, 3)) == 0:
            name = self.names.fresh("local")
            value = self.draw(st.sampled_from(WORDS))
            var = Var(name, "str", value)
            nodes.append(Let(name, f'"{value}"', var))
            visible = [*visible, var]
        for number in range(self.draw(st.integers(1, 3))):
            if number and self.draw(st.integers(0, 2)) == 0:
                nodes.append(
                    self.loop(
                        clock,
                        visible,
                        1,
                        lambda c, v, d: self.stream(c, v, d, in_loop=True),
                        min_count=1,
                    )
                )
            else:
                nodes += self.stream(clock, list(visible), 1, in_loop=False)
        return nodes


def top_level_lets(draw: st.DrawFn) -> tuple[list[Let], list[Var]]:
    lets: list[Let] = []
    vars_: list[Var] = []
    for number in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["str", "int", "float", "bool", "dur", "list", "template"]))
        name = f"v{number}"
        if kind == "str":
            value = draw(st.sampled_from(WORDS))
            var = Var(name, "str", value)
            lets.append(Let(name, f'"{value}"', var))
        elif kind == "template" and [v for v in vars_ if v.kind != "list"]:
            ref = draw(st.sampled_from([v for v in vars_ if v.kind != "list"]))
            pieces: tuple[Piece, ...] = (("lit", "about", "about"), ("ref", ref.name, ""))
            var = Var(name, "str", "about " + ref.rendered)
            lets.append(Let(name, '"about {{ ' + ref.name + ' }}"', var, pieces))
        elif kind == "int":
            number_value = draw(st.integers(0, 3))
            var = Var(name, "int", str(number_value), number=number_value)
            lets.append(Let(name, str(number_value), var))
        elif kind == "float":
            text = draw(st.sampled_from(["0.5", "1.25", "2.0", "3.75"]))
            var = Var(name, "float", str(float(text)))
            lets.append(Let(name, text, var))
        elif kind == "bool":
            flag = draw(st.booleans())
            var = Var(name, "bool", render_bool(flag))
            lets.append(Let(name, render_bool(flag), var))
        elif kind == "dur":
            ms = draw(st.sampled_from([0, 1, 100, 250, 1000, 1500, 2000, 61_000]))
            text = draw(duration_literal(ms))
            var = Var(name, "dur", text, ms=ms)
            lets.append(Let(name, text, var))
        else:
            items = tuple(draw(st.lists(st.sampled_from(WORDS), max_size=3)))
            var = Var(name, "list", "", items=items)
            lets.append(Let(name, "[" + ", ".join(f'"{w}"' for w in items) + "]", var))
        vars_.append(var)
    return lets, vars_


@st.composite
def scenes(draw: st.DrawFn, batch: bool | None = None) -> Scene:
    lets, vars_ = top_level_lets(draw)
    gen = Gen(draw, Names(), tuple(vars_))
    is_batch = draw(st.booleans()) if batch is None else batch
    scripts: list[tuple[str | None, tuple[Node, ...]]] = []
    if is_batch:
        for number in range(draw(st.integers(1, 3))):
            scripts.append((f"take {number}", tuple(gen.script(list(vars_)))))
    else:
        scripts.append((None, tuple(gen.script(list(vars_)))))
    return Scene(
        tuple(lets),
        tuple(scripts),
        portrait=draw(st.sampled_from([None, True, False])),
        crlf=draw(st.booleans()),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
        comments=draw(st.booleans()),
    )


# --------------------------------------------------------------------------------------------
# Checks on compiled output
# --------------------------------------------------------------------------------------------


def action_of(entry: ScriptEntry) -> tuple[str, str | None]:
    if entry.start is not None:
        return "start", entry.start.prompt
    if entry.interact is not None:
        return "interact", entry.interact.prompt
    return "end", None


def assert_timeline_invariants(script: Sequence[ScriptEntry]) -> None:
    """Times never go backwards, streams alternate start ... end, the first is a start."""
    assert script, "a compiled script is never empty"
    assert script[0].start is not None
    running = False
    previous = -1
    for entry in script:
        assert entry.timestamp_ms >= previous
        previous = entry.timestamp_ms
        kind, _ = action_of(entry)
        if kind == "start":
            assert not running
            running = True
        else:
            assert running
            running = kind != "end"
    assert not running, "every stream ends"


def compile_scene(
    text: str, expected_count: int, overrides: dict[str, object] | None = None
) -> CompileResult:
    return compile_source(
        text,
        filename="scene.ody",
        variables=overrides,
        max_entries=max(10_000, expected_count),
    )


def describe(result: CompileResult) -> str:
    return "\n".join(
        f"{d.span.line}:{d.span.column} {d.code.code} {d.message}" for d in result.diagnostics
    )


@SCENE_SETTINGS
@given(scene=scenes(batch=False), step=st.sampled_from([2, 4]))
def test_valid_scene_matches_model(scene: Scene, step: int) -> None:
    check_scene(scene, step)


@SCENE_SETTINGS
@given(scene=scenes(batch=True))
def test_valid_batch_matches_model(scene: Scene) -> None:
    check_scene(scene, 2)


def check_scene(scene: Scene, step: int, overrides: dict[str, object] | None = None) -> None:
    text = scene_source(scene, step)
    expected = run_scene(scene, overrides)
    for model_script in expected:  # the generator's own promise, checked before blaming odyc
        times = [e.timestamp_ms for e in model_script]
        assert times == sorted(set(times)), f"generator bug: {times}\n{text}"
    total = sum(len(s) for s in expected)
    result = compile_scene(text, total, overrides)
    assert result.ok, f"{describe(result)}\n--- scene:\n{text}"
    assert result.job is not None
    assert not [d for d in result.diagnostics if d.code.code == "E999"]
    job = result.job
    assert job.is_batch == (scene.scripts[0][0] is not None)
    assert job.portrait is (True if scene.portrait is None else scene.portrait)
    compiled = job.all_scripts()
    assert len(compiled) == len(expected)
    assert sum(len(s) for s in compiled) == total
    for script, model in zip(compiled, expected, strict=True):
        assert_timeline_invariants(script)
        got = [(e.timestamp_ms, *action_of(e)) for e in script]
        want = [(e.timestamp_ms, e.kind, e.prompt) for e in model]
        assert got == want, f"--- scene:\n{text}"
    if job.script_names is not None:
        assert job.script_names == [name for name, _ in scene.scripts]


@SCENE_SETTINGS
@given(scene=scenes(), data=st.data())
def test_variable_overrides_replace_lets(scene: Scene, data: st.DataObject) -> None:
    # Only values that change prompts, not timing, so the scene stays valid: `--var`
    # strings, booleans and floats in place of top-level `let`s of those kinds.
    replaceable = [let.name for let in scene.lets if let.var.kind in ("str", "bool", "float")]
    names = data.draw(
        st.lists(st.sampled_from(replaceable), unique=True) if replaceable else st.just([])
    )
    overrides: dict[str, object] = {
        name: data.draw(
            st.one_of(st.sampled_from(WORDS), st.booleans(), st.sampled_from([0.5, 7.25]))
        )
        for name in names
    }
    check_scene(scene, 2, overrides)


@st.composite
def free_timelines(draw: st.DrawFn) -> Scene:
    """One stream whose times are drawn freely: it may or may not go backwards."""
    number = iter(range(1, 1000))

    def prompt(in_loop: bool) -> Prompt:
        pieces: list[Piece] = [("lit", f"p{next(number)}", "")]
        if in_loop:
            pieces.append(("loop", "index", ""))
        return Prompt(((tuple((k, t, t if k == "lit" else r) for k, t, r in pieces),),))

    def time(bare_ok: bool) -> Time | None:
        word = draw(st.sampled_from(["at", "after", "bare"] if bare_ok else ["at", "after"]))
        if word == "bare":
            return None
        ms = draw(st.sampled_from([0, 50, 99, 100, 150, 500, 1000, 2000, 4000]))
        return Time(word, ms, format_duration(ms))

    nodes: list[Node] = [Act("start", Time("at", 0, "0s"), prompt(False))]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            body: list[Node] = [
                Act("interact", time(bare_ok=index == 0), prompt(True))
                for index in range(draw(st.integers(1, 2)))
            ]
            every = draw(st.sampled_from([50, 100, 500, 1000, 1500]))
            count = draw(st.integers(0, 3))
            nodes.append(
                Loop(time(True), every, format_duration(every), count, str(count), tuple(body))
            )
        else:
            nodes.append(Act("interact", time(False), prompt(False)))
    nodes.append(Act("end", time(False)))
    return Scene((), ((None, tuple(nodes)),), portrait=None)


@SCENE_SETTINGS
@given(scene=free_timelines())
def test_timeline_verdict_matches_model(scene: Scene) -> None:
    """odyc accepts a timeline exactly when the model's times strictly increase, and warns
    about entries closer than the minimum gap (100 ms) exactly when the model has some."""
    text = scene_source(scene)
    (model,) = run_scene(scene)
    times = [e.timestamp_ms for e in model]
    result = compile_scene(text, len(model))
    codes = {d.code.code for d in result.diagnostics}
    if all(a < b for a, b in pairwise(times)):
        assert result.ok, f"{describe(result)}\n--- scene:\n{text}"
        assert result.job is not None and result.job.script is not None
        assert [e.timestamp_ms for e in result.job.script] == times
        too_close = any(b - a < 100 for a, b in pairwise(times))
        assert ("W102" in codes) == too_close, f"{times}\n{describe(result)}"
    else:
        assert not result.ok, f"times {times} were accepted\n--- scene:\n{text}"
        assert {d.code.code for d in result.errors} <= {"E501", "E506"}, describe(result)
        if any(b < a for a, b in pairwise(times)):
            assert "E501" in codes
        else:
            assert "E506" in codes


@SCENE_SETTINGS
@given(scene=scenes())
def test_compiling_twice_is_byte_identical(scene: Scene) -> None:
    text = scene_source(scene)
    first = compile_source(text, filename="scene.ody", max_entries=100_000)
    second = compile_source(text, filename="scene.ody", max_entries=100_000)
    assert first.ok and second.ok, describe(first)
    assert first.job is not None and second.job is not None
    assert first.compiled is not None and second.compiled is not None
    for emit in ("script", "request"):
        assert json_text(first.compiled, emit=emit) == json_text(second.compiled, emit=emit)
        # odyc writes the JSON directly; the models serialise the same job to the same text
        assert json_text(first.compiled, emit=emit) == render_json(first.job, emit=emit)
    compact = render_json(first.job, compact=True)
    assert "\n" not in compact.removesuffix("\n"), "--compact is one line"
    assert json.loads(compact) == json.loads(render_json(first.job))
    assert [d.as_json() for d in first.diagnostics] == [d.as_json() for d in second.diagnostics]
    request = json.loads(render_json(first.job, emit="request"))
    assert Job.model_validate(request) == first.job.model_copy(update={"script_names": None})


# --------------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------------

milliseconds = st.one_of(
    st.integers(0, 10_000),
    st.integers(0, 10**10),
    st.sampled_from([0, 1, 999, 1000, 1001, 59_999, 60_000, 3_599_999, 3_600_000]),
)


@settings(max_examples=300, deadline=None)
@given(ms=milliseconds)
def test_format_then_parse_duration_round_trips(ms: int) -> None:
    text = format_duration(ms)
    assert parse_duration(text) == ms
    for spelling in duration_spellings(ms):
        assert parse_duration(spelling) == ms, spelling


@settings(max_examples=60, deadline=None)
@given(ms=st.integers(0, 10**8), data=st.data())
def test_duration_literal_in_a_scene(ms: int, data: st.DataObject) -> None:
    spelling = data.draw(st.sampled_from([format_duration(ms), *duration_spellings(ms)]))
    text = f'at {spelling}: start "a"\nafter 1s: end\n'
    result = compile_source(text)
    assert result.ok, describe(result)
    assert result.job is not None and result.job.script is not None
    assert [e.timestamp_ms for e in result.job.script] == [ms, ms + 1000]


# --------------------------------------------------------------------------------------------
# Hostile input never crashes the compiler
# --------------------------------------------------------------------------------------------

SNIPPETS = (
    "at ",
    "after ",
    "repeat ",
    "every ",
    "for x in ",
    " in ",
    "start ",
    "interact ",
    "end",
    ":",
    '"',
    '"""',
    "{{",
    "}}",
    "{%",
    "%}",
    "\t",
    "  ",
    "\n",
    "\r\n",
    "\ufeff",
    "#",
    "\\",
    "\\u{",
    "[",
    "]",
    ",",
    "let x = ",
    "portrait: ",
    'script "a":\n',
    "1e999s",
    "-1",
    "0.0001s",
    "99999999999999999999",
    "1h2m3s4ms",
    "3",
    "true",
    "with image ",
    "loop.index",
    "()",
    "{{ ''.__class__ }}",
    "{{ x }}",
    "{% for i in range(3) %}x{% endfor %}",
    "\x00",
    "é",
)

EXAMPLE_SEED = (
    '# A cat by the window\nportrait: false\nlet subject = "cat"\n\n'
    'at 0s: start "A {{ subject }} sitting by a window"\n'
    'at 3s: interact "The {{ subject }} looks outside"\n'
    'after 3s: interact "The {{ subject }} stretches"\nat 9s: end\n'
)


EXAMPLE_SCENES = tuple(
    path.read_text(encoding="utf-8")
    for path in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ody"))
)


def assert_never_crashes(text: str) -> None:
    result = compile_source(text, filename="fuzz.ody")
    assert isinstance(result, CompileResult)
    codes = [d.code.code for d in result.diagnostics]
    assert "E999" not in codes, f"internal error on {text!r}: {describe(result)}"
    if result.ok:
        assert result.job is not None
        for script in result.job.all_scripts():
            assert_timeline_invariants(script)
        render_json(result.job)
    else:
        assert result.errors, "a failed compile says why"
    line_count = text.count("\n") + 1
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.span.line <= line_count + 1
        assert diagnostic.span.column >= 1
        assert (diagnostic.span.end_line, diagnostic.span.end_column) >= (
            diagnostic.span.line,
            diagnostic.span.column,
        )


@FUZZ_SETTINGS
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(text: str) -> None:
    assert_never_crashes(text)


@FUZZ_SETTINGS
@given(
    text=st.lists(st.sampled_from(SNIPPETS + tuple(WORDS)), max_size=40).map("".join),
)
def test_random_keyword_soup_never_crashes(text: str) -> None:
    assert_never_crashes(text)


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    text = base
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["delete", "insert", "swap", "lines", "dup", "drop"]))
        if not text:
            text = draw(st.sampled_from(SNIPPETS))
            continue
        where = draw(st.integers(0, len(text) - 1))
        if operation == "delete":
            width = draw(st.integers(1, 5))
            text = text[:where] + text[where + width :]
        elif operation == "insert":
            snippet = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=3)))
            text = text[:where] + snippet + text[where:]
        elif operation == "swap":
            other = draw(st.integers(0, len(text) - 1))
            chars = list(text)
            chars[where], chars[other] = chars[other], chars[where]
            text = "".join(chars)
        else:
            lines = text.split("\n")
            first = draw(st.integers(0, len(lines) - 1))
            second = draw(st.integers(0, len(lines) - 1))
            if operation == "lines":
                lines[first], lines[second] = lines[second], lines[first]
            elif operation == "dup":
                lines.insert(first, lines[second])
            else:
                del lines[first]
            text = "\n".join(lines)
    return text


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_valid_scenes_never_crash(data: st.DataObject) -> None:
    seeds = st.sampled_from((EXAMPLE_SEED, *EXAMPLE_SCENES))
    base = data.draw(st.one_of(seeds, scenes().map(scene_source)))
    assert_never_crashes(data.draw(mutated(base)))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff",
        "\n\n\n",
        '"""',
        'at 0s: start """\n',
        'repeat 1000000000 every 1ms:\n  interact "x"\n',
        "at 0s: start \"{{ ''.__class__.__mro__ }}\"\nat 1s: end\n",
        'at 0s: start "{{ range(10**9) | list }}"\nat 1s: end\n',
        "  " * 200 + "x\n",
        "repeat 1 every 1s:\n" + "".join("  " * i + "repeat 1 every 1s:\n" for i in range(1, 60)),
    ],
)
def test_known_hostile_inputs_do_not_crash(text: str) -> None:
    assert_never_crashes(text)
