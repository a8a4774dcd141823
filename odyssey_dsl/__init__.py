"""Ody, a scene language for the Odyssey Simulate API, and its compiler.

>>> result = compile_source('at 0s: start "a cat"\\nat 3s: end\\n')
>>> result.ok
True
"""

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.compiler import CompileResult, compile_file, compile_source
from odyssey_dsl.diagnostics import Diagnostic, Severity
from odyssey_dsl.models import Job, ScriptEntry

__all__ = [
    "CompileResult",
    "Diagnostic",
    "Job",
    "ScriptEntry",
    "Severity",
    "__version__",
    "compile_file",
    "compile_source",
]
