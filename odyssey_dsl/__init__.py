"""Ody, a scene language for the Odyssey Simulate API, and its compiler.

>>> result = compile_source('at 0s: start "a cat"\\nat 3s: end\\n')
>>> result.ok
True
"""

from typing import TYPE_CHECKING

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.compiler import (
    CompileResult,
    compile_file,
    compile_source,
    expand_timeline,
    scene_names,
)
from odyssey_dsl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from odyssey_dsl.emit.models import Job, ScriptEntry
    from odyssey_dsl.fmt import format_source
    from odyssey_dsl.semantics.images import ImageLoader


def __getattr__(name: str) -> object:
    # The pydantic models load on first use, so that lint-only runs start fast.
    if name in ("Job", "ScriptEntry"):
        from odyssey_dsl.emit import models

        return getattr(models, name)
    if name == "format_source":  # the formatter loads on first use too
        from odyssey_dsl.fmt import format_source

        return format_source
    if name == "ImageLoader":
        from odyssey_dsl.semantics.images import ImageLoader

        return ImageLoader
    raise AttributeError(f"module 'odyssey_dsl' has no attribute {name!r}")


__all__ = [
    "CompileResult",
    "Diagnostic",
    "ImageLoader",
    "Job",
    "ScriptEntry",
    "Severity",
    "__version__",
    "compile_file",
    "compile_source",
    "expand_timeline",
    "format_source",
    "scene_names",
]
