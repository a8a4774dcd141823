"""Rendering string literals as Jinja2 templates, in a sandbox, at compile time.

Every string literal of a scene is a template. Rendering uses Jinja2's sandbox (a scene
must never reach Python internals, files or the environment) with `StrictUndefined` (an
undefined name is an error, not an empty string), and a budget: what a render may print,
make and do is limited (see `template_budget`), so that no scene can hang a compile or
exhaust its memory. `true`/`false` render as `true`/`false`, and a duration as it was
written (`1m30s`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import new_context

from odyssey_dsl.semantics.template_budget import (
    MAX_RENDERED_CHARS,
    RenderMeter,
    TemplateBudget,
    TemplateLimitError,
)
from odyssey_dsl.semantics.template_fast_path import (
    SimpleTemplate,
    fast_paths_enabled,
    quick_template,
    simple_template,
)
from odyssey_dsl.semantics.template_sandbox import (
    LEFT_OUT_GLOBALS,
    LoopInfo,
    SceneSandbox,
    insert_hooks,
)

__all__ = [
    "MAX_RENDERED_CHARS",
    "CompiledTemplate",
    "LoopInfo",
    "TemplateBudget",
    "TemplateFailure",
    "compile_template",
    "environment",
    "is_template",
    "template_globals",
]

_MARKERS = ("{{", "{%", "{#")


class TemplateFailure(Exception):
    """A template could not be compiled or rendered. `code` is E301, E302, E303, or one of
    the budget's E305 (output too long), E306 (too much work), E307 (a value too large) and
    E308 (a value that is not text)."""

    def __init__(
        self, code: str, message: str, help: str | None = None, *, name: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help
        self.name = name
        """For E302: the undefined name."""


@functools.cache
def environment() -> SceneSandbox:
    """The sandboxed Jinja2 environment shared by every template of the process."""
    return SceneSandbox()


class CompiledTemplate(NamedTuple):
    """A literal ready to render: plain text, a simple template rendered without compiling
    it (`simple`), or a Jinja2 template (the names it reads are `template_names`'s)."""

    text: str
    template: jinja2.Template | None
    simple: SimpleTemplate | None = None

    @property
    def is_plain(self) -> bool:
        """Plain text: it renders as itself."""
        return self.template is None and self.simple is None

    def render(
        self,
        variables: dict[str, Any],
        budget: TemplateBudget | None = None,
        *,
        max_chars: int = MAX_RENDERED_CHARS,
    ) -> str:
        """Render with `variables`, which must include the environment's globals (see
        `template_globals`); raises `TemplateFailure`.

        `budget` is the work the templates of one compile may still do: pass the same one to
        every render of a compile (without one, this render gets a budget of its own).
        `max_chars` is the most the render may print (plain text is returned as it is).

        The context shares `variables` instead of copying them with the globals, as
        `Template.render` would: a scene renders one template per entry, and that copy (and
        the set of global names a template's own context builds) was a large part of
        compiling long loops.
        """
        if self.is_plain:
            return self.text
        meter = RenderMeter(budget if budget is not None else TemplateBudget(), max_chars)
        start = meter.steps_left
        try:
            if self.simple is not None:
                simple = self.simple
                return _rendering(lambda: simple.render(environment(), variables, meter), variables)
            assert self.template is not None
            template = self.template
            return _rendering(lambda: _render_compiled(template, variables, meter), variables)
        finally:
            meter.settle(start)


def _render_compiled(
    template: jinja2.Template, variables: dict[str, Any], meter: RenderMeter
) -> str:
    context = new_context(
        template.environment, template.name, template.blocks, variables, shared=True
    )
    context.meter = meter  # type: ignore[attr-defined]
    return "".join([meter.emit(part) for part in template.root_render_func(context)])


def _rendering(render: Callable[[], str], variables: dict[str, Any]) -> str:
    """`render()`, with whatever it raises as a `TemplateFailure`."""
    try:
        return render()
    except TemplateLimitError as limit:
        raise TemplateFailure(limit.code, limit.message, limit.help) from None
    except jinja2.UndefinedError as error:
        raise _undefined(error, variables) from None
    except SecurityError as error:
        raise TemplateFailure(
            "E303",
            f"the template is not allowed to do this: {error}",
            "templates run in a sandbox: they may read variables and use filters, "
            "but not reach Python internals, files or the environment",
        ) from None
    except jinja2.TemplateError as error:
        raise TemplateFailure("E303", f"the template failed: {error}") from None
    except RecursionError:
        raise TemplateFailure("E303", "the template recurses too deeply") from None
    except MemoryError:
        raise TemplateFailure(
            "E307", "this template needs more memory than there is to render"
        ) from None
    except Exception as error:  # any error raised by an expression in the template
        raise TemplateFailure(
            "E303", f"the template failed: {type(error).__name__}: {error}"
        ) from None


def template_globals() -> dict[str, Any]:
    """The names every template sees (Jinja2's `range`, `dict`, ...): the outermost scope."""
    return dict(environment().globals)


def is_template(text: str) -> bool:
    return any(marker in text for marker in _MARKERS)


@functools.lru_cache(maxsize=4096)
def compile_template(text: str, *, fast: bool | None = None) -> CompiledTemplate:
    """Compile a literal's text once; raises `TemplateFailure` (E301) on a syntax error, or
    when the template is nested too deeply to compile.

    A simple template (text and substitutions) is not compiled to Python at all, unless
    `fast` is False (None: unless `ODYC_NO_FAST_PATH=1` is set); see `template_fast_path`."""
    if not is_template(text):
        return CompiledTemplate(text, None)
    env = environment()
    use_fast_paths = fast_paths_enabled() if fast is None else fast
    if use_fast_paths and (quick := quick_template(text, env)) is not None:
        return CompiledTemplate(text, None, quick)
    try:
        tree = env.parse(text)
        if use_fast_paths:
            simple = simple_template(tree, env)
            if simple is not None:
                return CompiledTemplate(text, None, simple)
        template = env.from_string(insert_hooks(tree))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateFailure(
            "E301",
            f"invalid template: {error.message}",
            "templates use Jinja2 syntax: `{{ name }}`, `{{ loop.index }}`, "
            "`{% if ... %}...{% endif %}`",
        ) from None
    except (SyntaxError, RecursionError, MemoryError):
        # Python's own limits on the code Jinja2 generates: 20 nested loops, 200 brackets.
        raise TemplateFailure(
            "E301",
            "this template is nested too deeply to compile",
            "at most 20 `{% for %}` loops, and fewer than 200 brackets, may stand inside one "
            "another; split the template into smaller ones (`let` strings)",
        ) from None
    return CompiledTemplate(text, template)


_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined")


def _undefined(error: jinja2.UndefinedError, variables: Mapping[str, object]) -> TemplateFailure:
    text = str(error.message or error)
    match = _UNDEFINED_NAME.search(text)
    if match:
        name = match.group(1)
        import difflib

        close = difflib.get_close_matches(name, [str(k) for k in variables], n=1)
        if name in LEFT_OUT_GLOBALS:
            hint = (
                f"`{name}` makes random text, so it is left out: a scene always compiles "
                "to the same output"
            )
        elif close:
            hint = f"did you mean `{close[0]}`?"
        else:
            hint = f"define it with `let {name} = ...` before this line, or pass `--var {name}=...`"
        return TemplateFailure("E302", f"`{name}` is not defined", hint, name=name)
    return TemplateFailure("E302", f"the template uses something undefined: {text}")
