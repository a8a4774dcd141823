"""Rendering string literals as Jinja2 templates, in a sandbox, at compile time.

Every string literal of a scene is a template. Rendering uses Jinja2's
`SandboxedEnvironment` (a scene must never reach Python internals, files or the
environment) with `StrictUndefined` (an undefined name is an error, not an empty string).
`true`/`false` render as `true`/`false`, and a duration as it was written (`1m30s`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import new_context
from jinja2.sandbox import SandboxedEnvironment

_MARKERS = ("{{", "{%", "{#")


class TemplateFailure(Exception):
    """A template could not be compiled or rendered. `code` is E301, E302 or E303."""

    def __init__(
        self, code: str, message: str, help: str | None = None, *, name: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help
        self.name = name
        """For E302: the undefined name."""


class LoopInfo:
    """`loop` in templates: the innermost Ody loop's position."""

    __slots__ = ("first", "index", "index0", "last", "length", "revindex", "revindex0")

    def __init__(self, index0: int, length: int) -> None:
        self.index0 = index0
        self.index = index0 + 1
        self.length = length
        self.first = index0 == 0
        self.last = index0 == length - 1
        self.revindex = length - index0
        self.revindex0 = length - index0 - 1


def _finalize(value: object) -> object:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return _as_ody(value)
    return value


def _as_ody(value: object) -> str:
    """A value as Ody writes it (lists render like list literals, not Python reprs)."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_as_ody(item) for item in value) + "]"
    return str(value)


_MAX_PRODUCT = 1_000_000
_MAX_EXPONENT = 4096


class _SceneSandbox(SandboxedEnvironment):
    """The sandbox, plus a bound on `*` and `**` so a hostile scene cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: object, right: object
    ) -> object:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(times, int)
                    and len(sequence) * times > _MAX_PRODUCT
                ):
                    raise SecurityError("the result would be too large")
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError("the exponent is too large")
        return super().call_binop(context, operator, left, right)


@functools.cache
def environment() -> SandboxedEnvironment:
    """The sandboxed Jinja2 environment shared by every template of the process."""
    return _SceneSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )


class CompiledTemplate(NamedTuple):
    """A literal ready to render: plain text, or a Jinja2 template (the names it reads are
    `template_names`'s)."""

    text: str
    template: jinja2.Template | None

    def render(self, variables: dict[str, Any]) -> str:
        """Render with `variables`, which must include the environment's globals (see
        `template_globals`); raises `TemplateFailure`.

        The context shares `variables` instead of copying them with the globals, as
        `Template.render` would: a scene renders one template per entry, and that copy (and
        the set of global names a template's own context builds) was a large part of
        compiling long loops.
        """
        if self.template is None:
            return self.text
        template = self.template
        try:
            context = new_context(
                template.environment, template.name, template.blocks, variables, shared=True
            )
            return "".join(template.root_render_func(context))
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
def compile_template(text: str) -> CompiledTemplate:
    """Compile a literal's text once; raises `TemplateFailure` (E301) on a syntax error."""
    if not is_template(text):
        return CompiledTemplate(text, None)
    env = environment()
    try:
        tree = env.parse(text)
        template = env.from_string(tree)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateFailure(
            "E301",
            f"invalid template: {error.message}",
            "templates use Jinja2 syntax: `{{ name }}`, `{{ loop.index }}`, "
            "`{% if ... %}...{% endif %}`",
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
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else f"define it with `let {name} = ...` before this line, or pass `--var {name}=...`"
        )
        return TemplateFailure("E302", f"`{name}` is not defined", hint, name=name)
    return TemplateFailure("E302", f"the template uses something undefined: {text}")
